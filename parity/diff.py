"""Two profiles' results -> what differs, step by step, each with the failing side's own evidence.

Saying why is not this module's job: `compare` hands each divergence to the heuristic in
parity.causes, and `parity explain` confirms causes by experiment.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from parity.causes.heuristic import Suspicion, suspect
from parity.env.host import environment_fix
from parity.evidence import Evidence, key_line, missing_tool, node_missing
from parity.migrate.schema import schema_differences
from parity.profile.models import Profile
from parity.profile.units import format_duration
from parity.results import (
    Divergence,
    Estimate,
    Measures,
    ProfileRun,
    Revision,
    StepResult,
    TestCase,
)


@dataclass(frozen=True)
class Finding:
    """One divergence, and the evidence of the side that failed (the target's, for schema)."""

    divergence: Divergence
    evidence: Evidence


@dataclass(frozen=True)
class Comparison:
    """What differs between two runs: divergences, and steps that failed on both sides."""

    divergences: list[Finding] = field(default_factory=list)
    failures: list[Divergence] = field(default_factory=list)


@dataclass(frozen=True)
class _Outcome:
    """One thing both sides did (a step, a revision, a test), where at least one side failed."""

    step: str
    subject: str
    said: tuple[str, str]  # what the baseline did, what the target did
    errors: tuple[str, str]  # each side's own error text
    bad: tuple[bool, bool]
    facts: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
    component: str | None = None

    @property
    def diverges(self) -> bool:
        return self.bad[0] != self.bad[1]


@dataclass(frozen=True)
class Budgets:
    """What a deploy may cost (the target's migrations.lock_budget and .budget), held against both sides."""

    lock: float | None = None
    step: float | None = None

    @classmethod
    def of(cls, profile: Profile) -> Budgets:
        """The profile's budgets (none without a migrations section)."""
        spec = profile.migrations
        return cls(spec.lock_budget, spec.budget) if spec else cls()


NO_BUDGETS = Budgets()


def compare(baseline: ProfileRun, target: ProfileRun, base_profile: Profile, target_profile: Profile,
            ) -> tuple[list[Divergence], list[Divergence]]:
    """(divergences, failures on both sides) between two runs, each divergence with its suspected cause."""
    comparison = compare_runs(baseline, target, same_engine=same_engine(base_profile, target_profile),
                              budgets=Budgets.of(target_profile))
    found = []
    # The first cause found on each side, in run order: a later step failing on that side with no
    # cause of its own failed after it (smoke tests against a schema the migrations left half done).
    first: dict[str, tuple[Divergence, Suspicion]] = {}
    for finding in comparison.divergences:
        divergence, side = finding.divergence, finding.evidence.side
        suspicion = suspect(finding.evidence, base_profile, target_profile)
        if suspicion is not None:
            first.setdefault(side, (divergence, suspicion))
            found.append(divergence.model_copy(update={
                "cause": suspicion.key, "cause_confidence": "suspected", "cause_note": _note(suspicion),
                "cause_next": list(suspicion.also)}))
            continue
        earlier = first.get(side)
        if earlier is None or _STEP_ORDER.get(earlier[0].step, 0) >= _STEP_ORDER.get(divergence.step, 0):
            found.append(divergence)
            continue
        step, subject = earlier[0].step, earlier[0].subject
        found.append(divergence.model_copy(update={
            "cause": earlier[1].key, "cause_confidence": "suspected", "cause_next": list(earlier[1].also),
            "cause_note": f"inherited: the {side}'s {step} failed first ({subject}), {_note(earlier[1])}"}))
    return found, [_with_fix(failure, target_profile, (baseline, target)) for failure in comparison.failures]


def _with_fix(failure: Divergence, profile: Profile, runs: tuple[ProfileRun, ProfileRun]) -> Divergence:
    """A failure on both sides that is a program or module not found where the command ran says
    how to give the command the app's environment (host.venv, the image). The step's output counts
    too: a test runner's report may say only "test failed" where its output names the module."""
    steps = [run.steps.get(failure.step) for run in runs]
    said = "\n".join((failure.baseline, failure.target, failure.detail, *(s.detail for s in steps if s)))
    if not missing_tool(said):
        return failure
    in_image = failure.step == "migrations" and profile.migrations is not None and profile.migrations.run_in == "app"
    if failure.step not in ("migrations", "data", "smoke"):
        return failure
    fix = ("the app image lacks it: install it in the image (its Dockerfile), fix migrations.command, "
           "or use run_in: host" if in_image else environment_fix(profile.host, node=node_missing(said)))
    return failure.model_copy(update={"fix": fix})


def _note(suspicion: Suspicion) -> str:
    """Why the heuristic named its key: a fact parity measured, or the error's class."""
    source = "from what parity measured" if suspicion.source == "measured" else "from the error"
    return f"{source}: {suspicion.because}"


_STEP_ORDER = {step: i for i, step in enumerate(
    ("database", "data", "migrations", "rollback", "schema", "startup", "smoke", "resources", "rollout", "shutdown"))}


def same_engine(a: Profile, b: Profile) -> bool:
    """Whether both profiles use the same database engine (types compare only then)."""
    return (a.database and a.database.engine) == (b.database and b.database.engine)


def compare_runs(baseline: ProfileRun, target: ProfileRun, *, same_engine: bool = True,
                 budgets: Budgets = NO_BUDGETS) -> Comparison:
    """Everything that differs between two runs, in run order, compared where both ran the step;
    the target's budgets held against both."""
    b, t = baseline.steps, target.steps

    def both_ran(step: str) -> bool:
        return step in b and step in t

    database = _whole_step("database", b["database"], t["database"]) if both_ran("database") else []
    data = _whole_step("data", b["data"], t["data"]) if both_ran("data") else []
    migrations = _migrations(b["migrations"], t["migrations"]) if both_ran("migrations") else []
    if both_ran("migrations"):
        migrations += _over_budget(b["migrations"], t["migrations"], budgets, migrations)
        migrations += _round_trips(b["migrations"], t["migrations"])
    # A schema left by migrations that diverged differs for that reason alone.
    schema = [] if not both_ran("migrations") or any(o.diverges for o in migrations) else \
        list(_schema(b["migrations"], t["migrations"], same_engine))
    startup = _whole_step("startup", b["startup"], t["startup"]) if both_ran("startup") else []
    # Smoke tests against an app that did not start alike would only repeat the startup divergence.
    started_alike = not any(o.diverges for o in startup)
    smoke = _smoke(b["smoke"], t["smoke"]) if both_ran("smoke") and started_alike else []
    resources = _resources(b["resources"], t["resources"]) if both_ran("resources") else []
    rollout = _rollout(b["rollout"], t["rollout"]) if both_ran("rollout") and started_alike else []
    shutdown = _shutdown(b["shutdown"], t["shutdown"]) if both_ran("shutdown") and started_alike else []
    loaded = (_loaded(b.get("data")), _loaded(t.get("data")))
    sides = (_Side(_oom_killed(b.get("resources")), _facts(b.get("database")), loaded[0] and not loaded[1]),
             _Side(_oom_killed(t.get("resources")), _facts(t.get("database")), loaded[1] and not loaded[0]))

    def found(outcomes: list[_Outcome]) -> list[Finding]:
        return [_finding(o, sides) for o in outcomes if o.diverges]

    everything = [*database, *data, *migrations, *startup, *smoke, *resources, *rollout, *shutdown]
    return Comparison(
        divergences=[*found(database + data + migrations), *schema,
                     *found(startup + smoke + resources + rollout + shutdown)],
        failures=[_divergence(o, both=True) for o in everything if all(o.bad)],
    )


@dataclass(frozen=True)
class _Side:
    """What one side's run says about it beyond the step that failed."""

    oom_killed: frozenset[str]  # containers the kernel OOM-killed ("app", "database")
    server: dict[str, Any]  # its database step's facts (server_version, ssl, ...)
    data_only_here: bool  # it loaded data and the other side did not


def _finding(outcome: _Outcome, sides: tuple[_Side, _Side]) -> Finding:
    side = 1 if outcome.bad[1] else 0
    own = sides[side]
    evidence = Evidence(side="target" if side else "baseline", step=outcome.step, text=outcome.errors[side],
                        facts=outcome.facts[side], oom_killed=own.oom_killed, component=outcome.component,
                        server=own.server, data_loaded_here_only=own.data_only_here)
    return Finding(_divergence(outcome, both=False), evidence)


def _facts(result: StepResult | None) -> dict[str, Any]:
    return dict(result.facts) if result else {}


def _loaded(data: StepResult | None) -> bool:
    return data is not None and data.status == "ok"


def _divergence(outcome: _Outcome, *, both: bool) -> Divergence:
    b_error, t_error = outcome.errors
    if both and outcome.subject in (outcome.step, "ready") and b_error != t_error:
        detail = f"baseline: {b_error}\n\ntarget: {t_error}"
    else:
        detail = t_error if outcome.bad[1] else b_error
    return Divergence(step=outcome.step, subject=outcome.subject, baseline=outcome.said[0],
                      target=outcome.said[1], detail=detail.strip())


def _bad(result: StepResult) -> bool:
    return result.status in ("failed", "error")


def _oom_killed(resources: StepResult | None) -> frozenset[str]:
    facts = resources.facts if resources else {}
    return frozenset(name for role, name in (("app", "app"), ("db", "database"))
                     if facts.get(f"{role}_oom_killed"))


def _whole_step(step: str, b: StepResult, t: StepResult) -> list[_Outcome]:
    if not (_bad(b) or _bad(t)):
        return []
    return [_Outcome(step, "ready" if step == "startup" else step, (_say(b), _say(t)), (b.detail, t.detail),
                     (_bad(b), _bad(t)), (b.facts, t.facts))]


def _say(result: StepResult) -> str:
    return f"{result.status}: {result.summary}" if result.summary else result.status


def _subject(rev: Revision) -> str:
    return f"{rev.id} {rev.description}".strip()


def _paired(b: StepResult, t: StepResult) -> Iterator[tuple[str, Revision | None, Revision]]:
    """Each of the target's revisions as a subject, with the baseline's of the same id (or None)."""
    by_id = {r.id: r for r in b.revisions}
    for rev in t.revisions:
        yield _subject(rev), by_id.get(rev.id), rev


def _migrations(b: StepResult, t: StepResult) -> list[_Outcome]:
    if b.revisions and t.revisions:
        outcomes = [
            _Outcome("migrations", subject, (_rev(other), _rev(rev)),
                     (other.error, rev.error), (other.status == "failed", rev.status == "failed"))
            for subject, other, rev in _paired(b, t)
            if other is not None and "failed" in (other.status, rev.status)
        ]
        # A failed revision explains a failed step; otherwise the step itself is what differs.
        if outcomes or not (_bad(b) or _bad(t)) or any(r.status == "failed" for r in b.revisions + t.revisions):
            return outcomes
    if not (_bad(b) or _bad(t)):
        return []
    return [_Outcome("migrations", "migrations", (_say(b), _say(t)), (b.detail, t.detail), (_bad(b), _bad(t)),
                     (b.facts, t.facts))]


def _over_budget(b: StepResult, t: StepResult, budgets: Budgets, failed: list[_Outcome]) -> list[_Outcome]:
    """Revisions that block longer than the lock budget, and a step slower than its budget, on
    either side; failed revisions are already outcomes of their own."""
    outcomes: list[_Outcome] = []
    taken = {o.subject for o in failed}
    if budgets.lock is not None:
        for subject, other, rev in _paired(b, t):
            if subject in taken or other is None or "failed" in (rev.status, other.status):
                continue
            said = (_blocking(other, budgets.lock), _blocking(rev, budgets.lock))
            over = (_blocks(other) > budgets.lock, _blocks(rev) > budgets.lock)
            if any(over):
                facts = tuple({"over_budget": "migrations.lock_budget", "budget_s": budgets.lock,
                               "waited_for_lock": bool(r.measures and r.measures.lock_wait_s > budgets.lock),
                               "estimated": r.estimate is not None}
                              if o else {} for r, o in ((other, over[0]), (rev, over[1])))
                outcomes.append(_Outcome("migrations", subject, said, (_measured(other), _measured(rev)), over,
                                         (facts[0], facts[1])))
                taken.add(subject)
    if budgets.step is not None:
        spent = (_spent(b), _spent(t))
        over = (spent[0] > budgets.step, spent[1] > budgets.step)
        if any(over):
            slowest = max(t.revisions or b.revisions, key=lambda r: r.duration_s, default=None)
            subject = _subject(slowest) if slowest else "migrations"
            if subject not in taken:
                words = [f"{'over' if o else 'within'} the migrations budget ({format_duration(budgets.step)}): "
                         f"{format_duration(s)}" for o, s in zip(over, spent, strict=True)]
                estimated = [_estimated(r) for r in (b, t)]
                words = [f"{w}, {e}" if e else w for w, e in zip(words, estimated, strict=True)]
                detail = (f"the migrations took {format_duration(spent[0])} on the baseline and {format_duration(spent[1])} on the "
                          f"target (migrations.budget {format_duration(budgets.step)}); the slowest revision is {subject}")
                fact = {"over_budget": "migrations.budget", "budget_s": budgets.step}
                outcomes.append(_Outcome("migrations", subject, (words[0], words[1]), (detail, detail), over,
                                         (fact if over[0] else {}, fact if over[1] else {})))
    return outcomes


def _round_trips(b: StepResult, t: StepResult) -> list[_Outcome]:
    """Revisions whose rollback round trip broke (migrations.rollback) on either side."""
    outcomes = []
    for subject, other, rev in _paired(b, t):
        broken = (bool(other and other.rollback and other.rollback.broken), bool(rev.rollback and rev.rollback.broken))
        if any(broken):
            outcomes.append(_Outcome("rollback", subject, (_trip(other), _trip(rev)),
                                     (_trip_detail(other), _trip_detail(rev)), broken))
    return outcomes


def _trip(rev: Revision | None) -> str:
    trip = rev.rollback if rev else None
    if trip is None:
        return "not rolled back"
    if trip.downgrade == "failed":
        return f"downgrade failed: {key_line(trip.error)[:200] or 'see detail'}"
    if trip.upgrade == "failed":
        return f"upgrade after its downgrade failed: {key_line(trip.error)[:200] or 'see detail'}"
    if trip.schema_changes:
        return f"the round trip changed the schema: {trip.schema_changes[0][:200]}"
    if trip.downgrade == "ok" and trip.upgrade == "ok":
        return f"down and up again ({format_duration(trip.downgrade_s)}, {format_duration(trip.upgrade_s)})"
    return f"downgrade {trip.downgrade}, upgrade {trip.upgrade}"


def _trip_detail(rev: Revision | None) -> str:
    trip = rev.rollback if rev else None
    if trip is None or not trip.broken:
        return ""
    return trip.error or "\n".join(trip.schema_changes)


def _blocks(rev: Revision) -> float:
    """What the lock budget is held against: the estimate at production's size when the revision
    was rehearsed at samples of it, else what was measured."""
    if rev.estimate is not None:
        return rev.estimate.blocking_s
    return rev.measures.blocking_s if rev.measures else 0.0


def _blocking(rev: Revision, budget: float) -> str:
    if rev.measures is None:
        return f"{_rev(rev)}, not measured"
    m = rev.measures
    blocked = "the traffic" if m.blocking_basis == "traffic" else "writes"
    verdict = f"{'over' if _blocks(rev) > budget else 'within'} the lock budget ({format_duration(budget)})"
    if rev.estimate is not None:
        return (f"estimated to block {blocked} {format_duration(rev.estimate.blocking_s)} at {rev.estimate.rows:,} rows "
                f"({_fit_words(rev.estimate, 'blocking_s')}), {verdict}")
    return f"blocked {blocked} {format_duration(m.blocking_s)}, {verdict}"


def _fit_words(estimate: Estimate, figure: str) -> str:
    """How an estimate was made, in a few words: its model, samples and quality."""
    quality = estimate.fits[figure]
    sizes = "/".join(f"{s.rows:,}" for s in estimate.samples)
    r2 = f", R² {quality.r2:.2f}" if quality.r2 is not None else ""
    missed = f", the largest sample predicted from the others within {quality.left_out_error:.0%}" \
        if quality.left_out_error is not None else ""
    return f"{quality.model} fit of samples at {sizes} rows{r2}{missed}"


def _estimated(result: StepResult) -> str:
    """A step's migrations time at production's size, when it was extrapolated, in words."""
    estimates = [r.estimate for r in result.revisions if r.estimate is not None]
    if not estimates:
        return ""
    return f"estimated at {estimates[0].rows:,} rows from samples"


def _measured(rev: Revision) -> str:
    """A revision's measures in a sentence (the evidence of a budget divergence)."""
    m = rev.measures
    if m is None:
        return f"{rev.id}: not measured"
    e = rev.estimate
    if e is not None:
        head = (f"an estimate at {e.rows:,} rows, not a measurement: blocking {format_duration(e.blocking_s)} "
                f"({_fit_words(e, 'blocking_s')}), writes blocked {format_duration(e.writes_blocked_s)}, "
                f"duration {format_duration(e.duration_s)}; measured at the largest sample ({e.samples[-1].rows:,} rows): ")
        return head + _measured_now(rev, m)
    return _measured_now(rev, m)


def _measured_now(rev: Revision, m: Measures) -> str:
    """What the rehearsal measured of a revision, in a sentence."""
    parts = [f"{rev.id} took {format_duration(rev.duration_s)}",
             f"strongest lock {m.strongest_lock or 'none seen'}",
             f"waited {format_duration(m.lock_wait_s)} for a lock",
             f"blocked writes for {format_duration(m.writes_blocked_s)}"]
    if m.blocking_basis == "traffic":
        parts.append(f"{m.blocked_queries} traffic queries blocked, the longest {format_duration(m.longest_block_s)}")
        parts.append(f"{m.traffic_errors} traffic errors" + (f" (first: {m.traffic_error})" if m.traffic_error else ""))
    parts.append(f"tables rewritten: {', '.join(m.rewritten) or 'none'}")
    parts.append(f"lock_timeout: {m.lock_timeout or 'unknown'}")
    return "; ".join(parts)


def _spent(result: StepResult) -> float:
    """The migrations under test's time: their revisions' (estimated at production's size where
    they were rehearsed at samples of it), else the whole step's."""
    if not result.revisions:
        return result.duration_s
    return sum(r.estimate.duration_s if r.estimate else r.duration_s for r in result.revisions)


def _rev(rev: Revision) -> str:
    if rev.status == "failed":
        return f"failed: {key_line(rev.error)[:200] or 'see detail'}"
    return f"{rev.status} ({format_duration(rev.duration_s)})" if rev.status == "ok" else rev.status


def _schema(b: StepResult, t: StepResult, same_engine: bool) -> Iterator[Finding]:
    bs, ts = b.schema_snapshot, t.schema_snapshot
    if not bs or not ts or "error" in bs or "error" in ts:
        return
    for subject, bt, tt in schema_differences(bs, ts, same_engine):
        detail = f"{subject}: baseline {bt}, target {tt}"
        yield Finding(Divergence(step="schema", subject=subject, baseline=bt, target=tt, detail=detail),
                      Evidence(side="target", step="schema", text=detail))


def _smoke(b: StepResult, t: StepResult) -> list[_Outcome]:
    b_cases = {c.id: c for c in b.tests}
    t_cases = {c.id: c for c in t.tests}
    both_ran = [i for i in [*b_cases, *t_cases] if i in b_cases and i in t_cases]
    outcomes = []
    # Behind a balancer: which replica answered each test's failing request.
    b_by, t_by = b.facts.get("answered_by") or {}, t.facts.get("answered_by") or {}
    for case_id in dict.fromkeys(both_ran):
        bc, tc = b_cases[case_id], t_cases[case_id]
        bad = (bc.outcome in ("failed", "error"), tc.outcome in ("failed", "error"))
        if any(bad):
            outcomes.append(_Outcome("smoke", case_id, (_case(bc), _case(tc)), (bc.message, tc.message), bad,
                                     (b_by.get(case_id, {}), t_by.get(case_id, {}))))
    if not both_ran and (_bad(b) or _bad(t)):
        outcomes.append(_Outcome("smoke", "smoke", (_say(b), _say(t)), (b.detail, t.detail), (_bad(b), _bad(t)),
                                 (b.facts, t.facts)))
    # An app that never answered again after a database failover (requests refused during the
    # downtime alone are not a divergence).
    lost = (bool(b.facts.get("failover_not_recovered")), bool(t.facts.get("failover_not_recovered")))
    if any(lost):
        outcomes.insert(0, _Outcome("smoke", "recovery after the database failover", (_say(b), _say(t)),
                                    (b.detail if lost[0] else "", t.detail if lost[1] else ""), lost, (b.facts, t.facts)))
    return outcomes


def _case(case: TestCase) -> str:
    if case.outcome in ("failed", "error"):
        lines = [line for line in case.message.strip().splitlines() if line.strip()]
        return f"{case.outcome}: {lines[0][:200]}" if lines else case.outcome
    return case.outcome


def _resources(b: StepResult, t: StepResult) -> list[_Outcome]:
    outcomes = []
    for role, component, name in (("app", "app", "app memory"), ("db", "database", "database memory")):
        b_oom, t_oom = bool(b.facts.get(f"{role}_oom_killed")), bool(t.facts.get(f"{role}_oom_killed"))
        if b_oom or t_oom:
            detail = f"{role} OOMKilled: the kernel killed the process at its memory limit (exit 137)"
            outcomes.append(_Outcome("resources", name, (_oom_said(b.facts, role, b_oom), _oom_said(t.facts, role, t_oom)),
                                     (detail if b_oom else "", detail if t_oom else ""), (b_oom, t_oom),
                                     component=component))
    return outcomes


def _oom_said(facts: dict[str, Any], role: str, oom: bool) -> str:
    limit = facts.get(f"{role}_limit_bytes")
    cap = f"{int(limit) // 2**20} MiB" if limit else "no cap"
    killed = facts.get(f"{role}_oom_killed_replicas") or []
    who = f"{', '.join(killed)} " if killed else ""
    return f"{who}OOMKilled at its limit ({cap})" if oom else f"not OOMKilled ({cap})"


def _rollout(b: StepResult, t: StepResult) -> list[_Outcome]:
    """A rolling update: requests that failed while replicas were replaced, and a rollout that
    stalled on a new replica that never got ready."""
    return _by_fact("rollout", b, t, (("requests during the rollout", "rollout_failed_requests"),
                                      ("new replica ready", "stalled")))


def _by_fact(step: str, b: StepResult, t: StepResult, subjects: tuple[tuple[str, str], ...]) -> list[_Outcome]:
    """One outcome per (subject, fact) that is set on either side; a step parity could not run is
    compared whole."""
    outcomes = []
    for subject, fact in subjects:
        bad = (bool(b.facts.get(fact)), bool(t.facts.get(fact)))
        if any(bad):
            outcomes.append(_Outcome(step, subject, (_say(b), _say(t)),
                                     (b.detail if bad[0] else "", t.detail if bad[1] else ""), bad, (b.facts, t.facts)))
    if not outcomes and (b.status == "error" or t.status == "error"):
        return _whole_step(step, b, t)
    return outcomes


def _shutdown(b: StepResult, t: StepResult) -> list[_Outcome]:
    """The app stopped like a pod: crossing the grace period (SIGKILL), and in-flight requests
    dropped, each its own outcome; a step parity could not run is compared whole."""
    return _by_fact("shutdown", b, t, (("grace period", "sigkilled"), ("in-flight requests", "in_flight_failed")))
