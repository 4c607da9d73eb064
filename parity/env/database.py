"""The database of a profile: a real Postgres container shaped like production, or a SQLite file."""

from __future__ import annotations

import io
import socket
import tarfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import quote

import docker
import docker.errors

from parity.engine import clones
from parity.engine.images import declared_volumes, ensure_image, image_present, local_image
from parity.engine.state import exit_state
from parity.env import extensions, locale, pgtemplate
from parity.env.placement import Placement, published_port
from parity.env.roles import ADMIN_ROLE, APP_ROLE, Client, Passwords, init_sql, role_layout
from parity.env.tls import INSTALL_TLS_SH, TLS_DIR, TLS_STAGING, ServerTLS, make_server_tls
from parity.errors import EnvError, ProfileError
from parity.profile import providers
from parity.profile.models import DatabaseSpec

T = TypeVar("T")
Side = Literal["host", "network"]
DB_ALIAS = "db"  # the database's host name on the environment's network
POOLER_ALIAS = "pooler"  # the pooler's (database.pooler), in front of it
# The cluster lives in the container's own filesystem (on disk, removed with the container), not
# on a tmpfs: tmpfs pages are charged to the container's memory cgroup, so data larger than
# database.memory would get the server killed, where production keeps its files on disk. It
# is outside every VOLUME the images declare, so the pre-initialised cluster is used in place.
PGDATA = pgtemplate.TEMPLATE_DIR
READY_TIMEOUT_S = 90.0  # a real connection after the start; beyond it the engine is too loaded


@dataclass(frozen=True)
class PoolerEndpoint:
    """The pooler in front of the server: its container, its port here, and the URLs through it."""

    container_id: str
    host_port: int
    port: int  # on the environment's network
    mode: str
    migrations: bool  # migrations (and data.seed) go through it too


@dataclass(frozen=True)
class Login:
    """Who a client connects as: a role and its password."""

    user: str
    password: str


@dataclass
class Database:
    """A started database: how to reach it from this machine and from the app's network, as the app
    (user, password) and as the migrations (migrations_login, when database.roles makes it another role)."""

    engine: str
    name: str
    user: str
    password: str
    url_template: str  # DATABASE_URL's (database.url), rendered for each side, route and client
    server_version: str = ""
    cluster_locale: locale.ClusterLocale | None = None  # Postgres only, read once it is ready
    ready_s: float = 0.0
    container_id: str | None = None
    host_port: int | None = None
    tls: bool = False  # the server speaks TLS, verified against ca_cert (saved at ca_cert_path)
    ca_cert: str | None = None
    ca_cert_path: Path | None = None
    sqlite_path: Path | None = None
    admin_password: str | None = None
    memory_limit: int | None = None
    redact: list[str] = field(default_factory=list)
    sqlite_network_path: str | None = None
    admin_user: str = ADMIN_ROLE
    # The filled cluster this database was started from (a cache hit), or the one its data
    # should be saved as once filled; None when there is nothing to cache.
    filled_ref: str | None = None
    started_filled: bool = False
    pooler: PoolerEndpoint | None = None
    # The server's certificate and key, for a pooler that speaks TLS with the same names (memory only).
    server_tls: ServerTLS | None = field(default=None, repr=False)
    # What /run gets before each start (TLS files staged), kept to start it again after a
    # database.failover (memory only); empty when nothing is staged or no failover is planned.
    restart_files: dict[str, tuple[str, int]] = field(default_factory=dict, repr=False)

    # Migrations, data.seed and data.restore connect as this role; None: as the app does.
    migrations_login: Login | None = None

    def login(self, client: Client) -> Login:
        """The role (and password) this client connects as."""
        if client == "migrations" and self.migrations_login is not None:
            return self.migrations_login
        return Login(self.user, self.password)

    def pooled(self, client: Client) -> PoolerEndpoint | None:
        """The pooler this client goes through, if any."""
        if self.pooler is None or (client == "migrations" and not self.pooler.migrations):
            return None
        return self.pooler

    def url(self, where: Side, client: Client = "app", *, direct: bool = False) -> str:
        """DATABASE_URL for this client, from this machine ("host") or the container network;
        `direct`: straight to the server even where the client goes through a pooler."""
        return self.fields(where, client, direct=direct)["url"]

    def fields(self, where: Side, client: Client = "app", *, direct: bool = False) -> dict[str, str]:
        """What a database.url / database.env template may use, as seen from this machine
        ("host") or from the environment's container network ("network"), by this client."""
        on_host = where == "host"
        pooler = None if direct else self.pooled(client)
        if self.engine == "sqlite":
            host, port = "", ""
            path = str(self.sqlite_path) if on_host else (self.sqlite_network_path or "")
        elif pooler is not None:
            host, port = ("127.0.0.1", str(pooler.host_port)) if on_host else (POOLER_ALIAS, str(pooler.port))
            path = ""
        else:
            host, port = ("127.0.0.1", str(self.host_port)) if on_host else (DB_ALIAS, "5432")
            path = ""
        login = self.login(client)
        values = {"host": host, "port": port, "user": login.user, "password": login.password, "name": self.name}
        # {path} is SQLite's: a Postgres template naming it is a mistake render_url reports.
        url = render_url(self.url_template, **values, **({"path": path} if self.engine == "sqlite" else {}))
        return values | {"url": url, "path": path}

    def variables(self, templates: dict[str, str], where: Side, client: Client = "app") -> dict[str, str]:
        """database.env rendered for one side and client: values are used as they are (no URL quoting)."""
        values = self.fields(where, client)
        return {name: template.format(**values) for name, template in templates.items()}

    def connect_kwargs(self, client: Client = "app") -> dict[str, object]:
        """psycopg.connect() arguments for this client's role, straight to the server from this machine."""
        login = self.login(client)
        kwargs: dict[str, object] = {
            "host": "127.0.0.1", "port": self.host_port, "user": login.user,
            "password": login.password, "dbname": self.name, "connect_timeout": 3,
        }
        if self.tls:
            kwargs.update(sslmode="verify-ca", sslrootcert=str(self.ca_cert_path))
        return kwargs

    def admin_connect_kwargs(self) -> dict[str, object]:
        """psycopg.connect() arguments for a superuser of the server (the app role where it is one)."""
        return self.connect_kwargs() | {"user": self.admin_user, "password": self.admin_password or self.password}


