"""A run: realise the baseline and the target concurrently, run every step in each, diff the results."""

from __future__ import annotations

import contextlib
import importlib
import itertools
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import docker

from parity.engine.cleanup import reap_orphans
from parity.engine.client import docker_client
from parity.engine.images import ensure_image
from parity.env.environment import SQLITE_MOUNT, Environment
from parity.env.host import environment_fix, find_program, user_environment
from parity.env.secrets import deliver, resolve_values
from parity.errors import Cancelled, EnvError, ImageLacks, ParityError, UsageError
from parity.profile.loader import LoadedProfile
from parity.profile.models import Profile
from parity.project import Project
from parity.redact import Redactor
from parity.results import (
    ASKED_FOR,
    STEP_NAMES,
    WHOLE_RUN,
    Divergence,
    Focus,
    ProfileRun,
    RunResult,
    StepResult,
    Verdict,
)
from parity.steps import PlanOnce, StepContext, runner

if TYPE_CHECKING:
    from parity.env.app import AppImage
    from parity.progress import RunProgress

Step = Callable[[StepContext], StepResult]
STEPS: list[tuple[str, Step]] = [(name, runner(name)) for name in STEP_NAMES]


@dataclass
class RunOptions:
    """How to run: which profiles, whether to keep the environments afterwards, whether to settle
    each divergence's cause by experiment."""

    target: str
    baseline: str = "local"
    keep: bool = False
    explain: bool = False
    more_targets: tuple[str, ...] = ()  # further --profile: each compared with the one baseline run

    @property
    def targets(self) -> tuple[str, ...]:
        """Every target, in the order given."""
        return (self.target, *self.more_targets)


@dataclass
class Kept:
    """An environment left up by --keep: how to reach it."""

    profile: str
    env_id: str
    exports: dict[str, str] = field(default_factory=dict)
    # What a command on this machine gets from parity (secrets included): never printed.
    environment: dict[str, str] = field(default_factory=dict, repr=False)


@dataclass
class RunOutcome:
    """Every target's result in order, the redactor that saw every secret, and what --keep left
    running."""

    results: list[RunResult]
    redactor: Redactor
    kept: list[Kept] = field(default_factory=list)

    @property
    def result(self) -> RunResult:
        """The first target's result (the only one with a single --profile)."""
        return self.results[0]


def _already_set() -> threading.Event:
    event = threading.Event()
    event.set()
    return event


