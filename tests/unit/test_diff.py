"""The diff: outcomes compared step by step, causes from evidence and the keys that really differ."""

from __future__ import annotations

import pytest

from parity.diff import compare, differing_keys, infer_cause
from parity.profile.models import Profile
from parity.results import ProfileRun, Revision, StepResult, TestCase

LOCAL = Profile.model_validate({
    "database": {"version": "17", "ssl": "off", "superuser": True},
    "app": {"build": ".", "startup_probe": {"http": "/h", "period": "1s", "failure_threshold": 30}},
    "secrets": {"source": "dotenv"},
})
PROD = Profile.model_validate({
    "database": {"version": "15", "ssl": "required", "superuser": False, "max_connections": 20},
    "app": {"build": ".", "memory": "256m", "read_only": True, "user": "10001",
            "startup_probe": {"http": "/h", "period": "1s", "failure_threshold": 2}},
    "secrets": {"source": "files"},
})


def ok(**kwargs: object) -> StepResult:
    return StepResult(status="ok", **kwargs)  # type: ignore[arg-type]


def failed(**kwargs: object) -> StepResult:
    return StepResult(status="failed", **kwargs)  # type: ignore[arg-type]


def run(name: str, **steps: StepResult) -> ProfileRun:
    return ProfileRun(name=name, steps=steps)


def test_differing_keys_are_spec_level_names() -> None:
    keys = differing_keys(LOCAL, PROD)
    assert {"database.version", "database.ssl", "database.superuser", "database.max_connections",
            "app.memory", "app.read_only", "app.user", "app.startup_probe", "secrets.source"} <= keys
    assert "app.port" not in keys and "app.startup_probe.failure_threshold" not in keys


@pytest.mark.parametrize(
    ("evidence", "step", "cause"),
    [
        ('syntax error at or near "NULLS"', "migrations", "database.version"),
        ("function any_value(text) does not exist", "migrations", "database.version"),
        ('FATAL: pg_hba.conf rejects connection for host "1.2.3.4", user "app", no encryption', "smoke", "database.ssl"),
        ("permission denied to create extension \"postgres_fdw\"", "migrations", "database.superuser"),
        ("never ready: OOMKilled (exit 137)", "startup", "app.memory"),
        ("startup probe budget exhausted", "startup", "app.startup_probe"),
        ("ConfigError: SECRET_KEY is not configured", "smoke", "secrets.source"),
        ("OSError: [Errno 30] Read-only file system: '/app/cache'", "startup", "app.read_only"),
        ("FATAL: sorry, too many clients already", "smoke", "database.max_connections"),
        ("FATAL: remaining connection slots are reserved for roles with the SUPERUSER attribute", "smoke",
         "database.max_connections"),
        ("PermissionError: [Errno 13] Permission denied: '/app/data'", "startup", "app.user"),
        ("something odd happened", "smoke", None),
    ],
)
def test_causes_follow_the_evidence(evidence: str, step: str, cause: str | None) -> None:
    assert infer_cause(evidence, differing_keys(LOCAL, PROD), step) == cause


def test_a_cause_is_only_blamed_when_that_key_differs() -> None:
    same_version = {"database.ssl"}
    assert infer_cause("function any_value(text) does not exist", same_version, "migrations") is None


def test_a_revision_failing_only_in_the_target_is_a_migrations_divergence() -> None:
    revs = [Revision(id="0001", status="ok", duration_s=0.1), Revision(id="0002", description="view", status="ok")]
    bad = [Revision(id="0001", status="ok", duration_s=0.1),
           Revision(id="0002", description="view", status="failed",
                    error="psycopg.errors.UndefinedFunction: function any_value(text) does not exist")]
    found, both = compare(run("local", migrations=ok(revisions=revs)),
                          run("prod", migrations=failed(revisions=bad)), LOCAL, PROD)
    assert both == []
    assert [(d.step, d.subject, d.cause) for d in found] == [("migrations", "0002 view", "database.version")]
    assert "any_value" in found[0].detail and found[0].target.startswith("failed")


def test_timing_alone_is_not_a_divergence_but_crossing_the_budget_is() -> None:
    fast = ok(summary="ready in 0.3s", facts={"ready_s": 0.3, "budget_s": 2})
    slower = ok(summary="ready in 1.9s", facts={"ready_s": 1.9, "budget_s": 2})
    assert compare(run("local", startup=fast), run("prod", startup=slower), LOCAL, PROD) == ([], [])
    over = failed(summary="ready after 4.0s, over the probe budget of 2.0s", detail="startup probe budget exhausted",
                  facts={"ready_s": 4.0, "budget_exhausted": True})
    found, _ = compare(run("local", startup=fast), run("prod", startup=over), LOCAL, PROD)
    assert [(d.step, d.subject, d.cause) for d in found] == [("startup", "ready", "app.startup_probe")]


def test_smoke_tests_compare_per_test_and_both_failing_is_a_failure_not_parity() -> None:
    b = ok(tests=[TestCase(id="t::a", outcome="passed"), TestCase(id="t::b", outcome="failed", message="boom")])
    t = failed(tests=[TestCase(id="t::a", outcome="failed", message="ConfigError: SECRET_KEY is not configured"),
                      TestCase(id="t::b", outcome="failed", message="boom")])
    found, both = compare(run("local", smoke=b), run("prod", smoke=t), LOCAL, PROD)
    assert [(d.subject, d.cause) for d in found] == [("t::a", "secrets.source")]
    assert [(d.step, d.subject, d.cause) for d in both] == [("smoke", "t::b", None)]


def test_smoke_tests_that_lost_an_oom_killed_app_are_blamed_on_its_memory() -> None:
    b = ok(tests=[TestCase(id="t::export", outcome="passed")])
    t = failed(tests=[TestCase(id="t::export", outcome="failed", message="RemoteDisconnected('Remote end closed')")])
    resources_b = ok(facts={"app_oom_killed": False})
    resources_t = failed(facts={"app_oom_killed": True, "app_limit_bytes": 256 * 2**20})
    found, _ = compare(run("local", smoke=b, resources=resources_b),
                       run("prod", smoke=t, resources=resources_t), LOCAL, PROD)
    assert [(d.step, d.subject, d.cause) for d in found] == [
        ("smoke", "t::export", "app.memory"), ("resources", "app memory", "app.memory")]
    assert "256 MiB" in found[1].target


def test_schema_differences_are_reported_when_migrations_agree() -> None:
    def snapshot(col_type: str, views: list[str]) -> dict[str, object]:
        return {"tables": {"notes": {"columns": {"id": {"type": "INTEGER", "nullable": False},
                                                 "body": {"type": col_type, "nullable": True}},
                                     "primary_key": ["id"], "indexes": [], "unique": [], "foreign_keys": [],
                                     "checks": []}},
                "views": views}
    found, _ = compare(run("local", migrations=ok(schema=snapshot("JSONB", ["v"]))),
                       run("prod", migrations=ok(schema=snapshot("JSON", []))), LOCAL, PROD)
    assert {(d.step, d.subject) for d in found} == {("schema", "column notes.body"), ("schema", "views")}
    assert all(d.cause == "database.version" for d in found)


def test_identical_runs_have_no_divergences() -> None:
    steps = {"database": ok(), "migrations": ok(revisions=[Revision(id="1", status="ok")]),
             "startup": ok(), "smoke": ok(tests=[TestCase(id="a", outcome="passed")]), "resources": ok()}
    assert compare(run("local", **steps), run("prod", **steps), LOCAL, PROD) == ([], [])