def render_url(template: str, **values: object) -> str:
    """Fill a DATABASE_URL template; user and password are URL-quoted."""
    quoted = {k: quote(str(v), safe="") if k in ("user", "password") else v for k, v in values.items()}
    try:
        return template.format(**quoted)
    except (KeyError, IndexError, ValueError) as exc:
        raise ProfileError(
            f"database.url template {template!r} cannot be filled: {exc}",
            "use only {user}, {password}, {host}, {port}, {name} (and {path} for sqlite)",
        ) from None


def start_sqlite(spec: DatabaseSpec, state_dir: Path, network_dir: str) -> Database:
    """A SQLite file in the environment's state directory (mounted into containers at network_dir)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    state_dir.chmod(0o777)  # the app may run as any uid; the directory is private to this env
    path = state_dir / f"{spec.name}.db"
    path.touch()
    path.chmod(0o666)
    db = Database(
        engine="sqlite", name=spec.name, user="", password="", url_template=spec.url_template(),
        server_version="sqlite", sqlite_path=path, sqlite_network_path=f"{network_dir}/{path.name}",
    )
    db.url("host")  # a template that cannot be filled is the profile's error, said now
    return db


# What a template is made with: every password is replaced at each start (pgtemplate.ROLES_VAR).
PLACEHOLDERS = Passwords(pgtemplate.PLACEHOLDER, pgtemplate.PLACEHOLDER, pgtemplate.PLACEHOLDER)


@dataclass(frozen=True)
class Cluster:
    """Where the cluster comes from: the image's own initdb (start_from None), a pre-initialised
    template, or a filled cluster (start_from == filled_ref)."""

    start_from: str | None = None
    # The filled cluster of this data (started from, or to save once filled); None: nothing to cache.
    filled_ref: str | None = None
    # This environment's reflink copy of the filled cluster (parity.engine.clones), bind-mounted
    # over the image's: nothing is copied up. None: the image's own cluster.
    clone: str | None = None

    @property
    def filled(self) -> bool:
        """Started from the cached filled cluster."""
        return self.start_from is not None and self.start_from == self.filled_ref


@dataclass(frozen=True)
class PostgresSetup:
    """The Postgres container to make (configure_postgres's answer, create_postgres's input)."""

    spec: DatabaseSpec
    image: str  # the profile's image, or the template (or filled cluster) made from it
    command: list[str] | None
    entrypoint: list[str] | None
    environment: dict[str, str]
    tmpfs: dict[str, str]
    uploads: dict[str, bytes]  # tar archives by the directory they unpack in, put before the start
    passwords: Passwords
    cluster: Cluster

    @property
    def started_first(self) -> bool:
        """A pre-initialised cluster is started before its files are uploaded: its start script
        sets the passwords while they travel, and waits for them."""
        return self.cluster.start_from is not None

    @property
    def create_options(self) -> dict[str, object]:
        """docker create()'s options read from the setup (the placement adds name, labels, network)."""
        options: dict[str, object] = {
            "command": self.command, "entrypoint": self.entrypoint, "environment": self.environment,
            "ports": {"5432/tcp": ("127.0.0.1", None)}, "tmpfs": self.tmpfs, "shm_size": "256m",
        }
        if self.spec.memory:
            options.update(mem_limit=self.spec.memory, memswap_limit=self.spec.memory)
        if self.cluster.clone:
            options["volumes"] = {self.cluster.clone: {"bind": PGDATA, "mode": "rw"}}
        return options


