"""The connection pooler in front of Postgres (database.pooler): a real PgBouncer on the environment's
network, between the app (and smoke) and the server, as managed platforms put one there.

Clients authenticate to it as they would to Postgres: its auth file holds each of their roles' own
password secret read from the server (SCRAM-SHA-256, or md5 where the server stores md5), so the
password itself never enters the pooler, and PgBouncer logs into the server with the same secret.
This needs no superuser on the server's side (auth_query would need a role that reads pg_shadow).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import docker
import docker.errors

from parity.engine.state import exit_state
from parity.env.database import (
    POOLER_ALIAS,
    Database,
    PoolerEndpoint,
    archive,
    logs_tail,
)
from parity.env.placement import Placement, published_port
from parity.errors import EnvError
from parity.profile.models import DatabaseSpec, PoolerSpec

POOLER_PORT = 6432  # PgBouncer's own default port, as pooled URLs in production have it
CONFIG_DIR = "/etc/pgbouncer"  # edoburu/pgbouncer's: pgbouncer.ini and userlist.txt there
CONFIG_FILE = f"{CONFIG_DIR}/pgbouncer.ini"
POOLER_UID = 70  # edoburu/pgbouncer's postgres account (and parity's stand-in's)
READY_TIMEOUT = 30.0
# A pool's server connections are made as needed; clients beyond max_client_conn are refused, and
# production poolers allow far more clients than server connections.
MAX_CLIENT_CONN = 1000
# TLS on each leg per database.ssl: clients (the pooler's own sslmode towards clients) and the server.
_CLIENT_TLS = {"off": "disable", "optional": "allow", "required": "require"}
_SERVER_TLS = {"off": "disable", "optional": "prefer", "required": "require"}


def auth_type(secret: str) -> str:
    """PgBouncer's auth_type for a password secret as Postgres stores it: what the server itself asks."""
    return "scram-sha-256" if secret.startswith("SCRAM-SHA-256$") else "md5"


def userlist(user: str, secret: str) -> str:
    """The auth file: one role and its password secret, double quotes doubled as PgBouncer reads them."""
    return f'"{user.replace(chr(34), chr(34) * 2)}" "{secret.replace(chr(34), chr(34) * 2)}"\n'


def pgbouncer_ini(pooler: PoolerSpec, spec: DatabaseSpec, secret: str) -> str:
    """PgBouncer's configuration: every database of the server `db`, the profile's pool mode, size
    and prepared statements, TLS on both legs as database.ssl says."""
    lines = [
        "[databases]",
        "* = host=db port=5432",
        "",
        "[pgbouncer]",
        "listen_addr = 0.0.0.0",
        f"listen_port = {POOLER_PORT}",
        "unix_socket_dir =",
        f"auth_type = {auth_type(secret)}",
        f"auth_file = {CONFIG_DIR}/userlist.txt",
        f"pool_mode = {pooler.mode}",
        f"default_pool_size = {pooler.pool_size}",
        f"max_client_conn = {MAX_CLIENT_CONN}",
        # JDBC sends it at every start; PgBouncer refuses unknown startup parameters otherwise.
        "ignore_startup_parameters = extra_float_digits",
    ]
    if pooler.max_prepared_statements is not None:
        lines.append(f"max_prepared_statements = {pooler.max_prepared_statements}")
    ssl = spec.ssl if spec.tls else "off"
    lines.append(f"client_tls_sslmode = {_CLIENT_TLS[ssl]}")
    if ssl != "off":
        # The server's certificate and key (its names include `pooler`), and the environment's CA
        # (OpenSSL in PgBouncer will not set up TLS without one).
        lines += [f"client_tls_cert_file = {CONFIG_DIR}/server.crt", f"client_tls_key_file = {CONFIG_DIR}/server.key",
                  f"client_tls_ca_file = {CONFIG_DIR}/ca.crt", f"server_tls_ca_file = {CONFIG_DIR}/ca.crt"]
    lines.append(f"server_tls_sslmode = {_SERVER_TLS[ssl]}")
    return "\n".join(lines) + "\n"


