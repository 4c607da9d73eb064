"""Rehearsal figures from the lock monitor's samples, and budgets held against both sides."""

from __future__ import annotations

from parity.diff import Budgets, compare, compare_runs
from parity.env.monitor import Backend, Sample, TableLock
from parity.env.traffic import TrafficQuery
from parity.migrate.measure import Window, measure
from parity.profile.models import Profile
from parity.results import Measures, ProfileRun, Revision, StepResult

MIGRATION, TRAFFIC, HOLD = 101, 201, 301
WINDOWS = [Window("0001", 10.0, 10.5), Window("0002", 10.6, 14.0), Window("0003", 14.1, 14.3)]


def backends(*, traffic_waits: bool = False, migration_waits: bool = False) -> tuple[Backend, ...]:
    return (Backend(MIGRATION, "alembic", waiting=migration_waits, blockers=(HOLD,) if migration_waits else ()),
            Backend(TRAFFIC, "parity-traffic", waiting=traffic_waits, query_start=11.0,
                    blockers=(MIGRATION,) if traffic_waits else ()),
            Backend(HOLD, "parity-hold"))


def test_a_revision_that_holds_a_share_lock_blocks_the_traffic_for_as_long_as_the_traffic_saw() -> None:
    share = TableLock(MIGRATION, "public.notes", "ShareLock", granted=True)
    waiting = TableLock(TRAFFIC, "public.notes", "RowExclusiveLock", granted=False, wait_start=11.0)
    samples = [Sample(10.2, backends()),
               *(Sample(at, backends(traffic_waits=True), (share, waiting)) for at in (11.0, 11.5, 12.0, 13.0)),
               Sample(14.2, backends())]
    # Another traffic query waits on the hold, not on the migration: not counted.
    row_wait = Backend(202, "parity-traffic", waiting=True, query_start=12.0, blockers=(HOLD,))
    samples.append(Sample(12.5, (*backends(traffic_waits=True), row_wait), (share, waiting)))
    samples.sort(key=lambda s: s.at)
    queries = [TrafficQuery(TRAFFIC, 10.95, 13.2), TrafficQuery(TRAFFIC, 13.3, 13.31, error="deadlock detected")]
    found = measure(samples, WINDOWS, queries, traffic=True, lock_timeout="0")
    index = found["0002"]
    assert index.strongest_lock == "ShareLock on public.notes"
    assert index.blocked_queries == 1 and index.longest_block_s == 2.25  # the traffic's own record of it
    assert index.blocking_s == 2.25 and index.blocking_basis == "traffic"
    assert index.traffic_errors == 1 and index.traffic_error == "deadlock detected"
    assert index.writes_blocked_s > 2.0 and index.lock_timeout == "none"
    assert found["0001"].blocked_queries == 0 and found["0001"].strongest_lock is None
    assert found["0003"] == Measures(lock_timeout="none", blocking_basis="traffic")


def test_a_revision_waiting_behind_a_hold_queues_the_traffic_behind_it() -> None:
    # ALTER waits for ACCESS EXCLUSIVE behind a pg_dump-like ACCESS SHARE; reads queue behind the ALTER.
    alter = TableLock(MIGRATION, "public.notes", "AccessExclusiveLock", granted=False, wait_start=10.6)
    read = TableLock(TRAFFIC, "public.notes", "AccessShareLock", granted=False, wait_start=11.0)
    samples = [Sample(at, backends(traffic_waits=True, migration_waits=True), (alter, read)) for at in (11.0, 12.0)]
    found = measure(samples, WINDOWS, [TrafficQuery(TRAFFIC, 11.0, 12.6)], traffic=True, lock_timeout=None)
    assert found["0002"].lock_wait_s == 1.4 and found["0002"].blocked_queries == 1
    assert found["0002"].longest_block_s == 1.6 and found["0002"].lock_timeout is None  # unknown


def test_without_waitstart_a_wait_is_timed_from_the_first_sample_that_saw_it() -> None:
    alter = TableLock(MIGRATION, "public.notes", "AccessExclusiveLock", granted=False)  # PostgreSQL 13
    samples = [Sample(at, backends(migration_waits=True), (alter,)) for at in (11.0, 11.5, 12.5)]
    assert measure(samples, WINDOWS, [], traffic=False, lock_timeout="0")["0002"].lock_wait_s == 1.5


