"""Two profiles' results -> divergences, each with its evidence and the profile key most likely behind it."""

from __future__ import annotations

import re
from typing import Any

from parity.evidence import key_line
from parity.profile.models import Profile
from parity.results import Divergence, ProfileRun, Revision, StepResult, TestCase

# (evidence pattern, profile key) in order of specificity; a key is blamed only if the
# two profiles really differ on it.
CAUSE_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p, re.IGNORECASE), key)
    for p, key in [
        (r"OOMKilled|out of memory|exit(ed with code)? 137|MemoryError|Cannot allocate memory", "app.memory"),
        (r"probe budget|budget exhausted|kubelet would have killed", "app.startup_probe"),
        (r"pg_hba\.conf.*(no encryption|SSL off)|SSL (is )?(off|required)|server does not support SSL"
         r"|SSL connection|certificate verify failed|sslmode", "database.ssl"),
        (r"too many clients|remaining connection slots", "database.max_connections"),
        (r"permission denied (to create extension|for (database|schema))|must be (a )?superuser"
         r"|must be owner|permission denied to", "database.superuser"),
        (r"read-only file system|EROFS", "app.read_only"),
        (r"SECRET|secret|not configured|KeyError|environment variable|\.env\b|/run/secrets|credential",
         "secrets.source"),
        (r"syntax error|does not exist|not supported|unrecognized|unknown (function|type)|no such function",
         "database.version"),
        (r"permission denied|EACCES|Operation not permitted", "app.user"),
        (r"timed out", "{step}.timeout"),
    ]
]
# When the named key is the same on both sides, these may explain the same evidence instead.
FALLBACKS = {
    "database.version": ["database.engine", "database.image"],
    "secrets.source": ["secrets.values", "secrets.path"],
    "app.memory": ["database.memory"],
    "{step}.timeout": ["app.cpus", "database.memory"],
}
SPEC_GROUPS = ("app.startup_probe", "secrets.values", "database.settings", "app.env", "smoke.http")


def differing_keys(baseline: Profile, target: Profile) -> set[str]:
    """The profile keys (SPEC-level, dotted) whose values differ between the two profiles."""
    left = _flatten(baseline.model_dump(mode="json", exclude={"description", "extends"}))
    right = _flatten(target.model_dump(mode="json", exclude={"description", "extends"}))
    keys = set()
    for key in set(left) | set(right):
        if left.get(key) != right.get(key):
            group = next((g for g in SPEC_GROUPS if key == g or key.startswith(g + ".")), None)
            keys.add(group or key)
    return keys


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict):
        flat: dict[str, Any] = {}
        for key, value in data.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat or {prefix: {}}
    return {prefix: data}


def infer_cause(evidence: str, differing: set[str], step: str) -> str | None:
    """The profile key that most likely explains the evidence, among the keys that differ; None if unsure."""
    for pattern, key in CAUSE_RULES:
        if pattern.search(evidence):
            for candidate in (key, *FALLBACKS.get(key, [])):
                named = candidate.format(step=step)
                if named in differing:
                    return named
    return None


