"""Causes by experiment, without containers: `execute` is a stand-in whose results follow the
profile it is given (as a real app's would), so the search, its order, its bounds and its
verdicts can be checked by hand."""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import pytest

from parity.causes.keys import KeyGroup, apply_group, differing_groups, differing_keys, revert_group
from parity.diff import compare
from parity.errors import EnvError
from parity.explain import (
    STEP_ORDER,
    Sides,
    deepest_step,
    explain,
    focus_on,
    plan,
    reproduces,
    up_to_step,
)
from parity.profile.models import Profile
from parity.results import Divergence, Focus, ProfileRun, Revision, StepResult, TestCase

LOCAL = Profile.model_validate({
    "database": {"version": "17", "ssl": "off", "superuser": True},
    "app": {"build": ".", "startup_probe": {"http": "/h", "period": "1s", "failure_threshold": 30}},
    "secrets": {"source": "dotenv", "path": ".env", "values": {"SECRET_KEY": {"value": "dev"}}},
    "migrations": {"command": ["alembic", "upgrade", "head"]},
    "smoke": {"command": ["pytest"]},
})
PROD = Profile.model_validate({
    "database": {"version": "15", "ssl": "required", "superuser": False, "memory": "1g", "max_connections": 100},
    "app": {"build": ".", "memory": "256m", "cpus": 1.0, "read_only": True, "tmpfs": ["/tmp"], "user": "10001",
            "env": {"APP_ENV": "production"},
            "startup_probe": {"http": "/h", "period": "2s", "failure_threshold": 15}},
    "secrets": {"source": "files", "path": "/run/secrets", "values": {"SECRET_KEY": {"env": "SECRET_KEY"}}},
    "migrations": {"command": ["alembic", "upgrade", "head"]},
    "smoke": {"command": ["pytest"]},
})


def ok(**kwargs: Any) -> StepResult:
    return StepResult(status="ok", **kwargs)


def bad(**kwargs: Any) -> StepResult:
    return StepResult(status="failed", **kwargs)


def example_app(profile: Profile, up_to: str) -> ProfileRun:
    """An app with four production-only bugs, as a function of the profile it runs under."""
    db, app, secrets = profile.database, profile.app, profile.secrets
    assert db is not None and app is not None and secrets is not None
    view = Revision(id="0003", description="add summary view", status="ok")
    if int(db.version) < 16:
        view = view.model_copy(update={"status": "failed", "error": "psycopg.errors.UndefinedFunction: "
                                                                    "function any_value(text) does not exist"})
    oom = app.memory is not None
    tests = [
        TestCase(id="test_login", outcome="failed" if secrets.source != "dotenv" else "passed",
                 message="AssertionError: POST /login: 500 SECRET_KEY is not configured"),
        TestCase(id="test_audit", outcome="failed" if db.ssl == "required" else "passed",
                 message='pg_hba.conf rejects connection for host "10.0.0.3", no encryption'),
        TestCase(id="test_export", outcome="failed" if oom else "passed",
                 message="RemoteDisconnected('Remote end closed connection without response')"),
    ]
    steps = {
        "database": ok(),
        "migrations": ok(revisions=[Revision(id="0001", status="ok"), view]) if view.status == "ok"
        else bad(revisions=[Revision(id="0001", status="ok"), view]),
        "startup": ok(),
        "smoke": bad(tests=tests) if any(t.outcome == "failed" for t in tests) else ok(tests=tests),
        "resources": bad(facts={"app_oom_killed": True}) if oom else ok(facts={"app_oom_killed": False}),
    }
    wanted = STEP_ORDER[: STEP_ORDER.index(up_to) + 1]
    return ProfileRun(name="experiment", steps={name: steps[name] for name in wanted if name in steps})


class Recorder:
    """Counts and remembers every run explain asks for."""

    def __init__(self, world: Any = example_app, delay: float = 0.0) -> None:
        self.world, self.delay = world, delay
        self.calls: list[tuple[Profile, str]] = []
        self.focus: list[Focus] = []  # how far and how closely each run was asked to look
        self.lock = threading.Lock()

    def __call__(self, profile: Profile, focus: Focus) -> ProfileRun:
        with self.lock:
            self.calls.append((profile, focus.up_to))
            self.focus.append(focus)
        if self.delay:
            time.sleep(random.uniform(0, self.delay))
        result: ProfileRun = self.world(profile, focus.up_to)
        return result


