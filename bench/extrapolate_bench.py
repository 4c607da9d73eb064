"""`make bench`, rehearsal by extrapolation (data.extrapolate): how far the example's blocking
revision's lock time, estimated from samples, is from the lock time measured at a size that was
not part of the fit.

The example's migrations (database only, run from this machine with the benchmark's own virtualenv,
which has Alembic, SQLAlchemy and psycopg) under its
production traffic, data at 0002, its audit_log at production's size:
- `estimated`: audit_log 1,000,000 rows with `extrapolate: true` and samples of 50,000, 100,000
  and 200,000 rows: 0002a (int -> bigint, a rewrite under ACCESS EXCLUSIVE) is rehearsed at each
  sample and its `blocking_s` (the longest the traffic waited on it) estimated at 1,000,000;
- `measured`: the same 1,000,000 rows filled and rehearsed for real.
Each is a `parity run` of its own (the same baseline, no data), one after the other so they never
share the CPU, `reps` times; the figure is the relative error of the estimate against the
measurement (medians; best of the repetitions beside it), the issue's target 30%. The filled clusters this makes are removed at the end.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import docker
import docker.errors

PRODUCTION = 1_000_000
SAMPLES = (50_000, 100_000, 200_000)
REVISION = "0002a"
TARGET_ERROR = 0.30
FIGURES = ("blocking_s", "writes_blocked_s", "duration_s")

BASE = f"""description: the example's migrations only, from this machine
host: {{venv: {sys.prefix}}}
database: {{version: "17"}}
migrations: {{command: [alembic, upgrade, head], run_in: host, timeout: 10m}}
"""
# The example's production traffic (profiles/prod.yaml): the app keeps writing to the audit trail.
TRAFFIC = """traffic:
  rate: 20/s
  sql:
    - "INSERT INTO audit_log (action, note_id, detail) VALUES ('note.viewed', 1, 'traffic')"
    - "SELECT id, title FROM notes ORDER BY id DESC LIMIT 20"
