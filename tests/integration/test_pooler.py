"""database.pooler against a real PgBouncer and real drivers: prepared statements behind each mode,
SCRAM and TLS on both legs, the labels and lifetime of the pooler, and a run that diverges on it."""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import subprocess
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import psycopg
import pytest

from parity.engine import inventory
from parity.engine import labels as L
from parity.env.environment import Environment
from parity.project import Project
from parity.results import RunResult
from parity.run import RunOptions, run
from tests.conftest import write_profile
from tests.integration import projects

SHAPES = {
    # Transaction pooling without prepared-statement support, TLS required on both legs.
    "tx0": "database: {version: '17', ssl: required, superuser: false,"
           " pooler: {mode: transaction, max_prepared_statements: 0}}\n",
    "tx100": "database: {version: '17', pooler: {mode: transaction, max_prepared_statements: 100}}\n",
    # Postgres 13 stores md5 secrets: clients authenticate to the pooler with md5, as to the server.
    "session": "database: {version: '13', ssl: optional, superuser: false,"
               " pooler: {mode: session, max_prepared_statements: 0}}\n",
    "statement": "database: {version: '17', pooler: {mode: statement, max_prepared_statements: 0}}\n",
}
NODEPG = Path(__file__).parent / "realapps" / "nodepg" / "node_modules"
NODE_SCRIPT = Path(__file__).parent / "drivers" / "nodepg_reuse.js"


@pytest.fixture(scope="module")
def pooled(docker_client, tmp_path_factory) -> Iterator[Callable[[str], Environment]]:  # type: ignore[no-untyped-def]
    """The environment of a shape, started at its first use and kept for the module; each one is
    stopped with its pooler at the end."""
    yield from projects.environments(docker_client, tmp_path_factory, SHAPES)


def pooled_kwargs(env: Environment) -> dict[str, Any]:
    """psycopg arguments for the app role through the pooler, from this machine."""
    db = env.database
    assert db is not None and db.pooler is not None
    return db.connect_kwargs() | {"port": db.pooler.host_port}


# Three clients of one pooler: a request's connection runs one query twice while two workers each
# hold a transaction in between. Behind transaction pooling the second run gets the server
# connection the first worker just released, not the one the statement was prepared on.
Step = Callable[[str], Awaitable[Any]]


async def across_transactions(worker: Step, request: Callable[[], Awaitable[Any]], other: Step) -> Any:
    await worker("BEGIN")
    await request()
    await other("BEGIN")
    await worker("COMMIT")
    try:
        return await request()
    finally:
        await other("COMMIT")


async def _asyncpg_twice(env: Environment) -> Any:
    kwargs = pooled_kwargs(env)
    tls = None
    if "sslrootcert" in kwargs:
        tls = ssl.create_default_context(cafile=kwargs["sslrootcert"])
        tls.check_hostname = False  # verify-ca, as parity's own clients
    conns = [await asyncpg.connect(host=kwargs["host"], port=kwargs["port"], user=kwargs["user"],
                                   password=kwargs["password"], database=kwargs["dbname"], ssl=tls)
             for _ in range(3)]
    worker, request, other = conns
    try:
        return await across_transactions(worker.execute, lambda: request.fetchval("SELECT $1::int + 1", 1),
                                         other.execute)
    finally:
        for conn in conns:
            await conn.close()


def asyncpg_twice(env: Environment) -> Any:
    """asyncpg with its statement cache on (its default)."""
    return asyncio.run(_asyncpg_twice(env))


def psycopg_twice(env: Environment) -> Any:
    """psycopg 3 preparing the request's statement at its first run (prepare_threshold=0); the workers
    prepare nothing (else their BEGIN, also _pg3_0, collides with it: "already exists")."""
    worker, request, other = conns = [
        psycopg.connect(**pooled_kwargs(env), autocommit=True, prepare_threshold=threshold)
        for threshold in (None, 0, None)]

    async def run_on(conn: psycopg.Connection, sql: str) -> Any:
        return conn.execute(sql)

    async def query() -> Any:
        row = request.execute("SELECT %s::int + 1", (1,)).fetchone()
        return row[0] if row else None

    try:
        return asyncio.run(across_transactions(lambda sql: run_on(worker, sql), query, lambda sql: run_on(other, sql)))
    finally:
        for conn in conns:
            conn.close()


def test_asyncpg_statement_cache_breaks_behind_transaction_pooling_without_prepared_statements(pooled: Callable[[str], Environment]) -> None:
    with pytest.raises(asyncpg.exceptions.InvalidSQLStatementNameError,
                       match=r'prepared statement "__asyncpg_stmt_\w+__" does not exist') as caught:
        asyncpg_twice(pooled("tx0"))
    assert 'pool_mode set to "transaction"' in (caught.value.hint or "")  # asyncpg's own diagnosis


