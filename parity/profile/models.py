"""The profile format (SPEC.md) as pydantic models: every key, its type, its default."""

from __future__ import annotations

import re
import string
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from parity.profile import contrib
from parity.profile.units import parse_duration, parse_rate, parse_size

Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*(ms|s|m|h)?\s*$"},
                {"type": "number", "minimum": 0},
            ],
            "description": "a duration: 500ms, 30s, 5m (a bare number is seconds)",
        }
    ),
]
Rate = Annotated[
    float,
    BeforeValidator(parse_rate),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*(/\s*(s|sec|second|m|min|minute))?\s*$"},
                {"type": "number", "exclusiveMinimum": 0},
            ],
            "description": "a rate: 50/s, 300/m (a bare number is per second)",
        }
    ),
]
Size = Annotated[
    int,
    BeforeValidator(parse_size),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*[kKmMgGtT]?([iI]?[bB]?)\s*$"},
                {"type": "integer", "minimum": 1},
            ],
            "description": "a size: 512m, 1g, 256MiB (a bare number is bytes)",
        }
    ),
]


def _scalar_to_str(value: object) -> object:
    # YAML reads `version: 14` as an int and `user: 10001` as an int; both mean the text.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _ssl_mode(value: object) -> object:
    # YAML 1.1 reads a bare `off` as false; users mean the mode "off".
    if value is False:
        return "off"
    if value is True:
        raise ValueError("ssl takes off, optional or required (not a boolean)")
    return value


def _env_map(value: object) -> object:
    if isinstance(value, dict):
        return {k: ("" if v is None else _scalar_to_str(v)) for k, v in value.items()}
    return value


# The placeholders a database.url or database.env template may use.
DATABASE_FIELDS = ("host", "port", "user", "password", "name", "url", "path")


def _database_templates(value: object) -> object:
    """database.env: every template may use only the database's fields (a typo is a profile error)."""
    if not isinstance(value, dict):
        return value
    for variable, template in value.items():
        for field in _template_fields(str(template)):
            if field not in DATABASE_FIELDS:
                raise ValueError(f"{variable}: unknown placeholder {{{field}}} "
                                 f"(use {', '.join('{' + f + '}' for f in DATABASE_FIELDS[:-1])})")
    return value


def _template_fields(template: str) -> list[str]:
    try:
        return [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]
    except ValueError as exc:
        raise ValueError(f"{template!r} is not a valid template: {exc}") from None


EnvMap = Annotated[
    dict[str, str],
    BeforeValidator(_env_map),
    WithJsonSchema({"type": "object", "additionalProperties": {"type": ["string", "number", "boolean", "null"]}}),
]


ScalarText = Annotated[
    str, BeforeValidator(_scalar_to_str), WithJsonSchema({"type": ["string", "number"]})
]
Command = Annotated[list[str] | str, BeforeValidator(lambda v: v if not isinstance(v, list) else [_scalar_to_str(x) for x in v])]


class Strict(BaseModel):
    """Base for every section: unknown keys are errors (a typo must not silently do nothing)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


ICU_SINCE = 15  # the first major whose initdb takes --locale-provider=icu
_LOCALE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,62}")  # C, C.UTF-8, en_US.UTF-8, sr_RS@latin
_ICU_LOCALE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_@=;.-]{0,62}")  # und, und-x-icu, de-DE-u-co-phonebk


def _locale_name(value: str) -> str:
    if not _LOCALE.fullmatch(value):
        raise ValueError(f"{value!r} is not a locale name (e.g. C, C.UTF-8, en_US.UTF-8)")
    return value


def _icu_locale_name(value: str) -> str:
    if not _ICU_LOCALE.fullmatch(value):
        raise ValueError(f"{value!r} is not an ICU locale (e.g. und, und-x-icu, en-US, de-DE-u-co-phonebk)")
    return value


# The PgBouncer image a pooler runs unless the profile names another (offline: parity.engine.offline).
POOLER_IMAGE = "edoburu/pgbouncer:v1.24.1-p1"
# The first PgBouncer release with protocol-level prepared statements (max_prepared_statements).
PREPARED_STATEMENTS_SINCE = (1, 21)


def pgbouncer_version(image: str) -> tuple[int, int] | None:
    """The PgBouncer release an image's tag names (edoburu's v1.24.1-p1, bitnami's 1.20.1), if any."""
    tag = image.rpartition(":")[2] if ":" in image.rpartition("/")[2] else ""
    match = re.match(r"v?(\d+)\.(\d+)", tag)
    return (int(match.group(1)), int(match.group(2))) if match else None


