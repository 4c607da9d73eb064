"""The diff: outcomes compared step by step, each divergence with the failing side's own evidence,
and the suspected cause `compare` attaches."""

from __future__ import annotations

from parity.diff import compare, compare_runs
from parity.profile.models import Profile
from parity.results import ProfileRun, Revision, StepResult, TestCase

LOCAL = Profile.model_validate({
    "database": {"version": "17", "ssl": "off", "superuser": True},
    "app": {"build": ".", "startup_probe": {"http": "/h", "period": "1s", "failure_threshold": 30}},
    "secrets": {"source": "dotenv", "values": {"SECRET_KEY": {"value": "dev"}}},
})
PROD = Profile.model_validate({
    "database": {"version": "15", "ssl": "required", "superuser": False, "max_connections": 20},
    "app": {"build": ".", "memory": "256m", "read_only": True, "user": "10001",
            "startup_probe": {"http": "/h", "period": "1s", "failure_threshold": 2}},
    "secrets": {"source": "files", "values": {"SECRET_KEY": {"env": "SECRET_KEY"}}},
})


def ok(**kwargs: object) -> StepResult:
    return StepResult(status="ok", **kwargs)  # type: ignore[arg-type]


def failed(**kwargs: object) -> StepResult:
    return StepResult(status="failed", **kwargs)  # type: ignore[arg-type]


def run(name: str, **steps: StepResult) -> ProfileRun:
    return ProfileRun(name=name, steps=steps)


def test_a_revision_failing_only_in_the_target_is_a_migrations_divergence() -> None:
    revs = [Revision(id="0001", status="ok", duration_s=0.1), Revision(id="0002", description="view", status="ok")]
    bad = [Revision(id="0001", status="ok", duration_s=0.1),
           Revision(id="0002", description="view", status="failed",
                    error="psycopg.errors.UndefinedFunction: function any_value(text) does not exist")]
    found, both = compare(run("local", migrations=ok(revisions=revs)),
                          run("prod", migrations=failed(revisions=bad)), LOCAL, PROD)
    assert both == []
    assert [(d.step, d.subject, d.cause) for d in found] == [("migrations", "0002 view", "database.version")]
    assert found[0].cause_confidence == "suspected" and "undefined_function" in found[0].cause_note
    assert "any_value" in found[0].detail and found[0].target.startswith("failed")


