"""Two profiles' results -> what differs, step by step, each with the failing side's own evidence.

Saying why is not this module's job: `compare` hands each divergence to the heuristic in
parity.causes, and `parity explain` confirms causes by experiment.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from parity.causes.heuristic import suspect
from parity.evidence import Evidence, key_line
from parity.profile.models import Profile
from parity.results import Divergence, ProfileRun, Revision, StepResult, TestCase


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


def compare(baseline: ProfileRun, target: ProfileRun, base_profile: Profile, target_profile: Profile,
            ) -> tuple[list[Divergence], list[Divergence]]:
    """(divergences, failures on both sides) between two runs, each divergence with its suspected cause."""
    comparison = compare_runs(baseline, target, same_engine=same_engine(base_profile, target_profile))
    found = []
    for finding in comparison.divergences:
        suspicion = suspect(finding.evidence, base_profile, target_profile)
        if suspicion is None:
            found.append(finding.divergence)
            continue
        found.append(finding.divergence.model_copy(update={
            "cause": suspicion.key, "cause_confidence": "suspected",
            "cause_note": f"from the error: {suspicion.because}"}))
    return found, comparison.failures


def same_engine(a: Profile, b: Profile) -> bool:
    """Whether both profiles use the same database engine (types compare only then)."""
    return (a.database and a.database.engine) == (b.database and b.database.engine)


def compare_runs(baseline: ProfileRun, target: ProfileRun, *, same_engine: bool = True) -> Comparison:
    """Everything that differs between two runs, in run order, compared where both ran the step."""
    b, t = baseline.steps, target.steps

    def both_ran(step: str) -> bool:
        return step in b and step in t

    database = _whole_step("database", b["database"], t["database"]) if both_ran("database") else []
    migrations = _migrations(b["migrations"], t["migrations"]) if both_ran("migrations") else []
    # A schema left by migrations that diverged differs for that reason alone.
    schema = [] if not both_ran("migrations") or any(o.diverges for o in migrations) else \
        list(_schema(b["migrations"], t["migrations"], same_engine))
    startup = _whole_step("startup", b["startup"], t["startup"]) if both_ran("startup") else []
    # Smoke tests against an app that did not start alike would only repeat the startup divergence.
    smoke = _smoke(b["smoke"], t["smoke"]) if both_ran("smoke") and not any(o.diverges for o in startup) else []
    resources = _resources(b["resources"], t["resources"]) if both_ran("resources") else []
    started_alike = not any(o.diverges for o in startup)
    rollout = _rollout(b["rollout"], t["rollout"]) if both_ran("rollout") and started_alike else []
    shutdown = _shutdown(b["shutdown"], t["shutdown"]) if both_ran("shutdown") and started_alike else []
    oom = (_oom_killed(b.get("resources")), _oom_killed(t.get("resources")))

    def found(outcomes: list[_Outcome]) -> list[Finding]:
        return [_finding(o, oom) for o in outcomes if o.diverges]

    everything = [*database, *migrations, *startup, *smoke, *resources, *rollout, *shutdown]
    return Comparison(
        divergences=[*found(database + migrations), *schema,
                     *found(startup + smoke + resources + rollout + shutdown)],
        failures=[_divergence(o, both=True) for o in everything if all(o.bad)],
    )


def _finding(outcome: _Outcome, oom: tuple[frozenset[str], frozenset[str]]) -> Finding:
    side = 1 if outcome.bad[1] else 0
    evidence = Evidence(side="target" if side else "baseline", step=outcome.step, text=outcome.errors[side],
                        facts=outcome.facts[side], oom_killed=oom[side], component=outcome.component)
    return Finding(_divergence(outcome, both=False), evidence)


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


def _migrations(b: StepResult, t: StepResult) -> list[_Outcome]:
    if b.revisions and t.revisions:
        by_id = {r.id: r for r in b.revisions}
        outcomes = [
            _Outcome("migrations", f"{rev.id} {rev.description}".strip(), (_rev(other), _rev(rev)),
                     (other.error, rev.error), (other.status == "failed", rev.status == "failed"))
            for rev in t.revisions
            if (other := by_id.get(rev.id)) is not None and "failed" in (other.status, rev.status)
        ]
        # A failed revision explains a failed step; otherwise the step itself is what differs.
        if outcomes or not (_bad(b) or _bad(t)) or any(r.status == "failed" for r in b.revisions + t.revisions):
            return outcomes
    if not (_bad(b) or _bad(t)):
        return []
    return [_Outcome("migrations", "migrations", (_say(b), _say(t)), (b.detail, t.detail), (_bad(b), _bad(t)),
                     (b.facts, t.facts))]


def _rev(rev: Revision) -> str:
    if rev.status == "failed":
        return f"failed: {key_line(rev.error)[:200] or 'see detail'}"
    return f"{rev.status} ({rev.duration_s:.2f}s)" if rev.status == "ok" else rev.status


def _schema(b: StepResult, t: StepResult, same_engine: bool) -> Iterator[Finding]:
    bs, ts = b.schema_snapshot, t.schema_snapshot
    if not bs or not ts or "error" in bs or "error" in ts:
        return
    for subject, bt, tt in _schema_differences(bs, ts, same_engine):
        detail = f"{subject}: baseline {bt}, target {tt}"
        yield Finding(Divergence(step="schema", subject=subject, baseline=bt, target=tt, detail=detail),
                      Evidence(side="target", step="schema", text=detail))


def _schema_differences(bs: dict[str, Any], ts: dict[str, Any], same_engine: bool) -> Iterable[tuple[str, str, str]]:
    def present(found: bool) -> str:
        return "present" if found else "missing"

    bt_tables, tt_tables = bs.get("tables", {}), ts.get("tables", {})
    for table in sorted(set(bt_tables) | set(tt_tables)):
        if table not in tt_tables or table not in bt_tables:
            yield f"table {table}", present(table in bt_tables), present(table in tt_tables)
            continue
        bcols, tcols = bt_tables[table]["columns"], tt_tables[table]["columns"]
        for col in sorted(set(bcols) | set(tcols)):
            if col not in bcols or col not in tcols:
                yield f"column {table}.{col}", present(col in bcols), present(col in tcols)
            elif same_engine and bcols[col] != tcols[col]:
                yield f"column {table}.{col}", _col(bcols[col]), _col(tcols[col])
        if same_engine:
            for facet in ("primary_key", "indexes", "unique", "foreign_keys", "checks"):
                if bt_tables[table].get(facet) != tt_tables[table].get(facet):
                    yield (f"{facet.replace('_', ' ')} of {table}", str(bt_tables[table].get(facet)),
                           str(tt_tables[table].get(facet)))
    if same_engine and bs.get("views") != ts.get("views"):
        yield "views", ", ".join(bs.get("views", [])) or "none", ", ".join(ts.get("views", [])) or "none"


def _col(column: dict[str, Any]) -> str:
    return f"{column['type']}{'' if column['nullable'] else ' NOT NULL'}"


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
