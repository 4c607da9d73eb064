"""What a run does in an environment: one module per step (parity.steps.NAME's run_NAME, in the
order of parity.results.STEPS), each returning a StepResult, and the context they all get.

No step imports another: what two steps share lives below them (env/, migrate/, data/)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import docker

from parity.env.environment import Environment
from parity.env.host import Finished, HostCommand, Line, user_environment
from parity.env.roles import Client
from parity.env.secrets import Delivery
from parity.errors import UsageError
from parity.profile.models import Profile
from parity.redact import Redactor
from parity.results import STEP_NAMES, StepResult

# The app's modules load when a step starts an app (`up` of a database skips them); the migrations
# tooling when a step asks for a plan or a job (off the path to the first engine call).
if TYPE_CHECKING:
    from parity.env.app import AppImage
    from parity.env.running_app import App
    from parity.migrate.job import Job
    from parity.migrate.plan import Plan


Runner = Callable[["StepContext"], StepResult]
# Who each step's commands connect as (parity.env.roles): its result's `role` fact names the role.
STEP_CLIENTS: dict[str, Client] = {"data": "migrations", "migrations": "migrations", "startup": "app",
                                   "smoke": "app", "rollout": "app", "shutdown": "app"}


def runner(name: str) -> Runner:
    """The step `name` (parity.steps.NAME's run_NAME), its module imported when it first runs: `up`
    reaches the engine without loading the steps it runs later, which the background warm-up
    imports while the database starts."""
    if name not in STEP_NAMES:
        raise KeyError(name)

    def action(ctx: StepContext) -> StepResult:
        run_step: Runner = getattr(importlib.import_module(f"parity.steps.{name}"), f"run_{name}")
        return run_step(ctx)
    action.__name__ = f"run_{name}"
    return action


class PlanOnce:
    """A profile's migrations plan, worked out the first time something asks and then kept: the
    check before the run (data.at), the data fingerprint, the data step and the migrations step
    read one plan. Not sooner: reading Alembic's scripts imports Alembic, which the background
    warm-up loads while the database starts."""

    def __init__(self, profile: Profile, root: Path) -> None:
        self.profile, self.root = profile, root
        self._plan: Plan | None = None

    def __call__(self) -> Plan:
        """The plan (plan_for), worked out on the first call."""
        if self._plan is None:
            from parity.migrate.plan import plan_for

            self._plan = plan_for(self.profile, self.root)
        return self._plan


@dataclass
class StepContext:
    """One profile's run in progress; steps read it and record what they started."""

    client: docker.DockerClient
    env: Environment
    project_root: Path
    image: AppImage | None
    secrets: dict[str, str]
    redactor: Redactor
    progress: Callable[[str], None]
    planned: PlanOnce  # this profile's migrations plan, shared with the check before the run
    delivery: Delivery = field(default_factory=Delivery)
    # A release job's secrets when its DATABASE_URL differs from the app's (a pooler it bypasses).
    migrations_delivery: Delivery | None = None
    app: App | None = None  # the app, once the startup step has made it (no URL if it never started)
    rehearse: bool = False  # measure the migrations (this profile or the other one asks for it)
    # An experiment's smoke suite stops once these tests (JUnit ids) have reported: the ones whose
    # divergence it settles. Empty: the whole suite runs.
    smoke_until: frozenset[str] = frozenset()
    # Read the schema the migrations left: an experiment that settles no schema (or migrations)
    # divergence does without it.
    read_schema: bool = True

    @property
    def profile(self) -> Profile:
        """The profile being run."""
        return self.env.profile

    @property
    def plan(self) -> Plan:
        """How the profile's migrations run: the data step (its cache key, data.at) and the
        migrations step read the plan the check before the run read (see PlanOnce)."""
        return self.planned()

    def host_environment(self, client: Client = "app") -> dict[str, str]:
        """What a command on this machine gets: the caller's environment (host.venv first on PATH),
        app.env, host.env, the secrets' values, the database as seen from here by this client (smoke: the
        app's, through a pooler; migrations and data.seed: direct unless they go through it), and
        APP_URL once the app runs."""
        return user_environment(self.profile.host, self.project_root) | self.provided_environment(client)

    def provided_environment(self, client: Client = "app") -> dict[str, str]:
        """What parity adds to a command on this machine (host_environment without the caller's own):
        app.env, host.env, the secrets' values, the database as this client sees it from here, APP_URL."""
        profile = self.profile
        env: dict[str, str] = dict(profile.app.env) if profile.app else {}
        if profile.host:
            env.update(profile.host.env)
        env.update(self.secrets)
        db = self.env.database
        if db is not None:
            env["DATABASE_URL"] = db.url("host", client)
            if db.ca_cert_path:
                env["PGSSLROOTCERT"] = str(db.ca_cert_path)
                env["DB_CA_CERT"] = db.ca_cert or ""
            if profile.database:
                env.update(db.variables(profile.database.env, "host", client))
        if self.app is not None and self.app.url:
            env["APP_URL"] = self.app.url
        return env

    def delivery_for(self, client: Client) -> Delivery:
        """How this client's container gets its secrets (and DATABASE_URL)."""
        return self.migrations_delivery if client == "migrations" and self.migrations_delivery else self.delivery

    def container_environment(self, client: Client = "app") -> dict[str, str]:
        """The environment of the app's containers (the app; a release job, client "migrations"): the
        secrets delivered as variables, app.env, and database.env as seen on the environment's network."""
        env = dict(self.delivery_for(client).environment)
        if self.profile.app:
            env.update(self.profile.app.env)
        db = self.env.database
        if db is not None and self.profile.database:
            env.update(db.variables(self.profile.database.env, "network", client))
        return env

    def record_role(self, step: str, result: StepResult) -> None:
        """Name, in the result's facts, the database role the step's commands connected as (rows
        parity generates itself go in as the superuser)."""
        db, client = self.env.database, STEP_CLIENTS.get(step)
        if db is None or db.engine != "postgres" or client is None or result.status == "skipped":
            return
        data = self.profile.data
        generated = step == "data" and data is not None and bool(data.rows) and not data.at
        result.facts.setdefault("role", db.admin_user if generated else db.login(client).user)

    def say(self, message: str) -> None:
        """Progress, redacted."""
        self.progress(self.redactor.text(message))

    def migrations_job(self) -> Job:
        """What the migration tooling works with: this database, the migrations command run where
        the profile runs it, redaction and progress."""
        from parity.migrate.job import Job

        assert self.env.database is not None
        return Job(database=self.env.database, run=self.run_migrations_command, redactor=self.redactor,
                   say=self.say, stopped=self.env.closed)

    def run_migrations_command(self, argv: list[str], timeout: float,
                               on_line: Callable[[Line], None] | None = None) -> Finished | StepResult:
        """Run a migrations command where the profile says (a release job or this machine); a
        StepResult when it cannot run at all. `on_line` hears each line of output as it comes."""
        spec = self.profile.migrations
        assert spec is not None
        if spec.run_in == "app":
            if self.image is None:
                return StepResult(status="error", summary="migrations run_in: app, but the profile has no app",
                                  detail="set migrations.run_in: host, or add an app section")
            return self._release_job(argv, timeout, on_line)
        output = HostCommand(argv, self.project_root, self.host_environment("migrations"), timeout).run(
            self.env, on_line)
        if output.not_found:
            message = f"migrations command not found on this machine: {output.not_found}"
            return StepResult(status="error", summary=message, detail=message)
        return output

    def _release_job(self, command: list[str], timeout: float, on_line: Callable[[Line], None] | None) -> Finished:
        """A one-off container from the app image on the environment's network, like a release job;
        stderr sent into stdout by a shell, so an error stays in order with what came before it."""
        from parity.env.app import container_options
        from parity.env.job import ContainerJob, ProgramMissing

        assert self.image is not None and self.profile.app is not None
        options = container_options(self.profile.app, environment=self.container_environment("migrations"),
                                    mounts=self.delivery_for("migrations").mounts, labels={})
        for key in ("labels", "command", "nano_cpus"):
            options.pop(key, None)
        wrapped = command[0] != "sh"  # a shell already: the user's string, or the per-revision form
        argv = ["sh", "-c", 'exec 2>&1; exec "$@"', "parity-migrations", *command] if wrapped else command
        try:
            output = ContainerJob(self.image.ref, argv, "migrations", timeout, options).run(
                self.env.placement, on_line)
        except ProgramMissing:
            if not wrapped:
                raise self._not_in_image(repr(command[0])) from None
            try:  # an image without a shell (distroless)
                output = ContainerJob(self.image.ref, command, "migrations", timeout, options).run(
                    self.env.placement, on_line)
            except ProgramMissing:
                raise self._not_in_image(repr(command[0])) from None
            wrapped = False
        if output.code == 127:
            # The shell (or Alembic's launcher) could not find the program: a profile mistake, exit 2.
            seen = self.redactor.text("\n".join(line.text for line in output.lines[-3:]))
            raise self._not_in_image(repr(command[0]) if wrapped else "", seen)
        return output

    def _not_in_image(self, program: str = "", seen: str = "") -> UsageError:
        """The error for a migrations command the app image does not have (however it was launched)."""
        assert self.image is not None
        named = f" {program}" if program else ""
        return UsageError(
            f"the migrations command{named} is not found in the app image {self.image.ref}"
            + (f":\n{seen}" if seen else ""),
            "fix migrations.command (or install the tool in the image), or use run_in: host",
        )
