"""database.failover without Docker: where a profile may fail over, how requests sent through a
failover are read, the facts the step records, and the one outcome that is a divergence."""

from __future__ import annotations

from pathlib import Path

import pytest

from parity.causes.keys import POSTGRES_ONLY, apply_group, differing_groups
from parity.diff import compare_runs
from parity.env.app_requests import Request, Sent
from parity.env.failover import Recovery, Timeline, facts, judge
from parity.errors import ProfileError
from parity.profile.loader import load_profile
from parity.profile.models import FailoverSpec, Profile
from parity.results import ProfileRun, StepResult, TestCase
from tests.conftest import write_profile

SMOKE = "smoke: {http: [{name: notes, path: /notes}], timeout: 30s}\n"


def load(project: Path, text: str) -> Profile:
    write_profile(project, "prod", text)
    return load_profile(project / "profiles", "prod").profile


def refused(project: Path, text: str) -> str:
    write_profile(project, "prod", text)
    with pytest.raises(ProfileError) as caught:
        load_profile(project / "profiles", "prod")
    return caught.value.message


def test_a_failover_in_the_smoke_step_loads_with_its_durations(project_dir: Path) -> None:
    profile = load(project_dir, "database: {failover: {at: smoke, after: 500ms, downtime: 3s}}\n" + SMOKE)
    assert profile.database is not None
    assert profile.database.failover == FailoverSpec(at="smoke", after=0.5, downtime=3.0)


def test_a_failover_in_a_step_the_profile_does_not_run_is_refused(project_dir: Path) -> None:
    message = refused(project_dir, "database: {failover: {at: smoke}}\n")
    assert message.endswith("database.failover.at: smoke, but the profile does not run that step: add smoke.http "
                            "checks (or smoke.command), or fail over in another step")
    message = refused(project_dir, "database: {failover: {at: startup}}\n" + SMOKE)
    assert message.endswith("database.failover.at: startup, but the profile does not run that step: add an app "
                            "section, or fail over in another step")


def test_a_downtime_longer_than_the_steps_timeout_is_refused(project_dir: Path) -> None:
    message = refused(project_dir, "database: {failover: {at: smoke, after: 2s, downtime: 29s}}\n" + SMOKE)
    assert "after 2s + downtime 29s is longer than smoke.timeout (30s): shorten the downtime" in message
    message = refused(project_dir, "database: {failover: {at: migrations, downtime: 1m}}\n"
                                   "migrations: {command: [alembic, upgrade, head], timeout: 30s}\n")
    assert "after 2s + downtime 60s is longer than migrations.timeout (30s)" in message
    message = refused(project_dir, "database: {failover: {at: startup, downtime: 10s}}\n"
                                   "app: {image: x:1, startup_probe: {tcp: true, period: 1s, failure_threshold: 5}}\n")
    assert "longer than the startup probe's budget (5s)" in message


def test_a_failover_while_the_traffic_runs_is_refused_not_ignored(project_dir: Path) -> None:
    message = refused(project_dir, "database: {failover: {at: traffic}}\n" + SMOKE)
    assert "database.failover.at: traffic is not supported yet" in message
    assert "use at: migrations to fail over while the traffic runs" in message


def test_a_failover_of_a_sqlite_file_is_refused(project_dir: Path) -> None:
    message = refused(project_dir, "database: {engine: sqlite, failover: {at: smoke}}\n" + SMOKE)
    assert "failover stops and starts a Postgres server" in message


def test_failover_is_a_postgres_only_cause_key_explain_can_flip_alone() -> None:
    base = Profile.model_validate({"database": {"version": "17"}, "smoke": {"http": [{"name": "n"}]}})
    target = Profile.model_validate({"database": {"version": "17", "failover": {"at": "smoke", "downtime": "2s"}},
                                     "smoke": {"http": [{"name": "n"}]}})
    assert "database.failover" in POSTGRES_ONLY
    groups = differing_groups(base, target)
    assert [g.keys for g in groups] == [("database.failover",)]
    flipped = apply_group(base, target, groups[0]).profile
    assert flipped is not None and flipped.database is not None
    assert flipped.database.failover == FailoverSpec(at="smoke", after=2.0, downtime=2.0)