def postgres_command(spec: DatabaseSpec, statements: bool = False) -> list[str]:
    """The server command line: the profile's settings as `-c` options (with `statements`,
    pg_stat_statements loaded too: a rehearsal counts lock_timeout statements with it)."""
    options: dict[str, str] = {}
    for key, value in spec.settings.items():
        options[key] = ("on" if value else "off") if isinstance(value, bool) else str(value)
    if statements:
        libraries = [name.strip() for name in options.get("shared_preload_libraries", "").split(",") if name.strip()]
        options["shared_preload_libraries"] = ",".join(dict.fromkeys([*libraries, "pg_stat_statements"]))
    if spec.max_connections is not None:
        options["max_connections"] = str(spec.max_connections)
    options.update(extensions.server_options(spec))
    if spec.tls:
        options.update(
            ssl="on",
            ssl_cert_file=f"{TLS_DIR}/server.crt",
            ssl_key_file=f"{TLS_DIR}/server.key",
        )
    if spec.ssl == "required":
        options["hba_file"] = f"{TLS_DIR}/pg_hba.conf"
    command = ["postgres"]
    for key, value in options.items():
        command += ["-c", f"{key}={value}"]
    return command


def forced_ssl_hba() -> str:
    """pg_hba.conf of managed Postgres with forced SSL: TCP without TLS is rejected."""
    return (
        "# written by parity: ssl required, as on managed Postgres\n"
        "local all all trust\n"
        "hostnossl all all all reject\n"
        "hostssl all all all scram-sha-256\n"
    )


def initdb(spec: DatabaseSpec, passwords: Passwords) -> tuple[dict[str, str], dict[str, bytes]]:
    """What the image's own entrypoint reads to initialise a cluster: its variables, and its init
    scripts (archives by directory: the roles beside the superuser, parity.env.roles)."""
    # No LANG: without database.locale the cluster gets the image's own (official: en_US.utf8).
    environment = {"POSTGRES_DB": spec.name, "PGDATA": PGDATA}
    args = locale.initdb_args(spec)
    if args:
        environment[locale.INITDB_ARGS_VAR] = args
    if spec.superuser:
        environment.update(POSTGRES_USER=APP_ROLE, POSTGRES_PASSWORD=passwords.app)
    else:
        environment.update(POSTGRES_USER=ADMIN_ROLE, POSTGRES_PASSWORD=passwords.admin)
    allow_list, scripts = extensions.initdb_files(spec)
    environment.update(allow_list)
    # The roles beside the superuser (parity.env.roles), and the provider's admin role layout
    # (rds_superuser...) around the app role, superuser or not.
    script = init_sql(spec, passwords) + providers.admin_role_sql(spec, APP_ROLE)
    if script:
        scripts["docker-entrypoint-initdb.d/50-parity-app-role.sql"] = (script, 0o644)
    return environment, {"/": archive(scripts)} if scripts else {}


# Runs as root before the image's own entrypoint (used when there is no pre-initialised cluster).
_START_WRAPPER = "set -e\n" + INSTALL_TLS_SH + extensions.TRUST_SH + 'exec docker-entrypoint.sh "$@"\n'