def role_secret(db: Database, role: str) -> str:
    """The role's password secret as the server stores it (read as the server's superuser)."""
    import psycopg

    with psycopg.connect(**db.admin_connect_kwargs()) as conn:  # type: ignore[arg-type]
        row = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (role,)).fetchone()
    if not row or not row[0]:
        raise EnvError(f"the role {role} has no password on the server, so the pooler cannot authenticate it",
                       "report this as a parity bug")
    return str(row[0])


def start_pooler(placement: Placement, db: Database, spec: DatabaseSpec) -> PoolerEndpoint:
    """Create PgBouncer on the environment's network (as `pooler`), give it its configuration and
    the secrets of the roles that go through it (the app's; the migrations' too with migrations:
    pooler), start it, and return once a real connection through it succeeds."""
    pooler = spec.pooler
    assert pooler is not None and placement.network is not None, "a pooler makes the environment create its network"
    users = dict.fromkeys([db.user] + ([db.login("migrations").user] if pooler.migrations == "pooler" else []))
    secrets = {user: role_secret(db, user) for user in users}
    files = {"pgbouncer.ini": (pgbouncer_ini(pooler, spec, secrets[db.user]), 0o644),
             "userlist.txt": ("".join(userlist(user, secret) for user, secret in secrets.items()), 0o600)}
    tls = db.server_tls
    if tls is not None and spec.tls:
        files.update({"server.crt": (tls.server_cert, 0o644), "server.key": (tls.server_key, 0o600),
                      "ca.crt": (tls.ca_cert, 0o644)})
    client, network = placement.client, placement.network
    placement.check_open()
    try:
        container = client.containers.create(
            pooler.image, name=placement.name("pooler"), network=network, labels=placement.labels("pooler"),
            networking_config={network: client.api.create_endpoint_config(aliases=[POOLER_ALIAS])},
            ports={f"{POOLER_PORT}/tcp": ("127.0.0.1", None)},
            command=["/usr/bin/pgbouncer", CONFIG_FILE],
        )
        container.put_archive(CONFIG_DIR, archive(files, owner=POOLER_UID))
        container.start()
        container.reload()
    except docker.errors.APIError as exc:
        raise EnvError(f"the pooler ({pooler.image}) could not start: {exc.explanation or exc}",
                       f"check the image with `docker run --rm {pooler.image} /usr/bin/pgbouncer --version`") from None
    port = published_port(container, POOLER_PORT)
    if port is None:
        raise EnvError(f"the pooler exited as it started:\n{logs_tail(container, db.redact)}",
                       f"check the image {pooler.image} (it must read {CONFIG_FILE})")
    endpoint = PoolerEndpoint(container_id=str(container.id), host_port=port, port=POOLER_PORT, mode=pooler.mode,
                              migrations=pooler.migrations == "pooler")
    _wait_ready(container, db, endpoint, placement.check_open)
    return endpoint


def _wait_ready(container: docker.models.containers.Container, db: Database, endpoint: PoolerEndpoint,
                check_open: Callable[[], None]) -> None:
    """Poll a real query through the pooler (authentication, and a server connection behind it)."""
    import psycopg

    deadline = time.monotonic() + READY_TIMEOUT
    last_error = "no attempt yet"
    while time.monotonic() < deadline:
        check_open()
        try:
            # autocommit: statement pooling refuses the transaction block psycopg would open.
            with psycopg.connect(**db.connect_kwargs() | {"port": endpoint.host_port}, autocommit=True) as conn:  # type: ignore[arg-type]
                conn.execute("SELECT 1")
                return
        except psycopg.Error as exc:
            last_error = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        if exit_state(container) is not None:
            raise EnvError(f"the pooler exited before it was ready:\n{logs_tail(container, db.redact)}",
                           "check database.pooler in the profile")
        time.sleep(0.05)
    raise EnvError(f"no connection through the pooler within {READY_TIMEOUT:.0f}s (last error: {last_error})\n"
                   f"{logs_tail(container, db.redact)}", "check database.pooler in the profile and the engine's load")

