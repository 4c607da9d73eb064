"""A run: realise the baseline and the target concurrently, run every step in each, diff the results."""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import docker

from parity.diff import compare
from parity.engine.cleanup import reap_orphans
from parity.engine.client import docker_client
from parity.engine.images import ensure_image
from parity.env.app import AppImage, prepare_image
from parity.env.environment import SQLITE_MOUNT, Environment
from parity.env.secrets import deliver, resolve_values
from parity.errors import Cancelled, EnvError, ParityError, UsageError
from parity.profile.loader import LoadedProfile
from parity.project import Project
from parity.report.redact import Redactor
from parity.results import ProfileRun, RunResult, StepResult, Verdict
from parity.steps.context import StepContext
from parity.steps.database import run_database
from parity.steps.migrations import run_migrations
from parity.steps.resources import run_resources
from parity.steps.smoke import run_smoke
from parity.steps.startup import run_startup

if TYPE_CHECKING:
    from parity.progress import RunProgress

STEPS: list[tuple[str, Callable[[StepContext], StepResult]]] = [
    ("database", run_database),
    ("migrations", run_migrations),
    ("startup", run_startup),
    ("smoke", run_smoke),
    ("resources", run_resources),
]


@dataclass
class RunOptions:
    """How to run: which profiles, whether to keep the environments afterwards."""

    target: str
    baseline: str = "local"
    keep: bool = False


@dataclass
class Kept:
    """An environment left up by --keep: how to reach it."""

    profile: str
    env_id: str
    exports: dict[str, str] = field(default_factory=dict)


@dataclass
class RunOutcome:
    """The result, the redactor that saw every secret, and what --keep left running."""

    result: RunResult
    redactor: Redactor
    kept: list[Kept] = field(default_factory=list)


def run(project: Project, options: RunOptions, progress: RunProgress | None = None,
        say: Callable[[str], None] = lambda _m: None) -> RunOutcome:
    """Run both profiles and compare them. Profile and secret errors surface before anything starts."""
    loaded = {name: project.profile(name) for name in (options.baseline, options.target)}
    client, values, redactor, images = _prepare(project, loaded, say)

    runs: dict[str, ProfileRun] = {}
    contexts: dict[str, StepContext] = {}
    errors: dict[str, BaseException] = {}
    board = progress
    cancel = threading.Event()

    def work(name: str) -> None:
        try:
            runs[name] = _run_profile(client, loaded[name], project.root, images[name], values[name],
                                      redactor, board, contexts, options.keep, cancel=cancel)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors[name] = exc

    started = time.monotonic()
    threads = [threading.Thread(target=work, args=(name,), daemon=True, name=f"parity-{name}") for name in loaded]
    try:
        for thread in threads:
            thread.start()
        # Short joins keep Ctrl-C / SIGTERM deliverable; a fatal error on one side (a command
        # that does not exist) stops the other side at once instead of letting it finish.
        while any(thread.is_alive() for thread in threads) and not _fatal(errors):
            for thread in threads:
                thread.join(timeout=0.1)
    except BaseException:
        _cancel(cancel, contexts, threads)
        raise
    fatal = _fatal(errors)
    if fatal is not None:
        _cancel(cancel, contexts, threads)
        raise fatal
    for name, exc in errors.items():
        runs[name] = ProfileRun(name=name, steps={"database": StepResult(
            status="error", summary="parity could not run this profile", detail=redactor.text(repr(exc)))})
    base, target = runs[options.baseline], runs[options.target]
    divergences, failures = compare(base, target, loaded[options.baseline].profile, loaded[options.target].profile)
    errored = any(s.status == "error" and n == "database" for r in runs.values() for n, s in r.steps.items())
    verdict: Verdict = "error" if errored and not divergences else "divergent" if divergences or failures else "parity"
    result = RunResult(verdict=verdict, baseline=options.baseline, target=options.target,
                       profiles={options.baseline: base, options.target: target},
                       divergences=divergences, failures=failures, duration_s=round(time.monotonic() - started, 3))
    kept = [_kept(ctx) for ctx in contexts.values() if ctx.env.keep]
    return RunOutcome(result=redactor.result(result), redactor=redactor, kept=kept)