class PoolerSpec(Strict):
    """A connection pooler between the app and Postgres, as production runs one (PgBouncer)."""

    kind: Literal["pgbouncer"] = "pgbouncer"
    mode: Literal["session", "transaction", "statement"] = "transaction"
    # None: the PgBouncer release's own default (200 from 1.22 on); 0 turns the support off.
    max_prepared_statements: Annotated[int, Field(ge=0, le=100_000)] | None = None
    pool_size: Annotated[int, Field(ge=1, le=10_000)] = 20
    migrations: Literal["direct", "pooler"] = "direct"
    image: str = POOLER_IMAGE

    @model_validator(mode="after")
    def _prepared_statements_supported(self) -> PoolerSpec:
        version = pgbouncer_version(self.image)
        if self.max_prepared_statements is not None and version is not None and version < PREPARED_STATEMENTS_SINCE:
            raise ValueError(
                f"max_prepared_statements needs PgBouncer 1.21 or later, and {self.image} is "
                f"{version[0]}.{version[1]}: drop max_prepared_statements, or use a newer image "
                f"(the default is {POOLER_IMAGE})")
        return self


class RolesSpec(Strict):
    """The roles the server's clients connect as: production often migrates as the owner and
    serves as a DML-only role."""

    migrations: Literal["owner", "superuser"] = "owner"  # migrations, data.seed, data.restore
    app: Literal["owner", "dml"] = "owner"  # the app, smoke, and whatever gets the app's URL
    default_privileges: bool = False  # ALTER DEFAULT PRIVILEGES: dml gets every new table


class FailoverSpec(Strict):
    """The server goes away mid-step and comes back with its data at the same address."""

    at: Literal["migrations", "startup", "smoke", "traffic"]
    after: Duration = 2.0  # into that step
    downtime: Duration = 10.0  # open connections are cut at its start; new ones fail this long


