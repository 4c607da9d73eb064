"""database.failover against real containers: the server stops mid-smoke (every connection cut) and
comes back with its data at the same address. One app holds its database two ways, one per path
(apps/failover): a single psycopg connection never reopened, and a SQLAlchemy pool with
pool_pre_ping. Each target checks one path through the same failover; the baseline checks both
without one."""

from __future__ import annotations

import contextlib
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from parity.project import Project
from parity.results import RunResult
from parity.run import RunOptions, run
from tests.integration import projects

WHEELHOUSE = projects.REPO / "example" / "wheelhouse"  # psycopg, SQLAlchemy (`make wheelhouse`)
APP = """\
app: {build: app, startup_probe: {http: /healthz, period: 1s, failure_threshold: 60}}
migrations: {command: [python, /app/app.py, migrate], run_in: app}
"""
BOTH = "smoke: {http: [{name: one, path: /one}, {name: pool, path: /pool}]}\n"
FAILOVER = "failover: {at: smoke, after: 1s, downtime: 2s}"


def target(database: str, check: str) -> str:
    """A target: the baseline's database with a failover, checking one path."""
    return f"database: {{{database}, {FAILOVER}}}\n{APP}smoke: {{http: [{{name: {check}, path: /{check}}}]}}\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app (its image built once, from the example's wheelhouse) and every profile."""
    if not (WHEELHOUSE / ".done").exists():
        pytest.fail("example/wheelhouse is missing: run `make wheelhouse`")
    root = tmp_path_factory.mktemp("failover")
    shutil.copytree(projects.APPS / "failover", root / "app")
    shutil.copytree(WHEELHOUSE, root / "app" / "wheelhouse")
    direct, pooled = "version: '17'", "version: '17', pooler: {mode: transaction}"
    profiles = {
        "local": f"database: {{{direct}}}\n{APP}{BOTH}",
        "prod-one": target(direct, "one"),
        "prod-pool": target(direct, "pool"),
        "pooled": f"database: {{{pooled}}}\n{APP}{BOTH}",
        "pooled-pool": target(pooled, "pool"),
        "session-one": target("version: '17', pooler: {mode: session}", "one"),
    }
    (root / "profiles").mkdir()
    for name, text in profiles.items():
        (root / "profiles" / f"{name}.yaml").write_text(text)
    return root


def failover_facts(result: RunResult) -> dict[str, Any]:
    facts: dict[str, Any] = result.profiles[result.target].steps["smoke"].facts["failover"]
    return facts


def test_a_single_held_connection_diverges_on_database_failover_and_a_pre_pinging_pool_is_parity(
        docker_client: Any, project: Path, no_leaks: None) -> None:
    outcome = run(Project.at(project), RunOptions(target="prod-one", more_targets=("prod-pool",), explain=True))
    one, pool = outcome.results

    lost = {d.subject: d for d in one.divergences}
    recovery = lost["recovery after the database failover"]
    assert (recovery.cause, recovery.cause_confidence) == ("database.failover", "confirmed")
    assert [e.keys for e in recovery.experiments if e.reproduced] == [["database.failover"]]
    assert "connection" in lost["http:one"].detail  # the app's own 500: psycopg's closed connection
    facts = failover_facts(one)
    assert facts["recovered"] is False and facts["failed_during"] > 0 and facts["failed_after_back"] > 0
    assert facts["down_s"] >= 2.0

    # The same failover, through the pool: refused requests during the downtime alone are not a
    # divergence, and the row written by the migrations is read again (the data survived).
    assert (pool.verdict, pool.divergences, pool.failures) == ("parity", [], [])
    facts = failover_facts(pool)
    assert facts["recovered"] is True and facts["failed_during"] > 0
    assert facts["recovered_at_s"] >= facts["back_at_s"] >= facts["cut_at_s"] + 2.0
    smoke = pool.profiles["prod-pool"].steps["smoke"]
    assert [(t.id, t.outcome) for t in smoke.tests] == [("http:pool", "passed")]