def divergences(world: Any = example_app, baseline: Profile = LOCAL, target: Profile = PROD
                ) -> tuple[list[Divergence], ProfileRun]:
    base_run = world(baseline, "resources")
    found, _ = compare(base_run, world(target, "resources"), baseline, target)
    return found, base_run


def test_each_divergence_of_the_example_is_confirmed_with_the_key_whose_flip_alone_reproduces_it() -> None:
    found, base_run = divergences()
    execute = Recorder()
    explained = explain(found, Sides(LOCAL, PROD, base_run, ("local", "prod")), execute)
    assert [(d.subject, d.cause, d.cause_confidence) for d in explained] == [
        ("0003 add summary view", "database.version", "confirmed"),
        ("test_login", "secrets.source", "confirmed"),
        ("test_audit", "database.ssl", "confirmed"),
        ("test_export", "app.memory", "confirmed"),
        ("app memory", "app.memory", "confirmed"),
    ]
    migration = explained[0]
    assert any(e.keys == ["database.version"] and e.reproduced for e in migration.experiments)
    assert "local with only prod's database.version reproduced it" in migration.cause_note
    login = explained[1]
    assert [e.keys for e in login.experiments if e.reproduced] == [["secrets.source", "secrets.path"]]
    # The heuristic suspected the right keys, so each was tried first and nothing else was needed;
    # each suspicion ran only as far as the divergences suspecting it: the version to the migrations.
    assert len(execute.calls) == 4
    depth = {next(k for k in ("version", "secrets", "ssl", "memory") if k in (p.description or "")): up_to
             for p, up_to in execute.calls}
    assert depth == {"version": "migrations", "secrets": "smoke", "ssl": "smoke", "memory": "resources"}


def test_an_experiment_runs_only_as_far_as_the_divergences_it_can_still_settle() -> None:
    found, base_run = divergences()
    migration_only = [d for d in found if d.step == "migrations"]
    execute = Recorder()
    explain(migration_only, Sides(LOCAL, PROD, base_run), execute)
    assert {up_to for _, up_to in execute.calls} == {"migrations"}
    assert up_to_step(Divergence(step="schema", subject="views", baseline="", target="")) == "migrations"
    assert deepest_step(found) == "resources"


def test_only_an_experiment_settling_a_migrations_schema_or_rollback_divergence_watches_its_migrations() -> None:
    found, base_run = divergences()
    execute = Recorder()
    explain(found, Sides(LOCAL, PROD, base_run), execute)
    watched = {next(k for k in ("version", "secrets", "ssl", "memory") if k in (p.description or "")): f.migrations
               for (p, _), f in zip(execute.calls, execute.focus, strict=True)}
    assert watched == {"version": True, "secrets": False, "ssl": False, "memory": False}
    for step in ("migrations", "schema", "rollback"):
        assert focus_on([Divergence(step=step, subject="x", baseline="", target="")]).migrations
    assert not focus_on([Divergence(step="startup", subject="app", baseline="", target="")]).migrations


def test_a_run_whose_migrations_were_not_watched_is_run_again_for_a_migrations_divergence() -> None:
    found, base_run = divergences()
    # The smoke divergence suspects the version: its flip runs to the smoke tests, unwatched. The
    # migration's own search asks the same flip later and must not read that run's missing measures.
    audit = next(d for d in found if d.subject == "test_audit").model_copy(update={"cause": "database.version"})
    migration = next(d for d in found if d.step == "migrations").model_copy(
        update={"cause": None, "cause_confidence": "unknown"})
    execute = Recorder()
    explained = explain([audit, migration], Sides(LOCAL, PROD, base_run), execute)
    version = [f for (p, _), f in zip(execute.calls, execute.focus, strict=True) if "version" in (p.description or "")]
    assert [f.migrations for f in version] == [False, True]
    assert [d.cause for d in explained] == ["database.ssl", "database.version"]


def test_without_a_useful_suspicion_every_group_is_tried_in_profile_order_until_one_reproduces() -> None:
    found, base_run = divergences()
    (audit,) = [d.model_copy(update={"cause": None, "cause_confidence": "unknown"})
                for d in found if d.subject == "test_audit"]
    execute = Recorder()
    (explained,) = explain([audit], Sides(LOCAL, PROD, base_run), execute)
    assert explained.cause == "database.ssl" and explained.cause_confidence == "confirmed"
    assert [e.keys for e in explained.experiments] == [["database.version"], ["database.ssl"]]
    assert [e.reproduced for e in explained.experiments] == [False, True]