class DatabaseSpec(Strict):
    """The database a profile asks for."""

    engine: Literal["postgres", "sqlite"] = "postgres"
    version: ScalarText = "15"
    image: str | None = None
    ssl: Annotated[
        Literal["off", "optional", "required"],
        BeforeValidator(_ssl_mode),
        WithJsonSchema({"enum": ["off", "optional", "required", False]}),
    ] = "off"
    superuser: bool = True
    memory: Size | None = None
    max_connections: Annotated[int, Field(ge=1, le=10000)] | None = None
    settings: dict[str, ScalarText | bool] = Field(default_factory=dict)
    # initdb's --locale (LC_COLLATE, LC_CTYPE...); None: what the image gives (official: en_US.utf8).
    locale: Annotated[str, AfterValidator(_locale_name)] | None = None
    # initdb's --icu-locale with the ICU provider (Postgres 15+): the default collation.
    icu_locale: Annotated[str, AfterValidator(_icu_locale_name)] | None = None
    name: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")] = "app"
    url: str | None = None
    # Variables for apps that do not read DATABASE_URL (PGHOST, DB_PASSWORD, ...), templated like url.
    env: Annotated[EnvMap, AfterValidator(_database_templates)] = Field(default_factory=dict)
    pooler: PoolerSpec | None = None
    # What a provider gives on top of plain Postgres (a preset of the keys here; a key set wins).
    provider: Literal["vanilla", "rds", "cloudsql", "azure", "supabase", "neon"] | None = None
    instance: ScalarText | None = None  # the provider's instance class: memory and max_connections
    # The allow-list: CREATE EXTENSION of anything else is refused in the server; None: no list.
    extensions: list[Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_-]{0,62}$")]] | None = None
    roles: RolesSpec | None = None
    failover: FailoverSpec | None = None

    @model_validator(mode="after")
    def _pooler_on_postgres(self) -> DatabaseSpec:
        if self.pooler is not None and self.engine != "postgres":
            raise ValueError("pooler stands in front of a Postgres server: remove pooler, or use "
                             "engine: postgres")
        if self.provider is not None and self.engine != "postgres":
            raise ValueError(f"provider {self.provider} runs Postgres servers: remove provider, or use "
                             "engine: postgres")
        if self.failover is not None and self.engine != "postgres":
            raise ValueError("failover stops and starts a Postgres server: remove failover, or use engine: postgres")
        return self

    @field_validator("icu_locale")
    @classmethod
    def _icu_needs_15(cls, value: str | None, info: ValidationInfo) -> str | None:
        # With an explicit image the major is the image's; initdb itself then says if it is too old.
        version = str(info.data.get("version") or "")
        if value and not info.data.get("image") and version.isdigit() and int(version) < ICU_SINCE:
            raise ValueError(f"icu_locale needs Postgres {ICU_SINCE} or later (initdb has no ICU default "
                             f"collation before {ICU_SINCE}); database.version is {version}: "
                             f"set version to {ICU_SINCE}+ or use locale instead")
        return value

    @field_validator("extensions")
    @classmethod
    def _shipped_for_the_major(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        # What the image really has is checked once it runs (env.extensions); this catches, before
        # anything starts, a name Postgres of that major never ships.
        major = contrib.major_of(str(info.data.get("version") or ""), info.data.get("image"))
        wrong = contrib.unshipped(value, major) if value is not None and major is not None else None
        if wrong:
            raise ValueError(wrong)
        return value

    def image_ref(self) -> str:
        """The image to run: `image` if given, else the official postgres:<major>."""
        return self.image or f"postgres:{self.version}"

    @property
    def postgres(self) -> bool:
        """A Postgres server (a container), not a SQLite file."""
        return self.engine == "postgres"

    @property
    def tls(self) -> bool:
        """Whether the server speaks TLS (ssl optional or required)."""
        return self.engine == "postgres" and self.ssl != "off"

    @property
    def sslmode(self) -> str:
        """libpq's sslmode for a client that knows no CA: what `ssl` lets it use."""
        return {"off": "disable", "optional": "prefer"}.get(self.ssl, "require")

    def url_template(self) -> str:
        """The DATABASE_URL template, with the engine's default."""
        if self.url:
            return self.url
        if self.engine == "sqlite":
            return "sqlite:///{path}"
        return "postgresql://{user}:{password}@{host}:{port}/{name}"


class StartupProbe(Strict):
    """A Kubernetes startupProbe: one of http / tcp / exec, and its timing."""

    http: str | None = None
    tcp: bool | None = None
    exec: list[ScalarText] | None = None
    # The port http/tcp probes go to, when not the app's (a management port); None: app.port.
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    initial_delay: Duration = 0.0
    period: Duration = 10.0
    timeout: Duration = 1.0
    failure_threshold: Annotated[int, Field(ge=1)] = 3

    @model_validator(mode="after")
    def _one_kind(self) -> StartupProbe:
        kinds = [k for k in ("http", "tcp", "exec") if getattr(self, k)]
        if len(kinds) > 1:
            raise ValueError(f"a startup_probe has one kind; got {', '.join(kinds)}")
        if not kinds:
            raise ValueError("a startup_probe needs one of http: /path, tcp: true, exec: [cmd]")
        if self.port is not None and self.exec:
            raise ValueError("port is where an http or tcp probe goes; an exec probe runs in the container")
        return self

    @property
    def budget(self) -> float:
        """Seconds the kubelet would wait before killing the container."""
        return self.initial_delay + self.period * self.failure_threshold

    @property
    def kind(self) -> str:
        """'http', 'tcp' or 'exec'."""
        return "http" if self.http else "tcp" if self.tcp else "exec"


class ShutdownRequest(Strict):
    """A request to have in flight when the app is told to stop (a slow one: an export, an upload)."""

    method: str = "GET"
    path: str = "/"
    expect_status: Annotated[int, Field(ge=100, le=599)] = 200


class ShutdownSpec(Strict):
    """How production stops the app: the stop signal, then SIGKILL after the grace period (the
    kubelet's terminationGracePeriodSeconds, 30s by default), with a request in flight."""

    termination_grace_period: Duration = 30.0
    # Without a request, the smoke.http checks run in a loop while the app stops.
    request: ShutdownRequest | None = None


class AppSpec(Strict):
    """The application container and the production constraints it runs under."""

    build: str | None = None
    image: str | None = None
    dockerfile: str = "Dockerfile"
    command: Command | None = None
    port: Annotated[int, Field(ge=1, le=65535)] = 8000
    memory: Size | None = None
    cpus: Annotated[float, Field(gt=0)] | None = None
    read_only: bool = False
    tmpfs: list[str] = Field(default_factory=list)
    user: ScalarText | None = None
    env: EnvMap = Field(default_factory=dict)
    startup_probe: StartupProbe | None = None
    # N containers behind a load balancer (APP_URL is the balancer); unset: one container, no balancer.
    replicas: Annotated[int, Field(ge=1, le=16)] | None = None
    # Client-IP affinity (a Service's sessionAffinity: ClientIP) instead of round robin.
    sticky: bool = False
    # Replace the replicas one at a time while the smoke.http checks run in a loop.
    rollout: bool = False
    shutdown: ShutdownSpec | None = None

    @property
    def balanced(self) -> bool:
        """Whether a load balancer stands in front of the app (app.replicas given, even 1)."""
        return self.replicas is not None

    @model_validator(mode="after")
    def _build_or_image(self) -> AppSpec:
        if bool(self.build) == bool(self.image):
            raise ValueError("app needs exactly one of build: <dir> or image: <name:tag>")
        if self.sticky and self.replicas is None:
            raise ValueError("sticky: true needs replicas (stickiness is the load balancer's, in front of replicas)")
        if self.rollout and (self.replicas or 0) < 2:
            raise ValueError("rollout: true needs replicas: 2 or more (a rolling update replaces them one at a time)")
        return self


class SecretValue(Strict):
    """Where parity takes one secret's value from, on the machine it runs on."""

    env: str | None = None
    file: str | None = None
    value: ScalarText | None = None
    # How this secret reaches the app when not the way secrets.source says (real pods mix
    # secretKeyRef variables and secret volumes); None: secrets.source.
    deliver: Literal["env", "files"] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> SecretValue:
        given = [k for k in ("env", "file", "value") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a secret takes exactly one of {env: NAME}, {file: path}, {value: text}")
        return self


class SecretsSpec(Strict):
    """How secrets reach the app: environment, one file each, or a .env file."""

    source: Literal["env", "files", "dotenv"] = "env"
    path: str | None = None
    values: dict[str, SecretValue] = Field(default_factory=dict)

    def resolved_path(self) -> str:
        """The mount point (files) or file name (dotenv), with the defaults."""
        if self.path:
            return self.path
        return "/run/secrets" if self.source == "files" else ".env"

    def files_path(self) -> str:
        """Where secrets delivered as files are mounted: `path`, unless it names the .env file."""
        return self.path if self.path and self.source != "dotenv" else "/run/secrets"

    def delivered(self, name: str) -> str:
        """How one secret reaches the app: its own `deliver`, else `source` (DATABASE_URL: `source`)."""
        value = self.values.get(name)
        return value.deliver if value is not None and value.deliver else self.source


class MigrationsSpec(Strict):
    """The migrations command and where it runs, and what a deploy may cost."""

    command: Command
    run_in: Literal["app", "host"] = "app"
    timeout: Duration = 300.0
    # The longest one revision may block the traffic (without traffic: hold a lock that blocks
    # writes), and the longest the migrations under test may take. Crossing one is a divergence.
    lock_budget: Duration | None = None
    budget: Duration | None = None
    # After head: downgrade revision by revision to where the run started, upgrade again.
    rollback: bool = False


class DataSpec(Strict):
    """Production-sized data in the database before the migrations under test."""

    at: ScalarText | None = None  # the revision production is at: migrate to it, fill, then the rest
    rows: dict[str, Annotated[int, Field(ge=1, le=1_000_000_000)]] = Field(default_factory=dict)
    seed: Command | None = None  # the app's own factory: a command on this machine
    restore: str | None = None  # a pg_dump file (plain or custom format), relative to the project
    timeout: Duration = 900.0
    # Rehearse at sample sizes and fit how each revision's costs grow, instead of filling `rows`
    # (also chosen when `rows` would not fit this machine's disk); `samples`: the largest table's
    # rows at each size (the others scaled alike), three or more, below production's.
    extrapolate: bool = False
    samples: list[Annotated[int, Field(ge=1)]] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> DataSpec:
        given = [k for k in ("rows", "seed", "restore") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("data takes one of rows: {TABLE: N}, seed: COMMAND, restore: FILE"
                             + (f"; got {', '.join(given)}" if given else ""))
        if self.rows and self.at is None:
            raise ValueError("data.rows fills tables the migrations create: name the revision to "
                             "fill at with data.at")
        if (self.extrapolate or self.samples is not None) and not self.rows:
            raise ValueError("data.extrapolate and data.samples scale data.rows: a seed or a dump "
                             "cannot be sampled")
        if self.samples is not None:
            largest = max(self.rows.values())
            if len(set(self.samples)) < 3 or sorted(set(self.samples)) != self.samples:
                raise ValueError("data.samples takes three or more sizes in increasing order "
                                 "(two to fit, one to judge the fit), e.g. [50000, 100000, 200000]")
            if self.samples[-1] >= largest:
                raise ValueError(f"data.samples must stay below production's size ({largest:,} rows "
                                 "in the largest table of data.rows)")
        return self

    def sample_rows(self, size: int) -> dict[str, int]:
        """`rows` scaled so the largest table has `size` rows (every table at least one)."""
        largest = max(self.rows.values())
        return {table: max(1, round(n * size / largest)) for table, n in self.rows.items()}


class TrafficSpec(Strict):
    """Load on the database while the migrations under test run (from this machine, bounded)."""

    rate: Annotated[Rate, Field(le=2000)] = 20.0
    sql: list[str] = Field(default_factory=list)
    http: bool = False
    hold: list[str] = Field(default_factory=list)  # tables held in ACCESS SHARE, as pg_dump does
    hold_for: Duration = 10.0  # from the start of the migrations under test
    connections: Annotated[int, Field(ge=1, le=32)] = 4

    @model_validator(mode="after")
    def _something(self) -> TrafficSpec:
        if self.http:
            raise ValueError("traffic.http is not supported yet (the app starts after the migrations); "
                             "use traffic.sql")
        if not self.sql and not self.hold:
            raise ValueError("traffic needs sql: [STATEMENT, ...] and/or hold: [TABLE, ...]")
        return self


class HttpCheck(Strict):
    """A declarative request against the running app."""

    name: str
    method: str = "GET"
    path: str = "/"
    expect_status: Annotated[int, Field(ge=100, le=599)] = 200
    timeout: Duration = 10.0


class SmokeSpec(Strict):
    """Smoke tests: a command on this machine and/or declarative HTTP checks."""

    command: Command | None = None
    http: list[HttpCheck] = Field(default_factory=list)
    timeout: Duration = 300.0
    # JUnit XML the command writes (a file or glob, relative to the project): per-test results
    # for any runner (jest-junit, go-junit-report, rspec_junit_formatter, mocha, ...).
    junit: str | None = None


class HostSpec(Strict):
    """How commands run on this machine (migrations run_in host, smoke): the app's own environment."""

    # A virtualenv (relative to the project) whose bin/ goes first on PATH; without it, the
    # caller's PATH exactly as given.
    venv: str | None = None
    # Plain variables for host commands only (an app that runs only here has no app.env to hold
    # them); over app.env, under the secrets and the database's variables.
    env: EnvMap = Field(default_factory=dict)


class Profile(Strict):
    """One environment, described declaratively (profiles/<name>.yaml)."""

    description: str | None = None
    extends: str | None = None
    host: HostSpec | None = None
    database: DatabaseSpec | None = None
    app: AppSpec | None = None
    secrets: SecretsSpec | None = None
    migrations: MigrationsSpec | None = None
    smoke: SmokeSpec | None = None
    data: DataSpec | None = None
    traffic: TrafficSpec | None = None

    @model_validator(mode="after")
    def _failover_in_a_step_it_runs(self) -> Profile:
        failover = self.database.failover if self.database else None
        if failover is not None:
            problem = failover_problem(failover, self)
            if problem:
                raise ValueError(problem)
        return self

    @property
    def postgres(self) -> bool:
        """Whether the profile's database is a Postgres server (not none, not a SQLite file)."""
        return self.database is not None and self.database.postgres

    def rehearses(self) -> bool:
        """Whether it asks for a rehearsal of its migrations (see parity.migrate.rehearsal): data,
        traffic or a budget."""
        migrations = self.migrations
        budgets = migrations is not None and (migrations.lock_budget is not None or migrations.budget is not None)
        return self.data is not None or self.traffic is not None or budgets

    def asks(self, key: str) -> bool:
        """Whether the profile sets `key` (dotted: "app.rollout") to something: a step that runs
        only when asked (parity.results.STEPS) is asked for by its key."""
        value: object = self
        for part in key.split("."):
            value = getattr(value, part, None)
            if value is None:
                return False
        return bool(value)


# The steps a failover can happen in today (FailoverSpec.at names `traffic` too, not wired yet).
FAILOVER_STEPS = ("migrations", "startup", "smoke")


def failover_problem(failover: FailoverSpec, profile: Profile) -> str:
    """Why database.failover cannot happen as written in this profile ('' when it can): a step
    parity does not fail over in yet, a step the profile does not run, a downtime longer than
    the step may take."""
    at = failover.at
    if at not in FAILOVER_STEPS:
        return (f"database.failover.at: {at} is not supported yet (a failover happens in the "
                f"{', '.join(FAILOVER_STEPS)} step): use at: migrations to fail over while the traffic runs")
    runs = {"migrations": profile.migrations is not None, "startup": profile.app is not None,
            "smoke": profile.smoke is not None and (profile.smoke.command is not None or bool(profile.smoke.http))}
    if not runs[at]:
        needs = {"migrations": "a migrations section", "startup": "an app section",
                 "smoke": "smoke.http checks (or smoke.command)"}[at]
        return f"database.failover.at: {at}, but the profile does not run that step: add {needs}, or fail over in another step"
    limit = _step_limit(at, profile)
    if limit is not None and failover.after + failover.downtime > limit[1]:
        return (f"database.failover: after {failover.after:g}s + downtime {failover.downtime:g}s is longer "
                f"than {limit[0]} ({limit[1]:g}s): shorten the downtime or raise {limit[0]}")
    return ""


def _step_limit(at: str, profile: Profile) -> tuple[str, float] | None:
    """The key that bounds a step's time, and its value (None: nothing bounds it)."""
    if at == "smoke" and profile.smoke is not None:
        return "smoke.timeout", profile.smoke.timeout
    if at == "migrations" and profile.migrations is not None:
        return "migrations.timeout", profile.migrations.timeout
    if at == "startup" and profile.app is not None and profile.app.startup_probe is not None:
        return "the startup probe's budget", profile.app.startup_probe.budget
    return None


def profile_json_schema() -> dict[str, Any]:
    """The JSON Schema of a profile file, for editors and CI linting."""
    schema = Profile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "parity profile"
    return schema