def _prepare(project: Project, loaded: dict[str, LoadedProfile], say: Callable[[str], None]) -> tuple[
        docker.DockerClient, dict[str, dict[str, str]], Redactor, dict[str, AppImage | None]]:
    """Everything before any environment exists: secrets resolved, host commands checked (so profile
    mistakes surface first), the engine reached, dead runs' leftovers reaped, images ready."""
    values = {name: resolve_values(lp.profile.secrets, project.root) for name, lp in loaded.items()}
    for lp in loaded.values():
        check_host_commands(lp, project.root)
    redactor = Redactor([v for per_profile in values.values() for v in per_profile.values()])
    client = docker_client()
    threading.Thread(target=_warm_imports, args=(list(loaded.values()),), daemon=True,
                     name="parity-imports").start()
    removed = reap_orphans(client)
    if removed:
        say(f"removed leftovers of dead runs: {removed.summary()}")
    return client, values, redactor, _prepare_images(client, loaded, project.root, say)


def _fatal(errors: dict[str, BaseException]) -> BaseException | None:
    """The first error that ends the whole run (parity's own errors, interrupts), if any."""
    return next((e for e in errors.values() if isinstance(e, ParityError | KeyboardInterrupt | Cancelled)), None)


def _warm_imports(loaded: list[LoadedProfile]) -> None:
    # Libraries needed only once the engine has work in hand (psycopg for readiness, cryptography
    # for TLS, Alembic and SQLAlchemy's inspector after the databases are up): importing them
    # while the engine creates networks and starts containers takes them off the critical path.
    # Only what these profiles use: a needless import competes with the main thread for the GIL.
    # In the order they are needed: the progress line before the database container is created,
    # its certificates right after, psycopg once it has started.
    profiles = [lp.profile for lp in loaded]
    import rich.console  # noqa: F401
    if any(p.database and p.database.ssl != "off" for p in profiles):
        import cryptography.x509  # noqa: F401
        from cryptography.hazmat.primitives.asymmetric import ec  # noqa: F401
    if any(p.database and p.database.engine == "postgres" for p in profiles):
        import psycopg  # noqa: F401
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
    search = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    for key, command in commands:
        if isinstance(command, str) or not command:
            continue  # a shell string: the shell reports a missing program itself
        program = command[0]
        if shutil.which(program, path=search) is None and not (root / program).is_file():
            raise UsageError(
                f"profile {loaded.name}: {key} runs {program!r}, which is not found on this machine",
                f"install it or fix {key} in {loaded.files[-1].name}",
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


def _prepare_images(client: docker.DockerClient, loaded: dict[str, LoadedProfile], root: Path,
                    say: Callable[[str], None]) -> dict[str, AppImage | None]:
    # Images first and once: both profiles usually share the app image, and concurrent builds
    # of the same context would only race.
    by_spec: dict[str, AppImage] = {}
    images: dict[str, AppImage | None] = {}
    for name, lp in loaded.items():
        db = lp.profile.database
        if db and db.engine == "postgres":
            ensure_image(client, db.image_ref(), say)
        app = lp.profile.app
        if app is None:
            images[name] = None
            continue
        key = app.image or f"{app.build}|{app.dockerfile}"
        if key not in by_spec:
            by_spec[key] = prepare_image(client, app, root, say)
        images[name] = by_spec[key]
    return images


def _run_profile(client: docker.DockerClient, loaded: LoadedProfile, root: Path, image: AppImage | None,
                 values: dict[str, str], redactor: Redactor, board: RunProgress | None,
                 contexts: dict[str, StepContext], keep: bool,
                 steps: list[tuple[str, Callable[[StepContext], StepResult]]] = STEPS,
                 say: Callable[[str], None] | None = None, cancel: threading.Event | None = None) -> ProfileRun:
    name = loaded.name

    def note(message: str) -> None:
        if board:
            board.note(name, redactor.text(message))
        elif say:
            say(redactor.text(message))

    env = Environment(client, loaded, root, mode="up" if keep else "run", progress=note, cancel=cancel)
    ctx = StepContext(client=client, env=env, project_root=root, image=image, secrets=values,
                      redactor=redactor, progress=note)
    contexts[name] = ctx
    run = ProfileRun(name=name, description=loaded.profile.description or "")
    started = time.monotonic()
    with env:
        env.create_network()
        for step, action in steps:
            if board:
                board.step(name, step, "running")
            if step == "migrations":
                _deliver_secrets(ctx)
            result = _guarded(action, ctx)
            run.steps[step] = result
            if board:
                board.step(name, step, result.status, redactor.text(result.summary))
            elif say and result.status != "skipped":
                say(f"{step}: {result.status} — {redactor.text(result.summary)}")
            if step == "database" and result.status == "error":
                break
        env.keep = keep and run.steps.get("database", StepResult(status="ok")).status != "error"
    run.duration_s = round(time.monotonic() - started, 3)
    return run


UP_STEPS = [step for step in STEPS if step[0] in ("database", "migrations", "startup")]


def start_environment(project: Project, name: str, say: Callable[[str], None]) -> tuple[ProfileRun, Kept]:
    """`parity up`: database, migrations and app of one profile, left running for a developer."""
    loaded = project.profile(name)
    client, values, redactor, images = _prepare(project, {name: loaded}, say)
    contexts: dict[str, StepContext] = {}
    run = _run_profile(client, loaded, project.root, images[name], values[name], redactor, None, contexts,
                       keep=True, steps=UP_STEPS, say=say)
    database = run.steps.get("database")
    if database is not None and database.status == "error":
        raise EnvError(f"{name}: the database did not start: {database.detail}",
                       "see the log lines above; `parity doctor` checks the engine and images")
    return run, _kept(contexts[name])


def _deliver_secrets(ctx: StepContext) -> None:
    """Secrets plus DATABASE_URL (and DB_CA_CERT) through the profile's secrets.source."""
    values = dict(ctx.secrets)
    db = ctx.env.database
    if db is not None:
        values["DATABASE_URL"] = db.url_network
        if db.ca_cert:
            values["DB_CA_CERT"] = db.ca_cert
    workdir = ctx.image.workdir if ctx.image else "/"
    ctx.delivery = deliver(ctx.profile.secrets, values, workdir, ctx.env.state_dir)
    if db is not None and db.sqlite_path is not None:
        ctx.delivery.mounts[str(db.sqlite_path.parent)] = (SQLITE_MOUNT, False)


def _guarded(action: Callable[[StepContext], StepResult], ctx: StepContext) -> StepResult:
    """A step's failure is a result; only parity's own errors and interrupts stop the run."""
    started = time.monotonic()
    ctx.env.check_open()
    try:
        result = action(ctx)
    except UsageError:
        raise  # a command that does not exist is the user's to fix, not a result (exit 2)
    except ParityError as exc:
        result = StepResult(status="error", summary=exc.message.splitlines()[0], detail=str(exc))
    except Exception as exc:  # noqa: BLE001 - an unexpected failure in one step must not lose the run
        result = StepResult(status="error", summary=f"parity error: {type(exc).__name__}", detail=str(exc))
    if not result.duration_s:
        result.duration_s = round(time.monotonic() - started, 3)
    result.summary = ctx.redactor.text(result.summary)
    result.detail = ctx.redactor.text(result.detail)
    return result


def _kept(ctx: StepContext) -> Kept:
    """How a developer reaches an environment left running."""
    exports: dict[str, str] = {}
    db = ctx.env.database
    if db is not None:
        exports["DATABASE_URL"] = db.url_host
        if db.ca_cert_path:
            exports["PGSSLROOTCERT"] = str(db.ca_cert_path)
    if ctx.app_url:
        exports["APP_URL"] = ctx.app_url
    return Kept(ctx.env.loaded.name, ctx.env.env_id, exports)
