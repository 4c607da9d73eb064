"""Migrations rehearsed like a deploy: at production size, under traffic, measured and held to budgets."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import psycopg

from parity.env.environment import Environment
from parity.env.traffic import Traffic
from parity.profile.models import TrafficSpec
from tests.conftest import parity_resources
from tests.integration.projects import parity_cli
from tests.integration.rehearsal import Rev, alembic_project, postgres_environment

REVISIONS = [
    Rev("0001", "create notes",
        "CREATE TABLE notes (id serial PRIMARY KEY, title varchar(200) NOT NULL, body text NOT NULL)",
        "DROP TABLE notes"),
    # Instant on any size, but it needs ACCESS EXCLUSIVE: it waits behind a pg_dump's ACCESS SHARE,
    # and every query on notes queues behind it.
    Rev("0002", "archive flag", "ALTER TABLE notes ADD COLUMN archived boolean", "ALTER TABLE notes DROP COLUMN archived"),
    # Not CONCURRENTLY: writes to notes wait for the whole build, which takes as long as the table is big
    # (an expression index, so that the build at 1M rows stays well above the 300ms budget on a fast machine).
    Rev("0003", "index titles", "CREATE INDEX notes_title ON notes (md5(title), title)", "DROP INDEX notes_title"),
]
TRAFFIC = (
    "traffic: {rate: 50/s, connections: 4, hold: [notes], hold_for: 4s, sql: ["
    "'UPDATE notes SET body = body WHERE id = (SELECT (random() * 1000)::int + 1)', "
    "'SELECT title FROM notes WHERE id = (SELECT (random() * 1000)::int + 1)']}\n"
)


def test_a_blocking_index_diverges_at_production_size_and_not_on_an_empty_database(docker_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    budget = "migrations: {command: [alembic, upgrade, head], run_in: host, lock_budget: 300ms}\n"
    project = alembic_project(tmp_path, REVISIONS, {
        "local": "database: {version: '17'}\n" + budget,
        "prod": "database: {version: '15', ssl: required, superuser: false, memory: 512m}\n" + budget
                + "data: {at: '0001', rows: {notes: 1000000}}\n" + TRAFFIC,
    })
    report = tmp_path / "report.json"
    result = parity_cli(["run", "--profile", "prod", "--json", str(report)], cwd=project)
    assert result.returncode == 1, result.stderr
    found = json.loads(report.read_text())
    divergences = {d["subject"]: d for d in found["divergences"]}
    assert set(divergences) == {"0002 archive flag", "0003 index titles"}, found["divergences"]
    index, alter = divergences["0003 index titles"], divergences["0002 archive flag"]
    assert index["step"] == "migrations" and "over the lock budget (300ms)" in index["target"]
    assert "within the lock budget" in index["baseline"]
    assert index["cause"] == "data" and alter["cause"] == "traffic"  # size for the index, the hold for the ALTER

    prod = {r["id"]: r for r in found["profiles"]["prod"]["steps"]["migrations"]["revisions"]}
    local = {r["id"]: r for r in found["profiles"]["local"]["steps"]["migrations"]["revisions"]}
    assert set(prod) == {"0002", "0003"} and set(local) == {"0001", "0002", "0003"}
    built = prod["0003"]["measures"]
    assert built["strongest_lock"] == "ShareLock on public.notes"
    assert built["blocked_queries"] >= 1 and built["longest_block_s"] > 0.3 and built["blocking_basis"] == "traffic"
    assert built["rewritten"] == [] and built["lock_timeout"] == "none"
    waited = prod["0002"]["measures"]
    assert waited["lock_wait_s"] > 0.3 and waited["blocked_queries"] >= 1  # queued behind the waiting ALTER
    assert local["0003"]["measures"]["blocking_s"] < 0.3 and local["0003"]["measures"]["blocking_basis"] == "locks"
    rehearsal = found["profiles"]["prod"]["steps"]["migrations"]["facts"]["rehearsal"]
    assert rehearsal["traffic"]["sent"] > 10 and rehearsal["traffic"]["held"] == ["notes"]
    assert "migrations.lock_budget" in result.stdout
    assert not parity_resources(docker_client, project)


def _backends(env: Environment) -> list[str]:
    assert env.database
    with psycopg.connect(**env.database.admin_connect_kwargs()) as conn:  # type: ignore[arg-type]
        rows = conn.execute("SELECT application_name FROM pg_stat_activity "
                            "WHERE application_name LIKE 'parity-%' AND pid <> pg_backend_pid()").fetchall()
    return [r[0] for r in rows]


def test_the_traffic_never_outlives_its_run(docker_client, tmp_path: Path, no_leaks: None) -> None:  # type: ignore[no-untyped-def]
    profile = "database: {version: '15', ssl: required, superuser: false}\n"
    with postgres_environment(docker_client, tmp_path, profile) as env:
        assert env.database
        with psycopg.connect(**env.database.connect_kwargs()) as conn:  # type: ignore[arg-type]
            conn.execute("CREATE TABLE notes (id int)")
        # Statements that would run for minutes and a hold meant to last an hour: stop() ends them now.
        spec = TrafficSpec(rate=100, connections=3, sql=["SELECT pg_sleep(120)"], hold=["notes"], hold_for=3600)
        traffic = Traffic(env.database, spec, deadline_s=600).start()
        deadline = time.monotonic() + 10
        while sorted(_backends(env)) != ["parity-hold"] + ["parity-traffic"] * 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert sorted(_backends(env)) == ["parity-hold"] + ["parity-traffic"] * 3
        started = time.monotonic()
        report = traffic.stop()
        assert time.monotonic() - started < 5
        assert _backends(env) == []
        assert not [t for t in threading.enumerate() if t.name.startswith("parity-traffic")]
        assert report.errors == 0  # statements cancelled by stop() are not the app's errors

        # Its own deadline ends it too, with nobody calling stop().
        quick = Traffic(env.database, TrafficSpec(rate=50, sql=["SELECT 1"]), deadline_s=1.0).start()
        time.sleep(1.5)
        sent = len(quick.queries)
        time.sleep(0.5)
        assert len(quick.queries) == sent and 30 <= sent <= 60
        quick.stop()
        assert _backends(env) == []


def test_an_image_without_pg_stat_statements_is_rehearsed_without_it(docker_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # A custom image built without the contrib modules: loading pg_stat_statements would stop the
    # server from starting; parity starts it without, and says lock_timeout is unknown.
    tag = f"parity-test-nostatements:{tmp_path.name[-20:].lower().strip('_-') or 'x'}"
    build = tmp_path / "image"
    build.mkdir()
    (build / "Dockerfile").write_text("FROM postgres:15\nRUN rm -f /usr/lib/postgresql/15/lib/pg_stat_statements*\n")
    docker_client.images.build(path=str(build), tag=tag, rm=True, labels={"io.parity.test": "nostatements"})
    try:
        budget = "migrations: {command: [alembic, upgrade, head], run_in: host, lock_budget: 5s}\n"
        project = alembic_project(tmp_path / "p", REVISIONS, {"local": f"database: {{image: '{tag}'}}\n" + budget,
                                                               "prod": f"database: {{image: '{tag}'}}\n" + budget})
        result = parity_cli(["run", "--profile", "prod", "--json", str(tmp_path / "r.json")], cwd=project)
        assert result.returncode == 0, result.stderr
        assert "has no pg_stat_statements" in result.stderr
        steps = json.loads((tmp_path / "r.json").read_text())["profiles"]["prod"]["steps"]
        assert steps["database"]["facts"]["pg_stat_statements"] is False
        measures = [r["measures"] for r in steps["migrations"]["revisions"]]
        assert len(measures) == 3 and all(m["lock_timeout"] is None for m in measures)
        assert not parity_resources(docker_client, project)
    finally:
        # The pre-initialised cluster made from it carries its label too.
        for image in docker_client.images.list(filters={"label": "io.parity.test=nostatements"}):
            for name in image.tags:
                docker_client.images.remove(name, force=True)