def compare(
    baseline: ProfileRun, target: ProfileRun, base_profile: Profile, target_profile: Profile
) -> tuple[list[Divergence], list[Divergence]]:
    """(divergences, failures on both sides) between two runs, step by step."""
    differing = differing_keys(base_profile, target_profile)
    found: list[Divergence] = []
    both: list[Divergence] = []
    b, t = baseline.steps, target.steps

    def add(step: str, subject: str, b_text: str, t_text: str, detail: str, b_bad: bool, t_bad: bool,
            cause: str | None = None) -> None:
        entry = Divergence(step=step, subject=subject, baseline=b_text, target=t_text, detail=detail.strip())
        if b_bad and t_bad:
            both.append(entry)
        elif b_bad != t_bad:
            if cause is not None:
                entry.cause = cause if cause in differing else None
            else:
                entry.cause = infer_cause(f"{subject}\n{t_text if t_bad else b_text}\n{detail}", differing, step)
            found.append(entry)

    for step in ("database", "startup"):
        if step in b and step in t:
            _compare_whole(step, b[step], t[step], add)
    migrations_diverged = False
    if "migrations" in b and "migrations" in t:
        before = len(found)
        _compare_migrations(b["migrations"], t["migrations"], add)
        migrations_diverged = len(found) > before
        if not migrations_diverged:
            _compare_schema(b["migrations"], t["migrations"], base_profile, target_profile, found, differing)
    startup_diverged = any(d.step == "startup" for d in found)
    if "smoke" in b and "smoke" in t and not startup_diverged:
        before = len(found)
        _compare_smoke(b["smoke"], t["smoke"], add)
        _blame_crash(found[before:], t.get("resources"), differing)
    if "resources" in b and "resources" in t:
        _compare_resources(b["resources"], t["resources"], add)
    return found, both


def _bad(result: StepResult) -> bool:
    return result.status in ("failed", "error")


def _compare_whole(step: str, b: StepResult, t: StepResult, add: Any) -> None:
    if _bad(b) or _bad(t):
        detail = t.detail if _bad(t) else b.detail
        if _bad(b) and _bad(t):
            detail = f"baseline: {b.detail}\n\ntarget: {t.detail}"
        add(step, "ready" if step == "startup" else step, _say(b), _say(t), detail, _bad(b), _bad(t))


def _say(result: StepResult) -> str:
    return f"{result.status}: {result.summary}" if result.summary else result.status


def _compare_migrations(b: StepResult, t: StepResult, add: Any) -> None:
    if b.revisions and t.revisions:
        b_revs = {r.id: r for r in b.revisions}
        for rev in t.revisions:
            other = b_revs.get(rev.id)
            if other is None:
                continue
            b_bad, t_bad = other.status == "failed", rev.status == "failed"
            if b_bad or t_bad:
                subject = f"{rev.id} {rev.description}".strip()
                detail = rev.error if t_bad else other.error
                add("migrations", subject, _rev(other), _rev(rev), detail, b_bad, t_bad)
        if not (_bad(b) or _bad(t)) or any(r.status == "failed" for r in b.revisions + t.revisions):
            return
    if _bad(b) or _bad(t):
        detail = t.detail if _bad(t) else b.detail
        add("migrations", "migrations", _say(b), _say(t), detail, _bad(b), _bad(t))


def _rev(rev: Revision) -> str:
    if rev.status == "failed":
        return f"failed: {key_line(rev.error)[:200] or 'see detail'}"
    return f"{rev.status} ({rev.duration_s:.2f}s)" if rev.status == "ok" else rev.status


def _compare_schema(
    b: StepResult, t: StepResult, bp: Profile, tp: Profile, found: list[Divergence], differing: set[str]
) -> None:
    bs, ts = b.schema_snapshot, t.schema_snapshot
    if not bs or not ts or "error" in bs or "error" in ts:
        return
    same_engine = (bp.database and bp.database.engine) == (tp.database and tp.database.engine)
    cause = "database.version" if "database.version" in differing else (
        "database.engine" if "database.engine" in differing else None)

    def diverge(subject: str, bt: str, tt: str) -> None:
        found.append(Divergence(step="schema", subject=subject, baseline=bt, target=tt,
                                detail=f"{subject}: baseline {bt}, target {tt}", cause=cause))

    bt_tables, tt_tables = bs.get("tables", {}), ts.get("tables", {})
    for table in sorted(set(bt_tables) | set(tt_tables)):
        if table not in tt_tables or table not in bt_tables:
            diverge(f"table {table}", "present" if table in bt_tables else "missing",
                    "present" if table in tt_tables else "missing")
            continue
        bcols, tcols = bt_tables[table]["columns"], tt_tables[table]["columns"]
        for col in sorted(set(bcols) | set(tcols)):
            if col not in bcols or col not in tcols:
                diverge(f"column {table}.{col}", "present" if col in bcols else "missing",
                        "present" if col in tcols else "missing")
            elif same_engine and bcols[col] != tcols[col]:
                diverge(f"column {table}.{col}", _col(bcols[col]), _col(tcols[col]))
        if same_engine:
            for facet in ("primary_key", "indexes", "unique", "foreign_keys", "checks"):
                if bt_tables[table].get(facet) != tt_tables[table].get(facet):
                    diverge(f"{facet.replace('_', ' ')} of {table}", str(bt_tables[table].get(facet)),
                            str(tt_tables[table].get(facet)))
    if same_engine and bs.get("views") != ts.get("views"):
        diverge("views", ", ".join(bs.get("views", [])) or "none", ", ".join(ts.get("views", [])) or "none")