def configure_postgres(spec: DatabaseSpec, passwords: Passwords, volumes: list[str], cluster: Cluster = Cluster(),
                       statements: bool = False) -> PostgresSetup:
    """The container to make for the spec (no engine, no randomness): its image, command,
    entrypoint, variables, tmpfs and uploads. `volumes`: the VOLUMEs its image declares."""
    environment, uploads = initdb(spec, passwords)
    command = postgres_command(spec, statements=statements)
    entrypoint: list[str] | None = None
    if cluster.start_from:
        # Start from the pre-initialised cluster: no initdb, no temporary server. The roles'
        # passwords come in a variable (as POSTGRES_PASSWORD does), so they are set as soon as
        # the container starts.
        entrypoint = ["sh", "-c", pgtemplate.START_SCRIPT, "parity-postgres", *command[1:]]
        command = []
        environment.update(TLS=TLS_DIR, STAGE=TLS_STAGING)
        environment[pgtemplate.ROLES_VAR] = pgtemplate.roles_sql(passwords.by_role(role_layout(spec)))
        if spec.tls:
            environment[pgtemplate.FILES_VAR] = "1"
        if cluster.filled and not cluster.clone:  # a reflink copy has nothing to copy up
            environment["FILLED"] = "1"
        uploads = {}
    elif spec.tls or spec.extensions is not None:
        entrypoint = ["sh", "-c", _START_WRAPPER, "parity-start"]
        if spec.tls:
            environment.update(TLS=TLS_DIR, STAGE=TLS_STAGING)
    # The VOLUMEs the image declares (/var/lib/postgresql/data, or /var/lib/postgresql from 18 on)
    # hold nothing of ours: an empty tmpfs each, or Docker would make an anonymous volume on disk
    # at every start. (A template, and a filled cluster, declare the same ones as their image.)
    tmpfs = {volume: "rw,mode=1777" for volume in volumes}
    if spec.tls:
        # The private key stays in memory: never in the container's filesystem, which a filled
        # cluster's image is made from.
        tmpfs[TLS_DIR] = "rw,mode=0700"
    return PostgresSetup(spec=spec, image=cluster.start_from or spec.image_ref(), command=command or None,
                         entrypoint=entrypoint, environment=environment, tmpfs=tmpfs, uploads=uploads,
                         passwords=passwords, cluster=cluster)


def _in_background(work: Callable[[], T]) -> Callable[[], T]:
    """Start `work` in a thread now; the returned call waits for its result (or raises its error)."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parity-background")
    future = pool.submit(work)
    pool.shutdown(wait=False)
    return future.result


def archive(files: dict[str, tuple[str, int]], owner: int = 0) -> bytes:
    """A tar archive of text files (name -> (text, mode)), owned by uid and gid `owner`."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, (text, mode) in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, int(time.time())
            info.uid = info.gid = owner
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def start_postgres(placement: Placement, spec: DatabaseSpec, state_dir: Path, progress: Callable[[str], None], *,
                   data_fingerprint: str | None = None, statements: bool = False) -> Database:
    """Start a Postgres container per the spec and return once a real connection succeeds:
    configure, create, wait.

    With a data fingerprint (what fills it: see parity.data.fingerprint), start from the filled
    cluster cached under it if there is one."""
    # Made in a thread while the engine looks up the images and starts the container.
    names = [DB_ALIAS, POOLER_ALIAS] if spec.pooler else [DB_ALIAS]
    tls = _in_background(lambda: make_server_tls(placement.env_id, names)) if spec.tls else None
    base = _base_image(placement.client, spec.image_ref(), progress)
    cluster = _cluster(placement, spec, base, progress, data_fingerprint) if pgtemplate.enabled() else Cluster()
    placement.check_open()
    setup = configure_postgres(spec, Passwords.random(spec), declared_volumes(base.attrs), cluster, statements)
    try:
        container, db = create_postgres(placement, setup, tls, progress, state_dir)
        started = time.monotonic()
        wait_until_ready(container, db, READY_TIMEOUT_S)
        if spec.extensions:
            _check_extensions(db, spec, progress)
    except EnvError as exc:
        # A container that exited during initdb: its logs end with initdb's own words.
        said = locale.complaint(exc.message)
        if said:
            raise locale.unavailable(spec, said) from None
        raise
    db.ready_s = time.monotonic() - started
    return db