def test_psycopg_prepared_statements_break_behind_transaction_pooling_without_prepared_statements(pooled: Callable[[str], Environment]) -> None:
    with pytest.raises(psycopg.errors.InvalidSqlStatementName, match=r'prepared statement "_pg3_\d+" does not exist'):
        psycopg_twice(pooled("tx0"))


@pytest.mark.parametrize("driver", [asyncpg_twice, psycopg_twice], ids=["asyncpg", "psycopg"])
@pytest.mark.parametrize("shape", ["tx100", "session"])
def test_prepared_statements_work_with_max_prepared_statements_or_session_pooling(
        pooled: Callable[[str], Environment], shape: str, driver: Callable[[Environment], Any]) -> None:
    assert driver(pooled(shape)) == 2


def test_the_pooler_is_labelled_published_on_loopback_and_holds_no_password(docker_client, pooled) -> None:  # type: ignore[no-untyped-def]
    tx0 = pooled("tx0")
    (listed,) = inventory.containers(docker_client, L.label_filter({L.ENV_ID: tx0.env_id, L.ROLE: "pooler"}))
    container = docker_client.containers.get(listed.id)
    assert container.name == f"parity-{tx0.env_id}-pooler"
    bindings = container.attrs["NetworkSettings"]["Ports"]["6432/tcp"]
    assert [b["HostIp"] for b in bindings] == ["127.0.0.1"]
    assert tx0.database is not None
    code, userlist = container.exec_run(["cat", "/etc/pgbouncer/userlist.txt"])
    assert code == 0 and b'"app" "SCRAM-SHA-256$' in userlist
    assert tx0.database.password.encode() not in userlist


def test_clients_authenticate_with_scram_and_tls_on_both_legs(pooled: Callable[[str], Environment]) -> None:
    kwargs = pooled_kwargs(pooled("tx0"))
    with psycopg.connect(**kwargs) as conn:
        # The server sees the pooler's connection over TLS (ssl: required rejects anything else).
        row = conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()
        assert row == (True,)
        assert conn.info.pgconn.ssl_in_use
    with pytest.raises(psycopg.OperationalError, match="SSL required"):
        psycopg.connect(**kwargs | {"sslmode": "disable"})
    # PgBouncer's own wording for a failed SCRAM exchange (SASL): the client did authenticate with SCRAM.
    with pytest.raises(psycopg.OperationalError, match="SASL authentication failed"):
        psycopg.connect(**kwargs | {"password": "not-the-password"})


def test_md5_secrets_authenticate_through_the_pooler(pooled: Callable[[str], Environment]) -> None:
    with psycopg.connect(**pooled_kwargs(pooled("session"))) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("app",)


def run_behind_transaction_pooling(root: Path, max_prepared_statements: int) -> RunResult:
    """`parity run` of a project whose smoke uses asyncpg: no pooler on the baseline, transaction
    pooling on the target."""
    smoke = "smoke: {command: [python, scripts/prepared_across_transactions.py]}\n"
    local = "database: {version: '17'}\n" + smoke
    prod = ("database: {version: '17', pooler: {mode: transaction, max_prepared_statements: "
            f"{max_prepared_statements}}}}}\n" + smoke)
    project = Project.at(projects.make_project(root, {"local": local, "prod": prod}))
    return run(project, RunOptions(target="prod")).result


def test_a_run_whose_smoke_uses_asyncpg_diverges_on_the_pooler(docker_client, tmp_path: Path, no_leaks: None) -> None:  # type: ignore[no-untyped-def]
    result = run_behind_transaction_pooling(tmp_path, 0)
    assert result.verdict == "divergent"
    (divergence,) = [d for d in result.divergences if d.step == "smoke"]
    assert divergence.cause == "database.pooler"
    assert "__asyncpg_stmt_" in divergence.detail
    resources = result.profiles["prod"].steps["resources"].facts
    assert resources["pooler_peak_bytes"] > 0 and "pooler_peak_bytes" not in result.profiles["local"].steps["resources"].facts


def test_the_same_run_is_parity_with_max_prepared_statements(docker_client, tmp_path: Path, no_leaks: None) -> None:  # type: ignore[no-untyped-def]
    result = run_behind_transaction_pooling(tmp_path, 100)
    assert result.verdict == "parity", result.divergences