def _col(column: dict[str, Any]) -> str:
    return f"{column['type']}{'' if column['nullable'] else ' NOT NULL'}"


def _compare_smoke(b: StepResult, t: StepResult, add: Any) -> None:
    b_cases = {c.id: c for c in b.tests}
    t_cases = {c.id: c for c in t.tests}
    compared = False
    for case_id in [*b_cases, *[i for i in t_cases if i not in b_cases]]:
        bc, tc = b_cases.get(case_id), t_cases.get(case_id)
        if bc is None or tc is None:
            continue
        compared = True
        b_bad, t_bad = bc.outcome in ("failed", "error"), tc.outcome in ("failed", "error")
        if b_bad or t_bad:
            detail = tc.message if t_bad else bc.message
            add("smoke", case_id, _case(bc), _case(tc), detail, b_bad, t_bad)
    if not compared and (_bad(b) or _bad(t)):
        add("smoke", "smoke", _say(b), _say(t), t.detail if _bad(t) else b.detail, _bad(b), _bad(t))


_LOST_APP = re.compile(r"RemoteDisconnected|Connection (refused|reset|aborted)|no response|closed connection"
                       r"|Errno 111|Errno 104", re.IGNORECASE)


def _blame_crash(smoke: list[Divergence], resources: StepResult | None, differing: set[str]) -> None:
    """Smoke tests that lost the app because the kernel OOM-killed it are the memory cap's doing."""
    if resources is None or not resources.facts.get("app_oom_killed") or "app.memory" not in differing:
        return
    for entry in smoke:
        if entry.cause is None and _LOST_APP.search(f"{entry.target}\n{entry.detail}"):
            entry.cause = "app.memory"
            entry.detail = f"{entry.detail}\n(the app was OOMKilled during the smoke tests)".strip()


def _case(case: TestCase) -> str:
    if case.outcome in ("failed", "error"):
        lines = [line for line in case.message.strip().splitlines() if line.strip()]
        return f"{case.outcome}: {lines[0][:200]}" if lines else case.outcome
    return case.outcome


def _compare_resources(b: StepResult, t: StepResult, add: Any) -> None:
    for role, name, key in (("app", "app memory", "app.memory"), ("db", "database memory", "database.memory")):
        b_oom, t_oom = bool(b.facts.get(f"{role}_oom_killed")), bool(t.facts.get(f"{role}_oom_killed"))
        if b_oom or t_oom:
            add("resources", name, _oom_said(b.facts, role, b_oom), _oom_said(t.facts, role, t_oom),
                f"{role} OOMKilled: the kernel killed the process at its memory limit (exit 137)", b_oom, t_oom,
                cause=key)


def _oom_said(facts: dict[str, Any], role: str, oom: bool) -> str:
    limit = facts.get(f"{role}_limit_bytes")
    cap = f"{int(limit) // 2**20} MiB" if limit else "no cap"
    return f"OOMKilled at its limit ({cap})" if oom else f"not OOMKilled ({cap})"