def _check_extensions(db: Database, spec: DatabaseSpec, progress: Callable[[str], None]) -> None:
    """The allow-list against the extensions the running server has (its own control files)."""
    import psycopg

    with psycopg.connect(**db.connect_kwargs()) as conn:  # type: ignore[arg-type]
        row = conn.execute(extensions.AVAILABLE_QUERY).fetchone()
    assert row is not None
    extensions.check_available(spec, int(row[0]), list(row[1]), progress)


def _base_image(client: docker.DockerClient, image: str, progress: Callable[[str], None]) -> docker.models.images.Image:
    base = local_image(client, image)
    if base is None:
        ensure_image(client, image, progress)
        base = client.images.get(image)
    return base


def _cluster(placement: Placement, spec: DatabaseSpec, base: docker.models.images.Image, progress: Callable[[str], None],
             data_fingerprint: str | None) -> Cluster:
    """The pre-initialised cluster to start from (made once per image and role layout), or the
    filled one cached for this data; no template: the image's own initdb."""
    environment, files = initdb(spec, PLACEHOLDERS)
    template = pgtemplate.template_for(placement, pgtemplate.Initdb(spec.image_ref(), base, environment, files),
                                       spec, progress)
    if template is None:
        return Cluster()
    filled = pgtemplate.filled_ref(template, data_fingerprint) if data_fingerprint else None
    if filled and image_present(placement.client, filled):
        copy = clones.clone(placement.client, filled, placement.env_id)
        progress(f"starting from the cached filled cluster {filled}" + (" (a reflink copy)" if copy else ""))
        return Cluster(filled, filled, str(copy) if copy else None)
    return Cluster(template, filled)


def create_postgres(placement: Placement, setup: PostgresSetup, tls: Callable[[], ServerTLS] | None,
                    progress: Callable[[str], None], state_dir: Path) -> tuple[docker.models.containers.Container, Database]:
    """Make and start the container the setup describes (`tls`: waits for the environment's
    certificates), upload its files, and say how to reach it; its server may not be ready yet."""
    client, spec = placement.client, setup.spec
    network = placement.network  # None: the engine's default bridge (nothing else would join it)
    options = setup.create_options
    if spec.failover is not None:
        # The same address after the failover's restart: the engine would publish a new port.
        options["ports"] = {"5432/tcp": ("127.0.0.1", free_port())}
    try:
        container = client.containers.create(
            setup.image, name=placement.name("db"), labels=placement.labels("database"), network=network,
            networking_config={network: client.api.create_endpoint_config(aliases=[DB_ALIAS])} if network else None,
            **options,
        )
    except docker.errors.APIError as exc:
        raise EnvError(f"cannot create the database container: {exc.explanation or exc}", None) from None
    if setup.started_first:
        # Started at once: the start script sets the passwords in single-user mode while the TLS
        # files travel (~60 ms); it waits for the marker that ends them.
        container.start()
    # Said once the engine has the container in hand: the terminal renderer loads meanwhile.
    progress(f"starting {spec.image_ref()} ({_shape(spec)})")
    server_tls = tls() if tls else None
    # Files for /run (TLS staging) travel in one archive: each put_archive mounts the container's
    # filesystem in the engine (~0.05-0.1 s apiece).
    staged = run_files(server_tls, spec.ssl == "required", setup.started_first)
    if staged:
        container.put_archive("/run", archive(staged))
    for path, tarball in setup.uploads.items():
        container.put_archive(path, tarball)
    if not setup.started_first:
        container.start()
    container.reload()
    passwords = setup.passwords
    redact = [password for password in (passwords.app, passwords.admin, passwords.dml) if password]
    port = published_port(container, 5432)
    if port is None:  # it exited at once: no port was ever published
        raise EnvError(
            f"the database container exited as it started:\n{logs_tail(container, redact)}",
            "check database.image / database.version and database.settings in the profile",
        )

    ca_path: Path | None = None
    if server_tls:
        state_dir.mkdir(parents=True, exist_ok=True)
        ca_path = state_dir / "db-ca.crt"
        ca_path.write_text(server_tls.ca_cert)
    layout = role_layout(spec)
    migrations = Login(layout.migrations, passwords.of(layout.migrations))
    db = Database(
        engine="postgres", name=spec.name, user=layout.app, password=passwords.of(layout.app),
        url_template=spec.url_template(),
        container_id=container.id, host_port=port, tls=server_tls is not None,
        ca_cert=server_tls.ca_cert if server_tls else None, ca_cert_path=ca_path,
        admin_password=passwords.admin, memory_limit=spec.memory,
        redact=redact, admin_user=layout.admin,
        filled_ref=setup.cluster.filled_ref, started_filled=setup.cluster.filled,
        server_tls=server_tls if spec.pooler else None,
        # Staged again at a failover's start; the marker too, harmless where nothing waits for it.
        restart_files=run_files(server_tls, spec.ssl == "required", True) if spec.failover else {},
        migrations_login=migrations if layout.migrations != layout.app else None,
    )
    db.url("host")  # a template that cannot be filled is the profile's error, said now
    return container, db


