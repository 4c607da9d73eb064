"""Real third-party apps, not written here, under production-shaped profiles.

`make realapps` installs them from PyPI and npm at pinned versions (nothing of theirs is
committed): a new Wagtail 7.0 site (Django 5.2) whose migrations run on this machine with the
site's own venv (`host.venv`) and whose smoke suite is pytest in that venv; and I Hate Money
7.2.1 (Flask, Flask-Migrate/Alembic) whose migrations run in a one-off container from its image
and whose smoke suite is Jest, read through the JUnit XML jest-junit writes (`smoke.junit`); and
a Node service's database side, migrated by node-pg-migrate and tested with node:test through
node-postgres (Node prints an error first and its stack after it); and PgQueuer 1.6.0, a job queue
whose `pgq` CLI runs on asyncpg with its statement cache on, behind PgBouncer's transaction pooling.

parity runs as a user runs it: from its own venv, with that venv's interpreter first on PATH
(the worst case for host commands: nothing of the apps is installed there). Each `parity run`
happens once per session (module-scoped fixtures); the app images are parity's cached builds,
shared by every run of the same app.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from parity.results import ASKED_FOR, STEP_NAMES
from tests.conftest import parity_resources

REALAPPS = Path(__file__).parent / "realapps"
WAGTAIL = REALAPPS / "wagtail"
IHATEMONEY = REALAPPS / "ihatemoney"
NODEPG = REALAPPS / "nodepg"
PGQUEUER = REALAPPS / "pgqueuer"
# The production secrets, as the CI job's secret store would export them: canaries that must
# reach the apps (their smoke tests fail without them) and never parity's output.
SECRETS = {"WAGTAIL_SECRET_KEY": "wagtail-canary-5d81c3e0", "IHATEMONEY_SECRET_KEY": "ihm-canary-0b7f29aa"}
# The steps every run makes (the others run only when a profile asks): each must pass on both sides.
STEPS = tuple(name for name in STEP_NAMES if name not in ASKED_FOR)
MIB = 1024 * 1024


@dataclass(frozen=True)
class Outcome:
    """One `parity run`: its exit code, terminal output and JSON report."""

    code: int
    output: str
    report: dict[str, Any]

    def steps(self, profile: str) -> dict[str, Any]:
        return self.report["profiles"][profile]["steps"]  # type: ignore[no-any-return]

    def explain(self) -> str:
        return f"exit {self.code}\n{self.output[-6000:]}"


def parity_run(project: Path, profile: str, tmp: Path, docker_client: Any, *flags: str) -> Outcome:
    """`parity run --profile PROFILE` on a real app, as a user runs it; nothing may be left behind."""
    report = tmp / "report.json"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | SECRETS
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(
        [sys.executable, "-m", "parity", "run", "--profile", profile, "--project", str(project),
         "--json", str(report), *flags],
        cwd=project, env=env, capture_output=True, text=True, timeout=840,  # within pytest-timeout
    )
    outcome = Outcome(result.returncode, result.stdout + result.stderr,
                      json.loads(report.read_text()) if report.is_file() else {})
    assert outcome.report, f"no JSON report\n{outcome.explain()}"
    assert not parity_resources(docker_client, project), "the run left containers, networks or volumes behind"
    for secret in SECRETS.values():
        assert secret not in outcome.output and secret not in report.read_text()
    return outcome


def installed(marker: Path) -> None:
    assert marker.exists(), f"{marker} is missing: run `make realapps` first (make test does)"


@pytest.fixture(scope="module")
def wagtail_prod(docker_client, tmp_path_factory: pytest.TempPathFactory) -> Outcome:  # type: ignore[no-untyped-def]
    installed(WAGTAIL / "mysite" / "mysite" / "settings" / "local.py")
    return parity_run(WAGTAIL, "prod", tmp_path_factory.mktemp("wagtail-prod"), docker_client)


@pytest.fixture(scope="module")
def ihatemoney_prod(docker_client, tmp_path_factory: pytest.TempPathFactory) -> Outcome:  # type: ignore[no-untyped-def]
    installed(IHATEMONEY / "node_modules" / ".installed")
    installed(IHATEMONEY / "wheelhouse" / ".done")
    return parity_run(IHATEMONEY, "prod", tmp_path_factory.mktemp("ihatemoney-prod"), docker_client)


def test_the_apps_tools_are_not_in_paritys_environment() -> None:
    # What makes the runs below prove something: with parity's interpreter first on PATH, a
    # host command that ignored host.venv would run `python manage.py` without Django.
    assert importlib.util.find_spec("django") is None
    assert importlib.util.find_spec("wagtail") is None
    assert (WAGTAIL / ".venv" / "bin" / "python").is_file()


def test_a_wagtail_site_is_parity_under_a_production_profile(wagtail_prod: Outcome) -> None:
    run = wagtail_prod
    assert run.code == 0, run.explain()
    assert run.report["verdict"] == "parity"
    assert run.report["divergences"] == [] and run.report.get("failures", []) == []
    for side in ("local", "prod"):
        steps = run.steps(side)
        assert {name: steps[name]["status"] for name in STEPS} == dict.fromkeys(STEPS, "ok"), side

        # Django's migrate, one result per migration, in the order Django applied them.
        migrations = steps["migrations"]["revisions"]
        ids = [m["id"] for m in migrations]
        assert len(migrations) > 100 and all(m["status"] == "ok" for m in migrations), ids
        assert ids[0] == "contenttypes.0001_initial" and any(i.startswith("wagtailcore.") for i in ids), ids
        # The project's own two, the second a data migration that creates the home page.
        assert [i for i in ids if i.startswith("home.")] == ["home.0001_initial", "home.0002_create_homepage"]
        assert all(m["duration_s"] >= 0 for m in migrations)
        assert "wagtailcore_page" in steps["migrations"]["schema"]["tables"]

        tests = {t["id"]: t["outcome"] for t in steps["smoke"]["tests"]}
        ours = {i for i in tests if "test_site" in i}
        assert {i.rsplit("::", 1)[-1] for i in ours} == {
            "test_the_home_page_made_by_the_migrations_is_served",
            "test_an_editor_signs_in_through_the_admin_form",
            "test_a_session_signed_here_with_the_sites_secret_is_accepted",
            "test_a_page_published_here_is_served_and_found_by_search",
        }, tests
        assert set(tests.values()) == {"passed"}, tests

    prod = run.steps("prod")
    assert str(prod["database"]["facts"]["server_version"]).startswith("15")
    assert prod["resources"]["facts"]["app_limit_bytes"] == 512 * MIB
    assert prod["resources"]["facts"]["app_oom_killed"] is False


def test_a_wagtail_site_on_postgres_13_diverges_at_the_migrations_with_djangos_error(  # type: ignore[no-untyped-def]
    docker_client, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Django 5.2 documents PostgreSQL 14 as its minimum; production on 13 must fail its migrations,
    # and --explain must confirm the version as the cause of that and of what follows from it.
    run = parity_run(WAGTAIL, "prod-pg13", tmp_path_factory.mktemp("wagtail-pg13"), docker_client, "--explain")
    assert run.code == 1, run.explain()
    assert run.report["verdict"] == "divergent"
    assert run.steps("local")["migrations"]["status"] == "ok"
    assert run.steps("prod-pg13")["migrations"]["status"] == "failed"
    migration = [d for d in run.report["divergences"] if d["step"] == "migrations"]
    assert migration, run.report["divergences"]
    evidence = " ".join(f"{d['target']} {d['detail']}" for d in migration)
    assert "NotSupportedError" in evidence and "PostgreSQL 14 or later is required" in evidence, evidence
    assert migration[0]["cause"] == "database.version", migration[0]
    for divergence in run.report["divergences"]:
        assert (divergence["cause"], divergence["cause_confidence"]) == ("database.version", "confirmed"), divergence


def test_i_hate_money_is_parity_under_a_production_profile(ihatemoney_prod: Outcome) -> None:
    run = ihatemoney_prod
    assert run.code == 0, run.explain()
    assert run.report["verdict"] == "parity"
    assert run.report["divergences"] == [] and run.report.get("failures", []) == []
    for side in ("local", "prod"):
        steps = run.steps(side)
        assert {name: steps[name]["status"] for name in STEPS} == dict.fromkeys(STEPS, "ok"), side
        # `ihatemoney db upgrade` ran the app's Alembic revisions in a one-off container, and
        # parity read the schema they left (prod's database.url names a CA path of the container).
        schema = steps["migrations"]["schema"]
        assert "error" not in schema, schema
        assert {"project", "person", "bill", "billowers"} <= set(schema["tables"])

        # Per-test results from the JUnit XML that jest-junit wrote.
        tests = {t["id"]: t["outcome"] for t in steps["smoke"]["tests"]}
        jest = {i for i in tests if not i.startswith("http:")}
        assert {i.rsplit("::", 1)[-1] for i in jest} == {
            "the health check answers",
            "a project created through the API balances its bills",
            "a password-reset link signed with the app's SECRET_KEY is accepted, a forged one is not",
        }, tests
        assert set(tests.values()) == {"passed"}, tests

    prod = run.steps("prod")
    assert str(prod["database"]["facts"]["server_version"]).startswith("15")
    assert prod["resources"]["facts"]["app_limit_bytes"] == 384 * MIB
    assert prod["resources"]["facts"]["app_oom_killed"] is False


def test_a_node_service_not_told_to_use_tls_diverges_with_the_drivers_own_message(  # type: ignore[no-untyped-def]
    docker_client, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Production forces TLS; the service's node-postgres connections do not ask for it. Node
    # prints the server's refusal first and ~25 lines of stack and error fields after it: the
    # refusal must still be what the report shows and what the cause is read from.
    installed(NODEPG / "node_modules" / ".installed")
    run = parity_run(NODEPG, "prod", tmp_path_factory.mktemp("nodepg-prod"), docker_client)
    assert run.code == 1, run.explain()
    assert run.steps("local")["migrations"]["status"] == "ok"
    found = {d["step"]: d for d in run.report["divergences"]}
    assert set(found) == {"migrations", "smoke"}, run.report["divergences"]
    refusal = "pg_hba.conf rejects connection for host"
    for divergence in found.values():
        assert refusal in divergence["detail"].splitlines()[0] and "no encryption" in divergence["detail"], divergence
        assert (divergence["cause"], divergence["cause_confidence"]) == ("database.ssl", "suspected"), divergence
        assert "&quot;" not in divergence["target"] + divergence["detail"], divergence  # node's JUnit escapes twice
    # The smoke divergence is the test itself, from node:test's JUnit XML.
    assert found["smoke"]["subject"].endswith("a note is stored and found by a fuzzy title search")


def test_a_node_service_using_tls_is_parity(docker_client, tmp_path_factory: pytest.TempPathFactory) -> None:  # type: ignore[no-untyped-def]
    installed(NODEPG / "node_modules" / ".installed")
    run = parity_run(NODEPG, "prod-tls", tmp_path_factory.mktemp("nodepg-prod-tls"), docker_client)
    assert run.code == 0, run.explain()
    assert run.report["verdict"] == "parity" and run.report["divergences"] == []
    for side in ("local", "prod-tls"):
        steps = run.steps(side)
        assert steps["migrations"]["status"] == "ok", side
        assert {"notes", "pgmigrations"} <= set(steps["migrations"]["schema"]["tables"]), side
        tests = {t["id"].rsplit("::", 1)[-1]: t["outcome"] for t in steps["smoke"]["tests"]}
        assert tests == {"a note is stored and found by a fuzzy title search": "passed"}, side
    assert str(run.steps("prod-tls")["database"]["facts"]["server_version"]).startswith("15")


def test_i_hate_money_is_parity_behind_transaction_pooling(docker_client, tmp_path_factory: pytest.TempPathFactory) -> None:  # type: ignore[no-untyped-def]
    # psycopg2, SQLAlchemy's default Postgres driver, prepares nothing on the server: a pooler that
    # hands each transaction another server connection changes nothing for the app.
    installed(IHATEMONEY / "node_modules" / ".installed")
    installed(IHATEMONEY / "wheelhouse" / ".done")
    run = parity_run(IHATEMONEY, "prod-pooled", tmp_path_factory.mktemp("ihatemoney-pooled"), docker_client)
    assert run.code == 0, run.explain()
    assert run.report["verdict"] == "parity" and run.report["divergences"] == []
    prod = run.steps("prod-pooled")
    assert {name: prod[name]["status"] for name in STEPS} == dict.fromkeys(STEPS, "ok")
    assert set(t["outcome"] for t in prod["smoke"]["tests"]) == {"passed"}, prod["smoke"]["tests"]
    assert prod["resources"]["facts"]["pooler_peak_bytes"] > 0  # the pooler was there


def test_an_asyncpg_job_queue_diverges_behind_transaction_pooling_and_explain_confirms_the_pooler(  # type: ignore[no-untyped-def]
    docker_client, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Each `pgq` process names its cached statements __asyncpg_stmt_1__, 2, ...: the second process
    # prepares a name the first left on the same server connection (PgBouncer resets none in
    # transaction mode). Migrations go straight to the server and pass.
    installed(PGQUEUER / ".venv" / ".installed")
    run = parity_run(PGQUEUER, "prod", tmp_path_factory.mktemp("pgqueuer-prod"), docker_client, "--explain")
    assert run.code == 1, run.explain()
    assert run.steps("prod")["migrations"]["status"] == "ok"
    (divergence,) = run.report["divergences"]
    assert divergence["step"] == "smoke", divergence
    assert 'DuplicatePreparedStatementError: prepared statement "__asyncpg_stmt_' in divergence["detail"], divergence
    assert (divergence["cause"], divergence["cause_confidence"]) == ("database.pooler", "confirmed"), divergence
    assert [e["keys"] for e in divergence["experiments"] if e["reproduced"]] == [["database.pooler"]], divergence


def test_the_asyncpg_job_queue_is_parity_with_pgbouncers_prepared_statements(  # type: ignore[no-untyped-def]
    docker_client, tmp_path_factory: pytest.TempPathFactory
) -> None:
    installed(PGQUEUER / ".venv" / ".installed")
    run = parity_run(PGQUEUER, "prod-prepared", tmp_path_factory.mktemp("pgqueuer-prepared"), docker_client)
    assert run.code == 0, run.explain()
    assert run.report["verdict"] == "parity" and run.report["divergences"] == []
    assert run.steps("prod-prepared")["smoke"]["status"] == "ok"