def test_when_the_suspicion_does_not_reproduce_its_rules_next_keys_are_tried_before_the_rest() -> None:
    found, base_run = divergences()
    # A rule that named app.read_only first and secrets.source next (a lock wait read as the
    # traffic's, where the data's size was the cause): the next key is the second experiment,
    # not the last of every differing key in profile order.
    (login,) = [d.model_copy(update={"cause": "app.read_only", "cause_next": ["secrets.source"]})
                for d in found if d.subject == "test_login"]
    execute = Recorder()
    (explained,) = explain([login], Sides(LOCAL, PROD, base_run), execute)
    assert explained.cause == "secrets.source" and explained.cause_confidence == "confirmed"
    assert [e.keys for e in explained.experiments][:2] == [["app.read_only", "app.tmpfs"], ["secrets.source", "secrets.path"]]
    assert len(execute.calls) == 2
    assert "cause_next" not in explained.model_dump(mode="json")  # explain's, not the report's


def either_tls_or_a_plain_role(profile: Profile, up_to: str) -> ProfileRun:
    """A smoke test that each of two keys, next to each other in the plan, breaks on its own."""
    assert profile.database is not None
    broken = profile.database.ssl == "required" or not profile.database.superuser
    test = TestCase(id="test_certs", outcome="failed" if broken else "passed", message="assert False")
    steps = {"database": ok(), "migrations": ok(), "startup": ok(),
             "smoke": bad(tests=[test]) if broken else ok(tests=[test]), "resources": ok()}
    return ProfileRun(name="x", steps={n: steps[n] for n in STEP_ORDER[: STEP_ORDER.index(up_to) + 1] if n in steps})


def test_concurrent_experiments_settle_on_the_first_reproducing_flip_in_plan_order() -> None:
    found, base_run = divergences(either_tls_or_a_plain_role)
    for _ in range(5):
        (explained,) = explain(found, Sides(LOCAL, PROD, base_run), Recorder(either_tls_or_a_plain_role, delay=0.02),
                               workers=4)
        # database.superuser may well finish first; database.ssl comes first in the plan.
        assert explained.cause == "database.ssl"
    unsuspected = [d.model_copy(update={"cause": None}) for d in divergences()[0]]
    alone = explain(unsuspected, Sides(LOCAL, PROD, base_run), Recorder())
    together = explain(unsuspected, Sides(LOCAL, PROD, base_run), Recorder(delay=0.02), workers=4)
    assert [d.cause for d in together] == [d.cause for d in alone]


def needs_tls_and_a_non_root_user(profile: Profile, up_to: str) -> ProfileRun:
    """A smoke test that fails only when both TLS is forced and the app runs as another user."""
    assert profile.database is not None and profile.app is not None
    broken = profile.database.ssl == "required" and profile.app.user is not None
    test = TestCase(id="test_certs", outcome="failed" if broken else "passed",
                    message="PermissionError: [Errno 13] Permission denied: '/root/.postgresql/root.crt'")
    steps = {"database": ok(), "migrations": ok(), "startup": ok(),
             "smoke": bad(tests=[test]) if broken else ok(tests=[test]), "resources": ok()}
    return ProfileRun(name="x", steps={n: steps[n] for n in STEP_ORDER[: STEP_ORDER.index(up_to) + 1] if n in steps})


def test_when_no_single_key_reproduces_it_reverts_find_the_keys_that_matter_and_the_pair_is_confirmed() -> None:
    found, base_run = divergences(needs_tls_and_a_non_root_user)
    execute = Recorder(needs_tls_and_a_non_root_user)
    (explained,) = explain(found, Sides(LOCAL, PROD, base_run, ("local", "prod")), execute)
    assert explained.cause == "database.ssl + app.user" and explained.cause_confidence == "confirmed"
    assert "no single key reproduced it" in explained.cause_note
    reverts = [e for e in explained.experiments if e.kind == "revert"]
    assert {tuple(e.keys) for e in reverts if not e.reproduced} == {("database.ssl",), ("app.user",)}
    groups = len(differing_groups(LOCAL, PROD))
    # Singles, reverts, then the pair the reverts pointed at first: not every pair.
    assert len(execute.calls) == 2 * groups + 1


def test_the_search_is_bounded_and_says_so() -> None:
    found, base_run = divergences(needs_tls_and_a_non_root_user)
    (explained,) = explain(found, Sides(LOCAL, PROD, base_run),
                           Recorder(needs_tls_and_a_non_root_user), max_experiments=5)
    assert explained.cause is None and explained.cause_confidence == "unknown"
    assert "bound of 5 experiments" in explained.cause_note
    assert len([e for e in explained.experiments if not (e.note or "").startswith("not run")]) == 5