def test_timing_alone_is_not_a_divergence_but_crossing_the_budget_is() -> None:
    fast = ok(summary="ready in 0.3s", facts={"ready_s": 0.3, "budget_s": 2})
    slower = ok(summary="ready in 1.9s", facts={"ready_s": 1.9, "budget_s": 2})
    assert compare(run("local", startup=fast), run("prod", startup=slower), LOCAL, PROD) == ([], [])
    over = failed(summary="ready after 4.0s, over the probe budget of 2.0s", detail="first probe at 4.0s",
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


def test_a_divergence_is_read_from_the_failing_side_only_never_its_name() -> None:
    test_id = "tests/test_secrets.py::test_secrets_rotate"
    passing = ok(tests=[TestCase(id=test_id, outcome="passed", message="captured: Read-only file system")])
    read_only = failed(tests=[TestCase(id=test_id, outcome="failed",
                                       message="OSError: [Errno 30] Read-only file system: '/app/x'")])
    (finding,) = compare_runs(run("local", smoke=passing), run("prod", smoke=read_only)).divergences
    assert finding.evidence.side == "target" and finding.evidence.text.startswith("OSError")
    named_only = failed(tests=[TestCase(id=test_id, outcome="failed", message="AssertionError: assert 2 == 3")])
    found, _ = compare(run("local", smoke=passing), run("prod", smoke=named_only), LOCAL, PROD)
    assert [(d.subject, d.cause, d.cause_confidence) for d in found] == [
        ("tests/test_secrets.py::test_secrets_rotate", None, "unknown")]
    # A name that reads like an error class is still only a name.
    misleading = "tests/test_limits.py::test_OOMKilled_EROFS_and_KeyError_SECRET_KEY_are_reported"
    found, _ = compare(run("local", smoke=ok(tests=[TestCase(id=misleading, outcome="passed")])),
                       run("prod", smoke=failed(tests=[TestCase(id=misleading, outcome="failed",
                                                                message="assert 1 == 2")])), LOCAL, PROD)
    assert [d.cause for d in found] == [None]


def test_a_run_cut_short_is_compared_on_the_steps_it_ran() -> None:
    revs = [Revision(id="0001", status="ok")]
    bad = [Revision(id="0001", status="failed", error="boom")]
    full = run("local", database=ok(), migrations=ok(revisions=revs), startup=ok(),
               smoke=ok(tests=[TestCase(id="a", outcome="passed")]), resources=ok())
    partial = run("exp", database=ok(), migrations=failed(revisions=bad))
    comparison = compare_runs(full, partial)
    assert [(f.divergence.step, f.divergence.subject) for f in comparison.divergences] == [("migrations", "0001")]


def test_divergences_come_in_run_order() -> None:
    b = run("local", migrations=ok(revisions=[Revision(id="1", status="ok")]), startup=ok(),
            smoke=ok(tests=[TestCase(id="t", outcome="passed")]))
    t = run("prod", migrations=failed(revisions=[Revision(id="1", status="failed", error="x")]),
            startup=ok(), smoke=failed(tests=[TestCase(id="t", outcome="failed", message="y")]))
    assert [f.divergence.step for f in compare_runs(b, t).divergences] == ["migrations", "smoke"]


def shutdown_facts(*, sigkilled: bool = False, dropped: int = 0) -> dict[str, object]:
    return {"signal": "SIGTERM", "grace_period_s": 2.0, "exited_after_s": 2.05 if sigkilled else 0.3,
            "sigkilled": sigkilled, "in_flight_failed": dropped}


def test_a_shutdown_crossing_the_grace_period_or_dropping_requests_on_the_target_only_points_at_app_shutdown() -> None:
    stopping = Profile.model_validate({**PROD.model_dump(), "app": {
        **PROD.model_dump()["app"], "shutdown": {"termination_grace_period": "2s", "request": {"path": "/slow"}}}})
    skipped = StepResult(status="skipped", summary="no app.shutdown in this profile")
    killed = failed(summary="still running 2s after SIGTERM: SIGKILLed", facts=shutdown_facts(sigkilled=True),
                    detail="app: still running 2s after SIGTERM: SIGKILLed at the end of its grace period")
    found, both = compare(run("local", shutdown=skipped), run("prod", shutdown=killed), LOCAL, stopping)
    assert both == []
    assert [(d.step, d.subject, d.cause, d.cause_confidence) for d in found] == [
        ("shutdown", "grace period", "app.shutdown", "suspected")]
    assert "SIGKILL" in found[0].detail and found[0].baseline.startswith("skipped")
    dropped = failed(summary="exited 0.1s after SIGTERM, 1 in-flight request(s) dropped",
                     facts=shutdown_facts(dropped=1), detail="GET /slow: reset: RemoteDisconnected")
    found, _ = compare(run("local", shutdown=skipped), run("prod", shutdown=dropped), LOCAL, stopping)
    assert [(d.subject, d.cause) for d in found] == [("in-flight requests", "app.shutdown")]
    # Stopped cleanly on both sides, however long each took within its grace period: parity.
    clean = ok(summary="exited 0.3s after SIGTERM (exit 0)", facts=shutdown_facts())
    slower = ok(summary="exited 1.8s after SIGTERM (exit 0)", facts={**shutdown_facts(), "exited_after_s": 1.8})
    assert compare(run("local", shutdown=clean), run("prod", shutdown=slower), stopping, stopping) == ([], [])
    # The same crossing on both sides is a failure of both, not parity.
    assert [(f.step, f.subject) for f in compare(run("local", shutdown=killed), run("prod", shutdown=killed),
                                                 stopping, stopping)[1]] == [("shutdown", "grace period")]


def test_requests_failing_during_a_rollout_on_the_target_only_point_at_app_rollout() -> None:
    one = Profile.model_validate({"app": {"build": ".", "replicas": 2}})
    rolling = Profile.model_validate({"app": {"build": ".", "replicas": 2, "rollout": True}})
    skipped = StepResult(status="skipped", summary="no app.rollout in this profile")
    failing = failed(summary="2 replicas replaced; 2 of 40 requests failed meanwhile",
                     facts={"rollout_failed_requests": 2, "replaced": []},
                     detail="GET /x -> 502 from app-1: it closed the connection before answering")
    found, _ = compare(run("local", rollout=skipped), run("prod", rollout=failing), one, rolling)
    assert [(d.step, d.subject, d.cause) for d in found] == [("rollout", "requests during the rollout", "app.rollout")]
    assert "from app-1" in found[0].detail
    stalled = failed(summary="0 of 2 replicas replaced; stalled: app-3 never ready", facts={"stalled": True})
    found, _ = compare(run("local", rollout=skipped), run("prod", rollout=stalled), one, rolling)
    assert [(d.subject, d.cause) for d in found] == [("new replica ready", "app.rollout")]
    clean = ok(summary="2 replicas replaced; all 40 requests answered meanwhile",
               facts={"rollout_failed_requests": 0})
    assert compare(run("local", rollout=skipped), run("prod", rollout=clean), one, rolling) == ([], [])


def test_smoke_tests_failing_after_the_same_sides_migrations_inherit_their_cause() -> None:
    bad = [Revision(id="0002", description="view", status="failed",
                    error="psycopg.errors.UndefinedFunction: function any_value(text) does not exist")]
    good = [Revision(id="0002", description="view", status="ok")]
    tests = [TestCase(id="t::list", outcome="passed")]
    broken = [TestCase(id="t::list", outcome="failed", message='relation "orders_view" does not exist')]
    found, _ = compare(run("local", migrations=ok(revisions=good), smoke=ok(tests=tests)),
                       run("prod", migrations=failed(revisions=bad), smoke=failed(tests=broken)), LOCAL, PROD)
    assert [(d.step, d.cause) for d in found] == [("migrations", "database.version"), ("smoke", "database.version")]
    assert found[1].cause_note.startswith("inherited: the target's migrations failed first (0002 view)")
    # Failing on the other side, the smoke test inherits nothing.
    found, _ = compare(run("local", migrations=ok(revisions=good), smoke=failed(tests=broken)),
                       run("prod", migrations=failed(revisions=bad), smoke=ok(tests=tests)), LOCAL, PROD)
    assert [(d.step, d.cause) for d in found] == [("migrations", "database.version"), ("smoke", None)]


def test_the_failing_sides_measured_server_and_data_reach_the_cause() -> None:
    error = "ERROR: function gen_random_uuid() does not exist"
    revs = [Revision(id="0001", status="ok")]
    bad = [Revision(id="0001", status="failed", error=error)]
    # The target's profile says 15 (which has it); parity measured a 12 server.
    measured = ok(facts={"server_version": "12.19 (Debian 12.19-1.pgdg120+1)"})
    found, _ = compare(run("local", migrations=ok(revisions=revs)),
                       run("prod", database=measured, migrations=failed(revisions=bad)), LOCAL, PROD)
    assert found[0].cause == "database.version" and "Postgres 12" in found[0].cause_note
    deadlock = [Revision(id="0001", status="failed", error="ERROR: deadlock detected (SQLSTATE 40P01)")]
    with_data = Profile.model_validate({**PROD.model_dump(mode="json", exclude={"description", "extends"}),
                                        "data": {"restore": "prod.dump"}})
    found, _ = compare(run("local", migrations=ok(revisions=revs)),
                       run("prod", data=ok(), migrations=failed(revisions=deadlock)), LOCAL, with_data)
    assert found[0].cause == "data" and "alone loaded data" in found[0].cause_note
    found, _ = compare(run("local", data=ok(), migrations=ok(revisions=revs)),
                       run("prod", data=ok(), migrations=failed(revisions=deadlock)), LOCAL, with_data)
    assert found[0].cause is None