def test_behind_a_pooler_only_the_server_leg_goes_away(docker_client: Any, project: Path, no_leaks: None) -> None:
    outcome = run(Project.at(project), RunOptions(target="pooled-pool", more_targets=("session-one",),
                                                  baseline="pooled"))
    pool, session = outcome.results
    # PgBouncer stays up (transaction mode): the pre-pinging pool gets a new server connection
    # through it once the server is back, after PgBouncer's own server_login_retry.
    assert failover_facts(pool)["recovered"] is True, pool.divergences
    assert pool.verdict == "parity"
    # In session mode a client is tied to its server connection: PgBouncer closes it with the
    # server's, and the app's one connection is gone for good.
    facts = failover_facts(session)
    assert facts["recovered"] is False
    assert "the connection is closed" in facts["error_after_back"]
    assert [d.subject for d in session.divergences] == ["recovery after the database failover", "http:one"]


def test_a_migration_cut_by_a_failover_diverges_and_a_retrying_release_job_recovers(
        docker_client: Any, tmp_path: Path, no_leaks: None) -> None:
    migrate = "migrations: {{command: [python, scripts/slow_migration.py{}], run_in: host, timeout: 2m}}\n"
    # The migration holds its connection from its start (well within `after`) past the cut.
    failover = "database: {version: '17', failover: {at: migrations, after: 3s, downtime: 1s}}\n"
    root = projects.make_project(tmp_path, {
        "local": "database: {version: '17'}\n" + migrate.format(""),
        "prod-once": failover + migrate.format(""),
        "prod-retry": failover + migrate.format(", --retry"),
    })
    once, retry = run(Project.at(root), RunOptions(target="prod-once", more_targets=("prod-retry",),
                                                   explain=True)).results
    cut = {d.subject: d for d in once.divergences}["migrations"]
    assert "terminating connection due to administrator command" in cut.detail
    assert (cut.cause, cut.cause_confidence) == ("database.failover", "confirmed")
    facts = once.profiles["prod-once"].steps["migrations"].facts["failover"]
    assert facts["at"] == "migrations" and facts["down_s"] >= 1.0 and "recovered" not in facts
    assert (retry.verdict, retry.divergences) == ("parity", [])
    assert retry.profiles["prod-retry"].steps["migrations"].facts["failover"]["cut_at_s"] >= 3.0


def test_the_same_server_comes_back_with_its_data_tls_and_address(docker_client: Any, tmp_path_factory: Any) -> None:
    import psycopg

    from parity.env.failover import Failover
    from parity.profile.models import FailoverSpec

    profile = "database: {version: '17', ssl: required, superuser: false, failover: {at: smoke, downtime: 1s}}\n" \
              "smoke: {command: [pytest]}\n"
    environment = contextlib.contextmanager(projects.started_environment)
    with environment(docker_client, tmp_path_factory, "tls", profile) as env:
        db = env.database
        with psycopg.connect(**db.connect_kwargs(), autocommit=True) as conn:
            conn.execute("CREATE TABLE kept (id int); INSERT INTO kept VALUES (7)")
            before = (db.host_port, db.container_id)
            timeline = Failover(docker_client, db, FailoverSpec(at="smoke", after=0, downtime=1), env.closed).run(
                time.monotonic())
            with pytest.raises(psycopg.OperationalError, match="terminating connection due to administrator command"):
                conn.execute("SELECT 1")
        assert timeline.back_s - timeline.cut_s >= 1.0
        with psycopg.connect(**db.connect_kwargs()) as conn:  # verify-ca against the same CA
            assert conn.execute("SELECT id FROM kept").fetchall() == [(7,)]
            assert conn.execute("SHOW ssl").fetchone() == ("on",)
        assert (db.host_port, db.container_id) == before