def test_a_new_file_or_a_lock_timeout_statement_belongs_to_the_revision_open_at_the_earlier_sample() -> None:
    files_before, files_after = {1: ("public.notes", 500), 2: ("public.users", 600)}, {1: ("public.notes", 900),
                                                                                    2: ("public.users", 600)}
    samples = [Sample(10.55, files=files_before, timeouts={}),
               Sample(13.9, files=files_before, timeouts={"SET lock_timeout = '2s'": 1}),
               Sample(14.05, files=files_after, timeouts={"SET lock_timeout = '2s'": 1})]
    found = measure(samples, WINDOWS, [], traffic=False, lock_timeout="0")
    assert found["0002"].lock_timeout == "set by the revision: SET lock_timeout = '2s'"
    assert found["0002"].rewritten == ["public.notes"] and found["0001"].rewritten == []
    assert found["0003"].lock_timeout == "none"


def test_without_traffic_the_lock_budget_reads_how_long_writes_were_blocked() -> None:
    share = TableLock(MIGRATION, "public.notes", "ShareLock", granted=True)
    samples = [Sample(at, backends(), (share,)) for at in (11.0, 11.1, 11.2, 11.3)]
    found = measure(samples, WINDOWS, [], traffic=False, lock_timeout="2s")
    assert found["0002"].blocking_basis == "locks" and round(found["0002"].blocking_s, 3) == 0.4
    assert found["0002"].lock_timeout == "2s (session default)"


def run_with(blocking: float | None, *, waited: float = 0.0, duration: float = 0.1) -> ProfileRun:
    measures = None if blocking is None else Measures(blocking_s=blocking, writes_blocked_s=blocking,
                                                      lock_wait_s=waited, blocking_basis="locks")
    revisions = [Revision(id="0001", status="ok", duration_s=0.01),
                 Revision(id="0002", description="index notes", status="ok", duration_s=duration, measures=measures)]
    return ProfileRun(name="x", steps={"database": StepResult(status="ok"),
                                       "migrations": StepResult(status="ok", revisions=revisions)})


def test_crossing_the_lock_budget_on_the_target_only_diverges_on_that_revision_with_its_figures() -> None:
    found = compare_runs(run_with(0.02), run_with(4.1), budgets=Budgets(lock=0.5)).divergences
    assert [(f.divergence.step, f.divergence.subject) for f in found] == [("migrations", "0002 index notes")]
    divergence = found[0].divergence
    assert divergence.baseline == "blocked writes 20ms, within the lock budget (500ms)"
    assert divergence.target == "blocked writes 4.1s, over the lock budget (500ms)"
    assert "blocked writes for 4.1s" in divergence.detail
    assert found[0].evidence.facts["over_budget"] == "migrations.lock_budget"
    # Within budget on both: reported, not diverged; over on both: a failure, not parity.
    assert compare_runs(run_with(0.02), run_with(0.3), budgets=Budgets(lock=0.5)).divergences == []
    both = compare_runs(run_with(2.0), run_with(3.0), budgets=Budgets(lock=0.5))
    assert both.divergences == [] and [f.subject for f in both.failures] == ["0002 index notes"]
    assert compare_runs(run_with(0.02), run_with(4.1)).divergences == []  # no budget: timings only


def test_a_slow_step_crosses_the_migrations_budget_with_its_slowest_revision_as_subject() -> None:
    found = compare_runs(run_with(None), run_with(None, duration=30.0), budgets=Budgets(step=10.0)).divergences
    assert [f.divergence.subject for f in found] == ["0002 index notes"]
    assert found[0].divergence.target == "over the migrations budget (10.0s): 30.0s"


def test_the_cause_of_a_crossed_budget_is_the_data_or_the_traffic_that_differs() -> None:
    local = Profile.model_validate({"database": {"version": "15"},
                                    "migrations": {"command": "alembic upgrade head", "lock_budget": "500ms"}})
    prod = Profile.model_validate({**local.model_dump(exclude_none=True),
                                   "data": {"at": "0001", "rows": {"notes": 10}},
                                   "traffic": {"sql": ["select 1"], "hold": ["notes"]}})
    (held,), _ = compare(run_with(0.02), run_with(4.1), local, prod)
    assert held.cause == "data" and held.cause_confidence == "suspected"
    (waited,), _ = compare(run_with(0.02), run_with(4.1, waited=3.0), local, prod)
    assert waited.cause == "traffic" and "waiting for a lock" in waited.cause_note