@dataclass
class Session:
    """What every environment of one command shares: the project, the engine, the images, the
    redactor that has seen every secret, progress, and the cancellation that stops them all."""

    project: Project
    client: docker.DockerClient
    redactor: Redactor
    images: AppImages
    board: RunProgress | None = None
    say: Callable[[str], None] | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    contexts: dict[str, StepContext] = field(default_factory=dict)
    # Rehearse every profile's migrations when one asks for it (data, traffic, budgets), so the
    # other side has figures to compare with.
    rehearse: bool = False
    plans: dict[str, PlanOnce] = field(default_factory=dict)  # the command's profiles' migrations plans
    # The label mode of an environment left up: "up" outlives this process (until `parity down`);
    # "run" is reaped by the next parity command once this process is gone (a test session's).
    kept_mode: str = "up"
    # Set once the background warm-up has imported the libraries the steps after the database
    # use (see _warm_imports); set from the start when nothing warms up.
    warmed: threading.Event = field(default_factory=_already_set)
    # Environments being removed in the background once their run ended (see removed_after).
    removals: list[threading.Thread] = field(default_factory=list)
    removal_errors: list[BaseException] = field(default_factory=list)

    @contextlib.contextmanager
    def removed_after(self, env: Environment) -> Iterator[Environment]:
        """The environment, removed when the block ends (unless kept): at once after an error or an
        interrupt, in the background after a run that ended (the verdict and the next experiment
        need not wait for containers to stop: wait_removed does, before the command ends)."""
        try:
            yield env
        except BaseException:
            if not env.keep:
                env.close()
            raise
        if env.keep:
            return

        def remove() -> None:
            try:
                env.close()
            except Exception as exc:  # noqa: BLE001 - raised again by wait_removed
                self.removal_errors.append(exc)

        thread = threading.Thread(target=remove, daemon=True, name=f"parity-remove-{env.loaded.name}")
        self.removals.append(thread)
        thread.start()

    def wait_removed(self) -> None:
        """Return once every environment removed in the background is gone (its error, if any)."""
        for thread in list(self.removals):
            while thread.is_alive():
                thread.join(timeout=0.1)  # short joins keep Ctrl-C deliverable
        if self.removal_errors:
            raise self.removal_errors[0]

    def plan_of(self, loaded: LoadedProfile) -> PlanOnce:
        """The profile's migrations plan: the one the check before the run read for the command's
        profiles, one of its own for an experiment's flipped copy (a profile object of its own,
        whatever its name)."""
        planned = self.plans.get(loaded.name)
        if planned is None or planned.profile is not loaded.profile:
            planned = PlanOnce(loaded.profile, self.project.root)
        return planned

    def run_profile(self, loaded: LoadedProfile, values: dict[str, str], *, keep: bool = False,
                    steps: list[tuple[str, Step]] = STEPS, focus: Focus = WHOLE_RUN) -> ProfileRun:
        """One profile in an environment of its own, through `steps` (an experiment's: as closely
        as its focus says: its smoke suite stopped early, its migrations unwatched)."""
        return _run_profile(self, loaded, values, keep=keep, steps=steps, focus=focus)

    def in_threads(self, works: dict[str, Callable[[], None]]) -> dict[str, BaseException]:
        """Run the works concurrently. Ctrl-C / SIGTERM, or a fatal error in one of them (a command
        that does not exist), tears every environment down at once; other errors are returned."""
        errors: dict[str, BaseException] = {}

        def guarded(name: str, work: Callable[[], None]) -> None:
            try:
                work()
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                errors[name] = exc

        threads = [threading.Thread(target=guarded, args=item, daemon=True, name=f"parity-{item[0]}")
                   for item in works.items()]
        try:
            for thread in threads:
                thread.start()
            # Short joins keep Ctrl-C / SIGTERM deliverable.
            while any(thread.is_alive() for thread in threads) and not _fatal(errors):
                for thread in threads:
                    thread.join(timeout=0.1)
        except BaseException:
            _cancel(self.cancel, self.contexts, threads)
            raise
        fatal = _fatal(errors)
        if fatal is not None:
            _cancel(self.cancel, self.contexts, threads)
            raise fatal
        return errors


def run(project: Project, options: RunOptions, progress: RunProgress | None = None,
        say: Callable[[str], None] = lambda _m: None) -> RunOutcome:
    """Run the baseline once and every target beside it, and compare each target with it. Profile
    and secret errors surface before anything starts."""
    loaded = {name: project.profile(name) for name in (options.baseline, *options.targets)}
    session, values = _prepare(project, loaded, say, progress)
    started = time.monotonic()
    try:
        return _run_and_judge(session, options, loaded, values, started)
    finally:
        session.wait_removed()


def _run_and_judge(session: Session, options: RunOptions, loaded: dict[str, LoadedProfile],
                   values: dict[str, dict[str, str]], started: float) -> RunOutcome:
    """Both sides run concurrently, then each target judged against the baseline (explained)."""
    runs: dict[str, ProfileRun] = {}

    def work(name: str) -> Callable[[], None]:
        def go() -> None:
            runs[name] = session.run_profile(loaded[name], values[name], keep=options.keep)
        return go

    errors = session.in_threads({name: work(name) for name in loaded})
    for name, exc in errors.items():
        runs[name] = ProfileRun(name=name, steps={"database": StepResult(
            status="error", summary="parity could not run this profile", detail=session.redactor.text(repr(exc)))})
    results = [_judge(session, (options.baseline, target), loaded, runs, explain=options.explain and not errors)
               for target in options.targets]
    for result in results:
        result.duration_s = round(time.monotonic() - started, 3)
    kept = [_kept(session.contexts[name]) for name in loaded
            if name in session.contexts and session.contexts[name].env.keep]
    safe = [session.redactor.result(result) for result in results]
    return RunOutcome(results=safe, redactor=session.redactor, kept=kept)