"""
PROFILES = {
    "base": BASE,
    "estimated": "extends: base\n" + TRAFFIC + f"data: {{at: '0002', rows: {{audit_log: {PRODUCTION}}}, "
                 f"extrapolate: true, samples: [{', '.join(str(s) for s in SAMPLES)}]}}\n",
    "measured": "extends: base\n" + TRAFFIC + f"data: {{at: '0002', rows: {{audit_log: {PRODUCTION}}}}}\n",
}

# (profile, profiles directory, extra flags) -> the run's JSON report
Run = Callable[[str, Path, list[str]], dict[str, Any]]


def _revision(report: dict[str, Any], profile: str) -> dict[str, Any] | None:
    steps = report.get("profiles", {}).get(profile, {}).get("steps", {})
    revisions = steps.get("migrations", {}).get("revisions", [])
    return next((r for r in revisions if r.get("id") == REVISION), None)


def _made_filled_cluster(report: dict[str, Any], profile: str) -> str | None:
    """The filled cluster a run made and cached (not one it started from), to remove at the end."""
    facts = report.get("profiles", {}).get(profile, {}).get("steps", {}).get("data", {}).get("facts", {})
    return None if facts.get("cached", True) else facts.get("image")


@contextlib.contextmanager
def _removing(client: docker.DockerClient, images: set[str]) -> Iterator[None]:
    """Remove `images` (as the block fills it) on the way out."""
    try:
        yield
    finally:
        for ref in images:
            with contextlib.suppress(docker.errors.APIError):
                client.images.remove(ref)


def bench_extrapolate(client: docker.DockerClient, reps: int, run: Run, example: Path,
                      say: Callable[[str], None]) -> dict[str, Any]:
    """Estimate and measure 0002a's figures at PRODUCTION rows `reps` times each, alternating."""
    estimated: dict[str, list[float]] = {f: [] for f in FIGURES}
    measured: dict[str, list[float]] = {f: [] for f in FIGURES}
    fits: list[dict[str, Any]] = []
    made: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="parity-bench-extrapolate-") as tmp, _removing(client, made):
        profiles = Path(tmp)
        for name, text in PROFILES.items():
            (profiles / f"{name}.yaml").write_text(text)
        flags = ["--project", str(example), "--baseline", "base"]
        for rep in range(1, reps + 1):
            reports = {profile: run(profile, profiles, flags) for profile in ("estimated", "measured")}
            made.update(filter(None, (_made_filled_cluster(r, p) for p, r in reports.items())))
            guess, truth = (_revision(r, p) for p, r in reports.items())
            if not guess or not guess.get("estimate") or not truth or not truth.get("measures"):
                say(f"extrapolate {rep}/{reps}: {REVISION} was not rehearsed on both sides, skipped")
                continue
            estimate, measures = guess["estimate"], truth["measures"]
            for figure in FIGURES:
                estimated[figure].append(estimate[figure])
                measured[figure].append(truth["duration_s"] if figure == "duration_s" else measures[figure])
            fits.append(estimate["fits"]["blocking_s"] | {"samples": [s["blocking_s"] for s in estimate["samples"]]})
            say(f"extrapolate {rep}/{reps}: {REVISION} blocked the traffic {estimate['blocking_s']:.2f}s estimated "
                f"({estimate['fits']['blocking_s']['model']}), {measures['blocking_s']:.2f}s measured at {PRODUCTION:,} rows")
    figures: dict[str, Any] = {}
    for figure in FIGURES:
        guess_m = statistics.median(estimated[figure]) if estimated[figure] else None
        truth_m = statistics.median(measured[figure]) if measured[figure] else None
        error = abs(guess_m - truth_m) / truth_m if guess_m is not None and truth_m else None
        # Best of the repetitions, too: contention from other work only ever adds time, so the
        # smallest of each side is its least disturbed reading.
        best = (min(estimated[figure]), min(measured[figure])) if estimated[figure] else None
        figures[figure] = {"estimated": _rounded(estimated[figure]), "measured": _rounded(measured[figure]),
                           "estimated_median": guess_m, "measured_median": truth_m,
                           "error": None if error is None else round(error, 3),
                           "best_error": round(abs(best[0] - best[1]) / best[1], 3) if best and best[1] else None}
    error = figures["blocking_s"]["error"]
    return {"revision": REVISION, "rows": PRODUCTION, "samples": list(SAMPLES), "repetitions": reps,
            "figures": figures, "fits": fits, "target_error": TARGET_ERROR,
            "met": error is not None and error <= TARGET_ERROR}


def _rounded(values: list[float]) -> list[float]:
    return [round(v, 3) for v in values]


def table_rows(results: dict[str, Any], fmt: Callable[[float | None], str]) -> list[tuple[str, ...]]:
    """The figure's rows in run_bench's table."""
    blocking = results["figures"]["blocking_s"]
    sizes = "/".join(f"{s // 1000}k" for s in results["samples"])
    error = blocking["error"]
    rows: list[tuple[str, ...]] = [(
        f"{results['revision']}'s lock time at {results['rows'] // 1000}k rows, estimated from {sizes} "
        f"(median of {results['repetitions']})", fmt(blocking["estimated_median"]),
        f"measured {fmt(blocking['measured_median'])}", "n/a" if error is None else f"{error:.0%} off",
        f"<= {TARGET_ERROR:.0%}", "yes" if results["met"] else "NO")]
    best = blocking["best_error"]
    rows.append(("  the same, best of the repetitions on each side", fmt(min(blocking["estimated"], default=None)),
                 fmt(min(blocking["measured"], default=None)), "n/a" if best is None else f"{best:.0%} off", "", ""))
    for figure, words in (("writes_blocked_s", "writes blocked"), ("duration_s", "duration")):
        f = results["figures"][figure]
        rows.append((f"  {words}: estimated / measured", fmt(f["estimated_median"]), fmt(f["measured_median"]),
                     "n/a" if f["error"] is None else f"{f['error']:.0%} off", "", ""))
    return rows