def test_a_divergence_no_flip_reproduces_stays_unknown_and_the_suspicion_is_dropped() -> None:
    found, base_run = divergences()
    (login,) = [d for d in found if d.subject == "test_login"]

    def flaky_only_in_prod(profile: Profile, up_to: str) -> ProfileRun:
        return example_app(profile.model_copy(update={"secrets": LOCAL.secrets}), up_to)

    (explained,) = explain([login], Sides(LOCAL, PROD, base_run),
                           Recorder(flaky_only_in_prod), max_experiments=100)
    assert explained.cause is None and explained.cause_confidence == "unknown"
    assert "no single key or pair reproduced it" in explained.cause_note
    assert "suggested secrets.source" in explained.cause_note


def test_an_experiment_that_breaks_is_a_result_but_a_parity_error_ends_the_search() -> None:
    found, base_run = divergences()
    (migration,) = [d for d in found if d.step == "migrations"]

    def breaks(profile: Profile, focus: Focus) -> ProfileRun:
        raise RuntimeError("container vanished")

    (explained,) = explain([migration], Sides(LOCAL, PROD, base_run), breaks, max_experiments=3)
    assert explained.cause is None
    assert all(e.note == "could not run: RuntimeError: container vanished" for e in explained.experiments)

    def no_engine(profile: Profile, focus: Focus) -> ProfileRun:
        raise EnvError("no Docker engine", "start dockerd")

    with pytest.raises(EnvError):
        explain([migration], Sides(LOCAL, PROD, base_run), no_engine)


def test_reproduced_means_the_same_step_and_subject_diverging_and_unknown_when_the_run_fell_short() -> None:
    base_run = example_app(LOCAL, "resources")
    divergence = Divergence(step="migrations", subject="0003 add summary view", baseline="ok", target="failed")
    older = LOCAL.model_copy(update={"database": LOCAL.database.model_copy(update={"version": "15"})})  # type: ignore[union-attr]
    assert reproduces(divergence, base_run, example_app(older, "migrations")) is True
    assert reproduces(divergence, base_run, example_app(LOCAL, "migrations")) is False
    other = divergence.model_copy(update={"subject": "0002 something else"})
    assert reproduces(other, base_run, example_app(older, "migrations")) is False
    assert reproduces(divergence, base_run, example_app(older, "database")) is None
    no_db = ProfileRun(name="x", steps={"database": StepResult(status="error"), "migrations": bad()})
    assert reproduces(divergence, base_run, no_db) is None


def test_keys_that_only_make_sense_together_move_together() -> None:
    groups = {g.name: g.keys for g in differing_groups(LOCAL, PROD)}
    assert groups["secrets.source"] == ("secrets.source", "secrets.path")
    assert groups["app.read_only"] == ("app.read_only", "app.tmpfs")
    assert "app.tmpfs" not in groups and "secrets.path" not in groups
    pinned = PROD.model_copy(update={"database": PROD.database.model_copy(update={"image": "pg:15-x"})})  # type: ignore[union-attr]
    assert {g.name: g.keys for g in differing_groups(LOCAL, pinned)}["database.version"] == (
        "database.version", "database.image")
    sqlite = Profile.model_validate({**LOCAL.model_dump(mode="json"), "database": {"engine": "sqlite"}})
    engine = {g.name: g.keys for g in differing_groups(sqlite, PROD)}["database.engine"]
    # Every Postgres-only key that differs moves with the engine (the version happens to be equal).
    assert set(engine) == {"database.engine", "database.ssl", "database.superuser", "database.memory",
                           "database.max_connections"}
    other_sqlite = Profile.model_validate({**sqlite.model_dump(mode="json"),
                                           "database": {"engine": "sqlite", "version": "13"}})
    assert differing_groups(sqlite, other_sqlite) == []  # a version means nothing to a SQLite file


def test_flipping_one_group_changes_exactly_those_keys_and_gives_a_valid_profile() -> None:
    (secrets,) = [g for g in differing_groups(LOCAL, PROD) if g.name == "secrets.source"]
    applied = apply_group(LOCAL, PROD, secrets).profile
    assert applied is not None and applied.secrets is not None
    assert (applied.secrets.source, applied.secrets.path) == ("files", "/run/secrets")
    assert applied.secrets.values == LOCAL.secrets.values  # type: ignore[union-attr]
    assert applied.model_copy(update={"secrets": LOCAL.secrets, "description": None}) == LOCAL
    assert applied.description == "experiment: the baseline with the target's secrets.source, secrets.path"
    reverted = revert_group(LOCAL, PROD, secrets).profile
    assert reverted is not None and reverted.secrets is not None and reverted.secrets.source == "dotenv"
    assert reverted.model_copy(update={"secrets": PROD.secrets, "description": None}) == PROD