def _judge(session: Session, sides: tuple[str, str], loaded: dict[str, LoadedProfile], runs: dict[str, ProfileRun],
           *, explain: bool) -> RunResult:
    """One target against the baseline: its divergences (settled by experiment with `explain`),
    the failures of both, the verdict."""
    from parity.diff import compare

    base, target = runs[sides[0]], runs[sides[1]]
    divergences, failures = compare(base, target, loaded[sides[0]].profile, loaded[sides[1]].profile)
    if explain and divergences:
        divergences = _explain(session, sides, loaded, base, divergences)
    errored = any(s.status == "error" and n == "database" for r in (base, target) for n, s in r.steps.items())
    verdict: Verdict = "error" if errored and not divergences else "divergent" if divergences or failures else "parity"
    return RunResult(verdict=verdict, baseline=sides[0], target=sides[1], profiles={sides[0]: base, sides[1]: target},
                     divergences=divergences, failures=failures)


def _explain(session: Session, sides: tuple[str, str], loaded: dict[str, LoadedProfile], base_run: ProfileRun,
             divergences: list[Divergence]) -> list[Divergence]:
    """Settle each divergence's cause by experiment: the baseline run again with one group of the
    target's keys at a time, each only as far as the step its divergences appeared in."""
    from parity.explain import Sides, explain

    baseline_name, target_name = sides
    target = loaded[target_name]
    numbers = itertools.count(1)
    names = [step for step, _ in STEPS]

    def execute(profile: Profile, focus: Focus) -> ProfileRun:
        if session.cancel.is_set():
            raise Cancelled
        name = f"{target_name}-x{next(numbers)}"
        if session.board:
            session.board.note(name, profile.description or "experiment")
        flipped = LoadedProfile(name=name, profile=profile, files=target.files)
        steps = STEPS[: names.index(focus.up_to) + 1]
        return session.run_profile(flipped, resolve_values(profile.secrets, session.project.root), steps=steps,
                                   focus=focus)

    explained: list[Divergence] = []

    def search() -> None:
        pair = Sides(loaded[baseline_name].profile, target.profile, base_run, sides)
        explained.extend(explain(divergences, pair, execute, workers=experiment_workers()))

    session.in_threads({"explain": search})
    return explained or divergences