def test_up_prints_the_pooled_url_and_the_direct_one(docker_client, project_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_profile(project_dir, "prod", "database: {version: '17', superuser: false, pooler: {}}\n")
    try:
        up = projects.parity_cli(["up", "--profile", "prod", "--env"], cwd=project_dir)
        assert up.returncode == 0, up.stderr
        exports = dict(line.removeprefix("export ").split("=", 1) for line in up.stdout.splitlines()
                       if line.startswith("export "))
        urls = {key: exports[key].strip("'\"") for key in ("DATABASE_URL", "DATABASE_DIRECT_URL")}
        published = {}
        for listed in inventory.containers(docker_client, L.label_filter({L.PROJECT: str(project_dir.resolve())})):
            container = docker_client.containers.get(listed.id)
            role = container.labels[L.ROLE]
            port = {"pooler": "6432/tcp", "database": "5432/tcp"}[role]
            published[role] = container.attrs["NetworkSettings"]["Ports"][port][0]["HostPort"]
        assert urls["DATABASE_URL"].endswith(f"@127.0.0.1:{published['pooler']}/app")
        assert urls["DATABASE_DIRECT_URL"].endswith(f"@127.0.0.1:{published['database']}/app")
        for url in urls.values():
            with psycopg.connect(url) as conn:
                assert conn.execute("SELECT current_user").fetchone() == ("app",)
    finally:
        down = projects.parity_cli(["down", "--profile", "prod"], cwd=project_dir)
        assert down.returncode == 0, down.stderr


def test_psycopg_without_prepared_statements_works_behind_transaction_pooling(pooled: Callable[[str], Environment]) -> None:
    # prepare_threshold=None: psycopg never prepares, so each run is a self-contained unnamed statement.
    env = pooled("tx0")
    with psycopg.connect(**pooled_kwargs(env), autocommit=True, prepare_threshold=None) as conn:
        assert [conn.execute("SELECT %s::int + 1", (n,)).fetchone() for n in range(8)] == [(n + 1,) for n in range(8)]


def node_postgres(env: Environment, scenario: str, naming: str) -> dict[str, Any]:
    """nodepg_reuse.js with node-postgres 8 (realapps/nodepg's) through the environment's pooler."""
    assert (NODEPG / "pg").is_dir(), f"{NODEPG} is missing: run `make realapps` first (make test does)"
    kwargs = pooled_kwargs(env)
    # node-postgres verifies nothing with no-verify (the CA is parity's, not the system's).
    variables = {"PGHOST": kwargs["host"], "PGPORT": str(kwargs["port"]), "PGUSER": kwargs["user"],
                 "PGPASSWORD": kwargs["password"], "PGDATABASE": kwargs["dbname"],
                 "PGSSLMODE": "no-verify" if "sslrootcert" in kwargs else "disable", "NODE_PATH": str(NODEPG)}
    done = subprocess.run(["node", str(NODE_SCRIPT), scenario, naming], capture_output=True, text=True, timeout=60,
                          env={k: v for k, v in os.environ.items() if not k.startswith("PG")} | variables)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize(("shape", "scenario"), [("tx0", "transactions"), ("statement", "busy")])
def test_node_postgres_named_statements_break_behind_transaction_and_statement_pooling(
        pooled: Callable[[str], Environment], shape: str, scenario: str) -> None:
    # The name is prepared on the first server connection only; node-postgres then sends Bind alone.
    assert node_postgres(pooled(shape), scenario, "named") == {
        "error": 'prepared statement "reused" does not exist', "code": "26000"}


@pytest.mark.parametrize(("shape", "scenario"), [("tx0", "transactions"), ("statement", "busy"),
                                                 ("tx100", "transactions"), ("session", "transactions")])
def test_node_postgres_unnamed_queries_work_behind_every_mode(
        pooled: Callable[[str], Environment], shape: str, scenario: str) -> None:
    assert node_postgres(pooled(shape), scenario, "unnamed") == {"value": 2}


@pytest.mark.parametrize("shape", ["tx100", "session"])
def test_node_postgres_named_statements_work_with_max_prepared_statements_or_session_pooling(
        pooled: Callable[[str], Environment], shape: str) -> None:
    assert node_postgres(pooled(shape), "transactions", "named") == {"value": 2}


def test_statement_pooling_refuses_a_transaction_block(pooled: Callable[[str], Environment]) -> None:
    # What statement pooling breaks for every driver: a transaction of more than one statement.
    conn = psycopg.connect(**pooled_kwargs(pooled("statement")))  # psycopg opens a transaction
    try:
        with pytest.raises(psycopg.Error, match="transaction blocks not allowed in statement pooling mode"):
            conn.execute("SELECT 1")
            conn.execute("SELECT 2")
    finally:
        conn.close()