def test_flips_that_cannot_be_built_are_reported_as_such() -> None:
    sqlite = Profile.model_validate({**LOCAL.model_dump(mode="json"), "database": {"engine": "sqlite"}})
    flip = apply_group(sqlite, PROD, KeyGroup(("database.ssl",)))
    assert flip.profile is None and "no effect on a sqlite database" in flip.unbuildable
    image_only = apply_group(LOCAL, LOCAL.model_copy(update={"app": LOCAL.app.model_copy(  # type: ignore[union-attr]
        update={"build": None, "image": "shop:1"})}), KeyGroup(("app.image",)))
    assert image_only.profile is None and "not a valid profile" in image_only.unbuildable
    hostless = Profile.model_validate({"database": {"version": "17"},
                                       "migrations": {"command": ["alembic", "upgrade", "head"], "run_in": "host"}})
    with_app = Profile.model_validate({**LOCAL.model_dump(mode="json"), "migrations": {
        "command": ["alembic", "upgrade", "head"], "run_in": "app"}})
    (run_in,) = [g for g in differing_groups(hostless, with_app) if g.name == "migrations.run_in"]
    flip = apply_group(hostless, with_app, run_in)
    assert flip.profile is None and "no app" in flip.unbuildable


def test_a_single_that_cannot_be_built_is_listed_as_not_run_and_a_pair_that_can_settles_it() -> None:
    hostless = Profile.model_validate({**LOCAL.model_dump(mode="json"), "app": None,
                                       "migrations": {"command": ["alembic", "upgrade", "head"], "run_in": "host"}})
    in_app = Profile.model_validate({**LOCAL.model_dump(mode="json"),
                                     "migrations": {"command": ["alembic", "upgrade", "head"], "run_in": "app"}})

    def fails_in_the_app_image(profile: Profile, up_to: str) -> ProfileRun:
        assert profile.migrations is not None
        failing = profile.migrations.run_in == "app" and profile.app is not None
        rev = Revision(id="1", status="failed" if failing else "ok", error="ModuleNotFoundError: No module 'x'")
        return ProfileRun(name="x", steps={"database": ok(), "migrations": bad(revisions=[rev]) if failing
                                           else ok(revisions=[rev])})

    base_run = fails_in_the_app_image(hostless, "migrations")
    found, _ = compare(base_run, fails_in_the_app_image(in_app, "migrations"), hostless, in_app)
    execute = Recorder(fails_in_the_app_image)
    (explained,) = explain(found, Sides(hostless, in_app, base_run), execute)
    assert [(e.keys, e.reproduced, (e.note or "")[:30]) for e in explained.experiments] == [
        (["app"], False, ""),
        (["migrations.run_in"], False, "not run: cannot be built: migr"),
        (["app", "migrations.run_in"], True, ""),
    ]
    assert explained.cause == "app + migrations.run_in" and explained.cause_confidence == "confirmed"
    assert len(execute.calls) == 2


def test_the_plan_tries_suspected_groups_first_then_the_smallest_pairs_within_the_bound() -> None:
    groups = differing_groups(LOCAL, PROD)
    by_name = {g.name: g for g in groups}
    p = plan(LOCAL, PROD, first=[by_name["app.memory"]], max_experiments=len(groups) + 3)
    assert [f.name for f in p.singles][:2] == ["app.memory", "database.version"]
    assert len(p.singles) == len(groups)
    sizes = [len(f.keys) for f in p.pairs]
    assert sizes == sorted(sizes) and sizes[0] == 2
    assert p.left_out == len(p.pairs) - 3
    preferred = plan(LOCAL, PROD, prefer=[by_name["app.user"], by_name["database.ssl"]])
    assert preferred.pairs[0].name == "database.ssl + app.user"


def test_a_section_neither_profile_has_is_not_a_difference() -> None:
    bare = Profile.model_validate({"database": {"version": "17"}})
    other = Profile.model_validate({"database": {"version": "15"}, "smoke": {"command": ["true"]}})
    assert differing_keys(bare, other) == {"database.version", "smoke"}
