"""Rehearsal by extrapolation (data.extrapolate): the migrations rehearsed at sample sizes kept as
databases of the cluster, each revision's figures fitted and estimated at production's size, and a
budget crossed by an estimate reported as one. Mechanics only: the accuracy is bench/'s figure."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from parity.data.samples import (
    bytes_per_row,
    fits,
    free_bytes,
    restore_sample,
    save_sample,
    saved_samples,
)
from tests.conftest import parity_resources
from tests.integration.projects import parity_cli
from tests.integration.rehearsal import (
    Rev,
    alembic_project,
    postgres_environment,
    removing_filled_images,
)

REVISIONS = [
    Rev("0001", "create events",
        "CREATE TABLE events (id integer PRIMARY KEY, kind varchar(40) NOT NULL, body text NOT NULL)",
        "DROP TABLE events"),
    # Rewrites the table and its primary key under ACCESS EXCLUSIVE: as long as the table is big.
    Rev("0002", "widen ids", "ALTER TABLE events ALTER COLUMN id TYPE bigint",
        "ALTER TABLE events ALTER COLUMN id TYPE integer"),
    Rev("0003", "kinds view", "CREATE VIEW event_kinds AS SELECT DISTINCT kind FROM events", "DROP VIEW event_kinds"),
]


def test_an_estimate_at_production_size_over_the_budget_diverges_and_says_it_is_an_estimate(
        docker_client, tmp_path: Path, no_leaks: None) -> None:  # type: ignore[no-untyped-def]
    budget = "migrations: {command: [alembic, upgrade, head], run_in: host, lock_budget: 2s, budget: 10m}\n"
    project = alembic_project(tmp_path, REVISIONS, {
        "local": "database: {version: '17'}\n" + budget,
        "prod": "database: {version: '17', superuser: false}\n" + budget
                + "data: {at: '0001', rows: {events: 50000000}, extrapolate: true, samples: [20000, 40000, 80000]}\n",
    })
    report = tmp_path / "report.json"
    with removing_filled_images(docker_client):
        result = parity_cli(["run", "--profile", "prod", "--json", str(report)], cwd=project)
    assert result.returncode == 1, result.stderr
    found = json.loads(report.read_text())
    steps = found["profiles"]["prod"]["steps"]
    assert steps["data"]["facts"]["samples"] == [20000, 40000, 80000]
    assert steps["data"]["facts"]["extrapolate"] == "data.extrapolate"
    assert steps["migrations"]["facts"]["extrapolated"] == {"rows": 50000000, "samples": [20000, 40000, 80000]}
    revisions = {r["id"]: r for r in steps["migrations"]["revisions"]}
    assert set(revisions) == {"0002", "0003"}
    widen = revisions["0002"]["estimate"]
    assert [s["rows"] for s in widen["samples"]] == [20000, 40000, 80000]
    assert widen["rows"] == 50000000 and set(widen["fits"]) == {"blocking_s", "writes_blocked_s", "duration_s"}
    # 625 times the largest sample: whatever the machine, a rewrite grows past two seconds.
    assert widen["fits"]["writes_blocked_s"]["model"] in ("linear", "n log n")
    assert widen["writes_blocked_s"] > 2.0 and widen["blocking_s"] == widen["writes_blocked_s"]
    assert revisions["0002"]["measures"]["strongest_lock"] == "AccessExclusiveLock on public.events"
    assert "estimate" not in found["profiles"]["local"]["steps"]["migrations"]["revisions"][0] or \
        found["profiles"]["local"]["steps"]["migrations"]["revisions"][0]["estimate"] is None
    (divergence,) = [d for d in found["divergences"] if d["subject"] == "0002 widen ids"]
    assert divergence["target"].startswith("estimated to block writes ") and "at 50,000,000 rows" in divergence["target"]
    assert "over the lock budget (2.0s)" in divergence["target"]
    assert divergence["detail"].startswith("an estimate at 50,000,000 rows, not a measurement")
    assert divergence["cause"] == "data"
    assert not parity_resources(docker_client, project)


def test_a_sample_comes_back_with_its_rows_and_the_database_keeps_its_owner_grants_and_settings(
        docker_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    profile = "database: {version: '15', superuser: false}\n"
    with postgres_environment(docker_client, tmp_path, profile) as env:
        db = env.database
        assert db is not None
        with psycopg.connect(**db.connect_kwargs()) as conn:  # type: ignore[arg-type]
            conn.execute("CREATE TABLE events (id integer PRIMARY KEY, kind varchar(40) NOT NULL, body text)")
        per_row = bytes_per_row(db, {"events": 1_000_000})
        assert 40 < per_row < 400  # heap tuple, its text and a primary key entry
        free = free_bytes(docker_client, db)
        assert free is not None and free > 0
        assert fits(per_row * 1000, free) and not fits(free, free)
        with psycopg.connect(**db.admin_connect_kwargs(), autocommit=True) as conn:  # type: ignore[arg-type]
            assert conn.execute("SELECT count(*) FROM events").fetchone() == (0,)  # the probe was rolled back
            conn.execute("INSERT INTO events SELECT g, 'k', 'b' FROM generate_series(1, 500) g")
            conn.execute(f'ALTER DATABASE "{db.name}" SET work_mem = \'7MB\'')
            conn.execute(f'REVOKE CONNECT ON DATABASE "{db.name}" FROM PUBLIC')
            conn.execute(f'GRANT CONNECT ON DATABASE "{db.name}" TO {db.user}')
            before = conn.execute("SELECT pg_get_userbyid(datdba), datacl::text FROM pg_database "
                                  "WHERE datname = %s", (db.name,)).fetchone()
        save_sample(db, 500)
        with psycopg.connect(**db.connect_kwargs()) as conn:  # type: ignore[arg-type]
            conn.execute("ALTER TABLE events ALTER COLUMN id TYPE bigint")
            conn.execute("INSERT INTO events SELECT g, 'k', 'b' FROM generate_series(501, 600) g")
        assert saved_samples(db) == [500]
        restore_sample(db, 500)
        with psycopg.connect(**db.connect_kwargs()) as conn:  # type: ignore[arg-type]
            assert conn.execute("SELECT count(*), pg_typeof(max(id))::text FROM events").fetchone() == (500, "integer")
            assert conn.execute("SHOW work_mem").fetchone() == ("7MB",)
        with psycopg.connect(**db.admin_connect_kwargs()) as conn:  # type: ignore[arg-type]
            after = conn.execute("SELECT pg_get_userbyid(datdba), datacl::text FROM pg_database "
                                 "WHERE datname = %s", (db.name,)).fetchone()
        assert after == before and before is not None and before[0] == db.user
