"""Experiments started ahead of explain, while the runs still go (parity.explain.Ahead, Runs,
Slots), without containers: the example's stand-in app from test_cause_experiments, fed to the
Ahead one step at a time as the two runs would."""

from __future__ import annotations

import threading
import time

from parity.diff import compare
from parity.explain import Ahead, Runs, Sides, Slots, explain
from parity.profile.models import Profile
from parity.results import STEP_NAMES, ProfileRun
from tests.unit.test_cause_experiments import LOCAL, PROD, Recorder, example_app


def through(run: ProfileRun, last: str) -> ProfileRun:
    """The run as it stands once `last` has its result."""
    steps = STEP_NAMES[: STEP_NAMES.index(last) + 1]
    return ProfileRun(name=run.name, steps={s: run.steps[s] for s in steps if s in run.steps})


def runs_of_both() -> tuple[ProfileRun, ProfileRun]:
    return (example_app(LOCAL, "resources").model_copy(update={"name": "local"}),
            example_app(PROD, "resources").model_copy(update={"name": "prod"}))


def an_ahead(execute: Recorder, workers: int = 2) -> tuple[Ahead, Runs, Slots]:
    slots = Slots(workers, ["local", "prod"], threading.Event())
    runs = Runs(execute, workers, slots.admit)
    return Ahead(("local", LOCAL), {"prod": PROD}, {"prod": runs}, slots), runs, slots


def flipped(profile: Profile) -> str:
    """Which of the example's keys a flipped copy of LOCAL carries."""
    return next(key for key in ("version", "secrets", "ssl", "memory") if key in (profile.description or ""))


def wait_for(condition: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.01)


def test_a_migration_divergence_starts_its_experiment_before_the_target_run_ends() -> None:
    local, prod = runs_of_both()
    execute = Recorder()
    ahead, runs, _ = an_ahead(execute)
    try:
        ahead.watch("local", through(local, "migrations"), False)
        ahead.watch("prod", through(prod, "migrations"), False)
        # Known: the view's revision fails on 15. Both runs still hold both slots: it waits.
        assert runs.planned() == {("apply", "database.version"): "migrations"}
        time.sleep(0.1)
        assert execute.calls == []
        ahead.watch("local", local, True)  # the baseline is done: one slot is free
        wait_for(lambda: execute.calls)
        assert [(flipped(p), up_to) for p, up_to in execute.calls] == [("version", "migrations")]
        # The smoke divergences' suspicions read the resources step (was the app OOM-killed?):
        # nothing more starts before it has its result.
        ahead.watch("prod", through(prod, "smoke"), False)
        assert list(runs.planned()) == [("apply", "database.version")]
        ahead.watch("prod", prod, True)
        assert runs.planned() == {("apply", "database.version"): "migrations",
                                  ("apply", "secrets.source", "secrets.path"): "smoke",
                                  ("apply", "database.ssl"): "smoke", ("apply", "app.memory"): "resources"}
    finally:
        ahead.close()
        runs.close()


def test_explain_uses_the_runs_started_ahead_and_settles_on_the_same_causes() -> None:
    local, prod = runs_of_both()
    found, _ = compare(local, prod, LOCAL, PROD)
    alone = Recorder()
    expected = explain(found, Sides(LOCAL, PROD, local), alone, workers=2)
    execute = Recorder(delay=0.02)
    ahead, runs, _ = an_ahead(execute)
    try:
        for last in STEP_NAMES:
            for run in (local, prod):
                ahead.watch(run.name, through(run, last), last == STEP_NAMES[-1])
        explained = explain(found, Sides(LOCAL, PROD, local), execute, runs=runs)
    finally:
        ahead.close()
        runs.close()
    assert [(d.subject, d.cause, d.cause_confidence) for d in explained] == \
        [(d.subject, d.cause, d.cause_confidence) for d in expected]
    # Not one run more than explain alone makes, and each as deep as it needs.
    assert sorted((flipped(p), up_to) for p, up_to in execute.calls) == \
        sorted((flipped(p), up_to) for p, up_to in alone.calls)


def test_the_longest_experiment_starts_first() -> None:
    local, prod = runs_of_both()
    local.steps["smoke"] = local.steps["smoke"].model_copy(update={"duration_s": 10.0})
    execute = Recorder()
    ahead, runs, _ = an_ahead(execute, workers=1)
    try:
        ahead.watch("local", local, True)
        ahead.watch("prod", prod, True)
        wait_for(lambda: len(execute.calls) == 4)
    finally:
        ahead.close()
        runs.close()
    # The runs through the smoke tests (10 s of the baseline's each) before the migrations-only
    # one, which explain reads first.
    assert [flipped(p) for p, _ in execute.calls] == ["secrets", "ssl", "memory", "version"]


def test_experiments_take_only_the_slots_the_runs_leave_free() -> None:
    running = 0
    most = 0
    lock = threading.Lock()

    def slow(profile: Profile, up_to: str) -> ProfileRun:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return example_app(profile, up_to)

    local, prod = runs_of_both()
    execute = Recorder(slow)
    ahead, runs, slots = an_ahead(execute, workers=2)
    try:
        ahead.watch("local", local, True)
        ahead.watch("prod", through(prod, "resources"), False)  # the target is still running
        wait_for(lambda: len(execute.calls) == 4, timeout=10)
        assert most == 1
    finally:
        ahead.close()
        runs.close()
    assert slots.running == set()


def test_runs_not_begun_when_explain_ends_are_dropped() -> None:
    local, prod = runs_of_both()
    execute = Recorder()
    ahead, runs, _ = an_ahead(execute)
    ahead.watch("prod", prod, False)
    ahead.watch("local", local, False)  # both still running: every experiment waits for a slot
    runs.close()  # explain did not need them
    ahead.close()
    assert execute.calls == []