NOTES, HEALTH = Request("GET", "/notes"), Request("GET", "/healthz")


def sent(request: Request, started: float, status: int | None) -> Sent:
    """A request started at `started` (monotonic), answered 0.01 s later with `status` (None: refused)."""
    if status is None:
        return Sent(request, started, started + 0.01, "refused", error="ConnectionRefusedError")
    return Sent(request, started, started + 0.01, "answered", status=status, body="" if status == 200 else "boom")


TIMELINE = Timeline(cut_s=2.0, back_s=5.0)  # from a step that started at t=100


def test_requests_failing_during_the_downtime_are_counted_and_the_app_recovers_once_every_check_answers() -> None:
    requests = [sent(NOTES, 100.5, 200), sent(HEALTH, 101.0, 200),
                sent(NOTES, 102.5, 500), sent(HEALTH, 103.0, 200), sent(NOTES, 104.0, 500),  # during
                sent(NOTES, 105.2, 500),  # the first after the return: a stale pooled connection
                sent(NOTES, 105.4, 200), sent(HEALTH, 105.6, 200), sent(NOTES, 106.0, 200)]
    recovery = judge(requests, TIMELINE, step_started=100.0)
    assert recovery == Recovery(sent=9, failed_during=2, failed_after=1, recovered_s=5.61,
                                first_error="GET /notes -> 500, expected 200: boom",
                                cut_error="GET /notes -> 500, expected 200: boom")
    assert recovery.recovered


def test_an_app_that_fails_every_request_after_the_return_never_recovered() -> None:
    requests = [sent(NOTES, 101.0, 200), sent(NOTES, 103.0, None), sent(NOTES, 106.0, 500), sent(NOTES, 107.0, 500)]
    recovery = judge(requests, TIMELINE, step_started=100.0)
    assert (recovery.recovered, recovery.failed_during, recovery.failed_after) == (False, 1, 2)
    assert recovery.cut_error == "GET /notes: refused: ConnectionRefusedError"


def test_the_facts_say_when_it_happened_and_only_a_lost_app_sets_the_divergent_fact() -> None:
    spec = FailoverSpec(at="smoke", after=2.0, downtime=2.0)
    kept = facts(spec, TIMELINE, Recovery(sent=9, failed_during=2, failed_after=1, recovered_s=5.61))
    assert kept == {"failover": {"at": "smoke", "after_s": 2.0, "downtime_s": 2.0, "cut_at_s": 2.0,
                                 "back_at_s": 5.0, "down_s": 3.0, "requests": 9, "failed_during": 2,
                                 "failed_after_back": 1, "recovered": True, "recovered_at_s": 5.61}}
    lost = facts(spec, TIMELINE, Recovery(sent=4, failed_during=1, failed_after=2, recovered_s=None,
                                          first_error="GET /notes -> 500, expected 200: closed"))
    assert lost["failover_not_recovered"] is True
    assert lost["failover"]["error_after_back"] == "GET /notes -> 500, expected 200: closed"


def smoke_run(name: str, smoke: StepResult) -> ProfileRun:
    return ProfileRun(name=name, steps={"smoke": smoke})


def test_only_an_app_that_did_not_recover_diverges() -> None:
    passed, failed = TestCase(id="http:notes", outcome="passed"), TestCase(id="http:notes", outcome="failed",
                                                                            message="GET /notes -> 500")
    baseline = smoke_run("local", StepResult(status="ok", summary="1 passed", tests=[passed]))
    recovered = StepResult(status="ok", summary="1 passed", tests=[passed],
                           facts={"failover": {"recovered": True, "failed_during": 40}})
    lost = StepResult(status="failed", summary="lost", detail="psycopg.OperationalError: the connection is closed",
                      tests=[failed], facts={"failover": {"recovered": False}, "failover_not_recovered": True})
    assert compare_runs(baseline, smoke_run("prod", recovered)).divergences == []
    found = compare_runs(baseline, smoke_run("prod", lost)).divergences
    assert [(f.divergence.step, f.divergence.subject, f.divergence.detail) for f in found] == [
        ("smoke", "recovery after the database failover", "psycopg.OperationalError: the connection is closed"),
        ("smoke", "http:notes", "GET /notes -> 500")]