def experiment_workers() -> int:
    """How many experiments run at once: one per core, fewer when memory is short (an experiment
    is a database, the app and its smoke suite: count 1.5 GiB each)."""
    cores = os.cpu_count() or 1
    available = _available_memory()
    by_memory = int(available // (1.5 * 2**30)) if available else cores
    return max(1, min(cores, by_memory, 4))


def _available_memory() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _prepare(project: Project, loaded: dict[str, LoadedProfile], say: Callable[[str], None],
             board: RunProgress | None = None, steps: Iterable[str] = STEP_NAMES) -> tuple[Session, dict[str, dict[str, str]]]:
    """Everything before any environment exists: secrets resolved, host commands checked (so profile
    mistakes surface first), the engine reached, dead runs' leftovers reaped, images ready.
    `steps`: the steps this command will run (their modules are loaded in the background)."""
    values = {name: resolve_values(lp.profile.secrets, project.root) for name, lp in loaded.items()}
    plans = {name: PlanOnce(lp.profile, project.root) for name, lp in loaded.items()}
    for name, lp in loaded.items():
        check_host_commands(lp, project.root)
        if lp.profile.data is not None or lp.profile.traffic is not None:
            from parity.data.check import check_data  # loaded only when there is something to check

            check_data(lp, project.root, plans[name])
    redactor = Redactor([v for per_profile in values.values() for v in per_profile.values()])
    client = docker_client()
    warmed = threading.Event()
    threading.Thread(target=_warm_imports, args=(list(loaded.values()), list(steps), warmed), daemon=True,
                     name="parity-imports").start()
    removed = reap_orphans(client)
    if removed:
        say(f"removed leftovers of dead runs: {removed.summary()}")
    images = AppImages(client, project.root, say)
    images.prepare(loaded.values())
    # An experiment's flipped profile takes its keys from these, so it rehearses only if they do.
    return Session(project=project, client=client, redactor=redactor, images=images, board=board,
                   say=None if board else say,
                   rehearse=any(lp.profile.rehearses() for lp in loaded.values()), plans=plans,
                   warmed=warmed), values


def _fatal(errors: dict[str, BaseException]) -> BaseException | None:
    """The first error that ends the whole run (parity's own errors, interrupts), if any."""
    return next((e for e in errors.values() if isinstance(e, ParityError | KeyboardInterrupt | Cancelled)), None)


def _warm_imports(loaded: list[LoadedProfile], steps: list[str], warmed: threading.Event) -> None:
    try:
        _import_for(loaded, steps)
    finally:
        warmed.set()


def _import_for(loaded: list[LoadedProfile], steps: list[str]) -> None:
    # Libraries needed only once the engine has work in hand (psycopg for readiness, the steps
    # after the database, Alembic and SQLAlchemy's inspector after the databases are up):
    # importing them while the engine creates networks and starts containers takes them off the
    # critical path. The libraries only when these profiles use them: a needless import competes
    # with the main thread for the GIL (parity's own step modules are small, and all of them load).
    # In the order they are needed: the progress line once the database container is started,
    # psycopg for its readiness, then the steps. (TLS certificates are made in a thread of their
    # own: see env.database.)
    profiles = [lp.profile for lp in loaded]
    import rich.console  # noqa: F401
    if any(p.postgres for p in profiles):
        import psycopg  # noqa: F401
    # Only the steps this command runs: `up` stops after startup, and a module loaded for nothing
    # takes CPU from the readiness wait on a busy machine.
    for name in steps:
        importlib.import_module(f"parity.steps.{name}")
    if any(p.migrations for p in profiles):
        import alembic.script  # noqa: F401
        import sqlalchemy.dialects.postgresql  # noqa: F401
        import sqlalchemy.dialects.sqlite  # noqa: F401


def check_host_commands(loaded: LoadedProfile, root: Path) -> None:
    """Commands that run on this machine must exist before anything starts (a typo is exit 2, not a run)."""
    profile = loaded.profile
    commands = []
    if profile.migrations and profile.migrations.run_in == "host":
        commands.append(("migrations.command", profile.migrations.command))
    if profile.smoke and profile.smoke.command is not None:
        commands.append(("smoke.command", profile.smoke.command))
    if profile.data and profile.data.seed is not None:
        commands.append(("data.seed", profile.data.seed))
    if not commands:
        return
    env = user_environment(profile.host, root)  # host.venv must be a virtualenv even for shell strings
    for key, command in commands:
        if isinstance(command, str) or not command:
            continue  # a shell string: the shell reports a missing program itself
        program = command[0]
        if find_program(program, env, root) is None:
            where = f"the virtualenv {profile.host.venv} or " if profile.host and profile.host.venv else ""
            raise UsageError(
                f"profile {loaded.name}: {key} runs {program!r}, which is not found on this machine "
                f"(looked in {where}the PATH parity was started with)",
                f"install it, fix {key} in {loaded.files[-1].name}, or {environment_fix(profile.host)}",
            )


def _cancel(cancel: threading.Event, contexts: dict[str, StepContext], threads: list[threading.Thread]) -> None:
    """Tear the whole run down: stop new work, remove everything, wait for the workers, sweep again."""
    cancel.set()
    for ctx in list(contexts.values()):
        ctx.env.close()
    deadline = time.monotonic() + CANCEL_GRACE
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    # A worker may have been mid-way through creating a container during the first sweep.
    for ctx in list(contexts.values()):
        ctx.env.close()


CANCEL_GRACE = 20.0


class AppImages:
    """The app images of the profiles in play, each prepared once (both profiles, and every
    experiment, usually share one; concurrent builds of one context would only race)."""

    def __init__(self, client: docker.DockerClient, root: Path, say: Callable[[str], None]) -> None:
        self.client, self.root, self.say = client, root, say
        self._by_spec: dict[str, AppImage] = {}
        self._lock = threading.Lock()

    def prepare(self, profiles: Iterable[LoadedProfile]) -> None:
        """The images of these profiles (the database's, the load balancer's, the app's), ready
        before anything starts."""
        from parity.env.images import profile_images

        for lp in profiles:
            for ref in profile_images(lp.profile, self.root).started:
                ensure_image(self.client, ref, self.say)
            self.of(lp)  # the app's image, built or pulled with the bases its build needs

    def of(self, loaded: LoadedProfile) -> AppImage | None:
        """The profile's app image (built or checked on first use)."""
        app = loaded.profile.app
        if app is None:
            return None
        from parity.env.app import prepare_image  # only for profiles with an app

        key = app.image or f"{app.build}|{app.dockerfile}"
        with self._lock:
            if key not in self._by_spec:
                self._by_spec[key] = prepare_image(self.client, app, self.root, self.say)
            return self._by_spec[key]


def _run_profile(session: Session, loaded: LoadedProfile, values: dict[str, str], *, keep: bool = False,
                 steps: list[tuple[str, Step]] = STEPS, focus: Focus = WHOLE_RUN) -> ProfileRun:
    name = loaded.name
    image = session.images.of(loaded)
    board, say, redactor, client, root = session.board, session.say, session.redactor, session.client, \
        session.project.root

    def note(message: str) -> None:
        if board:
            board.note(name, redactor.text(message))
        elif say:
            say(redactor.text(message))

    env = Environment(client, loaded, root, mode=session.kept_mode if keep else "run", progress=note,
                      cancel=session.cancel)
    # Unwatched migrations still run the profile's traffic beside them: that is its behaviour, not a measure.
    rehearse = session.rehearse and (focus.migrations or loaded.profile.traffic is not None)
    ctx = StepContext(client=client, env=env, project_root=root, image=image, secrets=values,
                      redactor=redactor, progress=note, planned=session.plan_of(loaded),
                      rehearse=rehearse, smoke_until=focus.smoke_until, read_schema=focus.migrations)
    session.contexts[name] = ctx
    run = ProfileRun(name=name, description=loaded.profile.description or "")
    started = time.monotonic()
    with session.removed_after(env):
        env.create_network()
        for step, action in steps:
            # A step the profile does not ask for is recorded (the other side may have it) but not
            # announced: no "rollout: running ... skipped" lines on every run.
            announce = board is not None and (step not in ASKED_FOR or loaded.profile.asks(ASKED_FOR[step]))
            if board and announce:
                board.step(name, step, "running")
            if step == "data":  # always run (skipped without data:), before migrations run the app's code
                _deliver_secrets(ctx)
            result = _through_failover(step, action, ctx)
            ctx.record_role(step, result)
            run.steps[step] = result
            if board and announce:
                board.step(name, step, result.status, redactor.text(result.summary))
            elif say and result.status != "skipped":
                say(f"{step}: {result.status} — {redactor.text(result.summary)}")
            if step == "database" and result.status == "error":
                break
            if step == "database":
                # Two threads importing SQLAlchemy's circular modules at once can each get the
                # other's half-initialised module (an AttributeError in the migrations step, seen
                # where a SQLite database is ready before the warm-up is done): let it finish first.
                session.warmed.wait(timeout=WARM_UP_WAIT)
            if step == "data" and result.status in ("failed", "error"):
                break  # migrations measured on half the data would only mislead
        env.keep = keep and run.steps.get("database", StepResult(status="ok")).status != "error"
    run.duration_s = round(time.monotonic() - started, 3)
    return run


WARM_UP_WAIT = 60.0
UP_STEPS = [step for step in STEPS if step[0] in ("database", "data", "migrations", "startup")]


def start_environment(project: Project, name: str, say: Callable[[str], None], *,
                      owned: bool = False) -> tuple[ProfileRun, Kept]:
    """`parity up`: database, migrations and app of one profile, left running for a developer
    (`owned`: for this process only, as a test session's: reaped once it is gone)."""
    loaded = project.profile(name)
    session, values = _prepare(project, {name: loaded}, say, steps=[step for step, _ in UP_STEPS])
    if owned:
        session.kept_mode = "run"
    try:
        run = session.run_profile(loaded, values[name], keep=True, steps=UP_STEPS)
    finally:
        session.wait_removed()  # an environment whose database did not start is not kept
    database = run.steps.get("database")
    if database is not None and database.status == "error":
        raise EnvError(f"{name}: the database did not start: {database.detail}",
                       "see the log lines above; `parity doctor` checks the engine and images")
    return run, _kept(session.contexts[name])


def _deliver_secrets(ctx: StepContext) -> None:
    """Secrets plus DATABASE_URL (and DB_CA_CERT) through the profile's secrets.source; a release
    job that bypasses the app's pooler gets its own delivery, with the direct URL."""
    values = dict(ctx.secrets)
    db = ctx.env.database
    if db is not None:
        values["DATABASE_URL"] = db.url("network")
        if db.ca_cert:
            values["DB_CA_CERT"] = db.ca_cert
    workdir = ctx.image.workdir if ctx.image else "/"
    ctx.delivery = deliver(ctx.profile.secrets, values, workdir, ctx.env.state_dir)
    if db is not None and db.sqlite_path is not None:
        ctx.delivery.mounts[str(db.sqlite_path.parent)] = (SQLITE_MOUNT, False)
    if db is not None and db.url("network", "migrations") != values["DATABASE_URL"]:
        values["DATABASE_URL"] = db.url("network", "migrations")
        ctx.migrations_delivery = deliver(ctx.profile.secrets, values, workdir, ctx.env.state_dir / "migrations")


def _guarded(action: Step, ctx: StepContext) -> StepResult:
    """A step's failure is a result; only parity's own errors and interrupts stop the run."""
    started = time.monotonic()
    ctx.env.check_open()
    try:
        result = action(ctx)
    except (UsageError, ImageLacks):
        # A command that does not exist (exit 2), an image that cannot make the database (a locale
        # it lacks, exit 3): the user's to fix, not a result.
        raise
    except ParityError as exc:
        result = StepResult(status="error", summary=exc.message.splitlines()[0], detail=str(exc))
    except Exception as exc:  # noqa: BLE001 - an unexpected failure in one step must not lose the run
        result = StepResult(status="error", summary=f"parity error: {type(exc).__name__}", detail=str(exc))
    if not result.duration_s:
        result.duration_s = round(time.monotonic() - started, 3)
    result.summary = ctx.redactor.text(result.summary)
    result.detail = ctx.redactor.text(result.detail)
    return result


def _through_failover(step: str, action: Step, ctx: StepContext) -> StepResult:
    """The step, with the database failing over at `after` into it when the profile says so
    (database.failover.at: startup or migrations; the smoke step rides one out itself). The next
    step starts once the server is back."""
    spec = ctx.profile.database.failover if ctx.profile.database else None
    db = ctx.env.database
    if spec is None or spec.at != step or step == "smoke" or db is None or db.container_id is None:
        return _guarded(action, ctx)
    from parity.env import failover

    ctx.say(f"failover in {spec.after:g}s: the database goes away for {spec.downtime:g}s")
    background = failover.InBackground(failover.Failover(ctx.client, db, spec, ctx.env.closed), time.monotonic())
    result = _guarded(action, ctx)
    try:
        timeline = background.join()
    except EnvError as exc:
        return StepResult(status="error", summary=exc.message.splitlines()[0], detail=str(exc))
    result.facts.update(failover.facts(spec, timeline, None))
    if timeline.cut_s > result.duration_s:
        result.facts["failover"]["after_the_step"] = True  # it ended first: later steps see the failover
    return result


def _kept(ctx: StepContext) -> Kept:
    """How a developer reaches an environment left running."""
    exports: dict[str, str] = {}
    db = ctx.env.database
    if db is not None:
        exports["DATABASE_URL"] = db.url("host")
        if db.pooler is not None:
            # The server itself, past the pooler: what migrations (and psql for a session) use.
            exports["DATABASE_DIRECT_URL"] = db.url("host", direct=True)
        if db.login("migrations") != db.login("app"):
            # database.roles: the migrations connect as another role (the owner, or the superuser).
            exports["DATABASE_MIGRATIONS_URL"] = db.url("host", "migrations")
        if db.ca_cert_path:
            exports["PGSSLROOTCERT"] = str(db.ca_cert_path)
        if ctx.profile.database:
            exports.update(db.variables(ctx.profile.database.env, "host"))
    if ctx.app is not None and ctx.app.url:
        exports["APP_URL"] = ctx.app.url
    if ctx.profile.host:
        exports.update(ctx.profile.host.env)  # what host commands get, for running them by hand
    return Kept(ctx.env.loaded.name, ctx.env.env_id, exports, ctx.provided_environment("app"))