def run_files(server_tls: ServerTLS | None, forced: bool, complete: bool) -> dict[str, tuple[str, int]]:
    """What /run gets before the server starts: the TLS files staged (the forced-SSL pg_hba.conf
    with `forced`), and with `complete` the marker a pre-initialised cluster's start waits for."""
    files: dict[str, tuple[str, int]] = {}
    if server_tls:
        staged = {"server.crt": (server_tls.server_cert, 0o600), "server.key": (server_tls.server_key, 0o600)}
        if forced:
            staged["pg_hba.conf"] = (forced_ssl_hba(), 0o600)
        files.update({"parity-tls/" + k: v for k, v in staged.items()})
    if complete and files:
        files["parity-init/.complete"] = ("", 0o600)  # last in the archive ($PARITY_FILES waits for it)
    return files


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on now (the kernel's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_ready(container: docker.models.containers.Container, db: Database, timeout: float) -> None:
    """Poll a real connection until it succeeds, and record the server's version and the database's
    locale from it. Fail if the container dies."""
    import psycopg  # here, not at the top: run.py warms it up while the container starts

    deadline = time.monotonic() + timeout
    last_error = "no attempt yet"
    attempt = 0
    while time.monotonic() < deadline:
        attempt += 1
        try:
            with psycopg.connect(**db.connect_kwargs()) as conn:  # type: ignore[arg-type]
                row = conn.execute(locale.READY_QUERY).fetchone()
            db.server_version = str(row[0]) if row else ""
            db.cluster_locale = locale.ClusterLocale.from_row(row[1]) if row else None
            return
        except psycopg.Error as exc:
            last_error = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if attempt % 10 == 0 and exit_state(container) is not None:
            raise EnvError(
                f"the database container exited before it was ready:\n{logs_tail(container, db.redact)}",
                "check database.settings and database.memory in the profile",
            )
        # 20 ms for the first 5 s: a refused attempt costs ~2 ms, and `parity up` returns ~15 ms
        # sooner than with 50 ms (measured: Postgres's "ready" log line to the answer).
        time.sleep(0.02 if attempt < 250 else 0.25)
    raise EnvError(
        f"the database was not ready after {timeout:.0f}s (last error: {last_error})\n{logs_tail(container, db.redact)}",
        "check the engine's load, database.memory and database.settings",
    )


def logs_tail(container: docker.models.containers.Container, redact: list[str], lines: int = 15) -> str:
    """The container's last log lines, with these secrets masked."""
    try:
        text = str(container.logs(tail=lines).decode(errors="replace"))
    except docker.errors.APIError:
        return "(no logs)"
    for secret in redact:
        text = text.replace(secret, "***")
    return text


def _shape(spec: DatabaseSpec) -> str:
    parts = [f"ssl {spec.ssl}", "superuser" if spec.superuser else "non-superuser app role"]
    if spec.roles is not None:
        layout = role_layout(spec)
        parts.append(f"migrations as {layout.migrations}, app as {layout.app}")
    if spec.memory:
        parts.append(f"memory {spec.memory // 2**20} MiB")
    if spec.max_connections:
        parts.append(f"max_connections {spec.max_connections}")
    if spec.extensions is not None:
        parts.append(f"extensions allowed: {', '.join(spec.extensions) or 'none'}")
    return ", ".join(parts)
