"""Wording shared by every report: step order, duration cells, the verdict and what the exit code means."""

from __future__ import annotations

from collections.abc import Iterator

from parity.evidence import error_line
from parity.profile.units import format_duration
from parity.results import (
    ASKED_FOR,
    STEP_NAMES,
    Divergence,
    Experiment,
    ProfileRun,
    RunResult,
    StepResult,
)

EXIT_MEANINGS = {0: "parity", 1: "divergences found", 3: "environment error"}


def step_names(result: RunResult) -> list[str]:
    """Every step either profile ran, in run order; steps parity does not know go last. A step
    only run when asked for (rollout, shutdown) that every profile skipped is left out."""
    seen = {name for run in result.profiles.values() for name in run.steps}
    for name in ASKED_FOR:
        results = [run.steps[name] for run in result.profiles.values() if name in run.steps]
        if results and all(step.status == "skipped" for step in results):
            seen.discard(name)
    extra = sorted(seen - set(STEP_NAMES))
    return [name for name in STEP_NAMES if name in seen] + extra


def ordered_runs(result: RunResult) -> list[ProfileRun]:
    """The baseline first, then the target, then anything else the result carries."""
    first = [result.baseline, result.target]
    names = [n for n in first if n in result.profiles]
    names += [n for n in result.profiles if n not in names]
    return [result.profiles[n] for n in names]


def ordered_steps(run: ProfileRun, names: list[str]) -> Iterator[tuple[str, StepResult]]:
    """The profile's step results in the given order, skipping steps it did not run."""
    for name in names:
        if name in run.steps:
            yield name, run.steps[name]


def duration_cell(seconds: float) -> str:
    """A step's time in a table cell: `—` for one that took none (skipped, never started)."""
    return format_duration(seconds) if seconds > 0 else "—"


def plural(count: int, word: str) -> str:
    """`1 divergence`, `3 divergences`."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def exit_meaning(result: RunResult) -> str:
    """What the exit code the run ends with means, in a few words."""
    code = result.exit_code
    if code == 1 and result.failures and not result.divergences:
        return "steps failed on both profiles"
    return EXIT_MEANINGS.get(code, "error")


def first_line(text: str, limit: int = 160) -> str:
    """The first non-empty line of `text`, cut to `limit` characters."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def excerpt(text: str, max_lines: int, head: int | None = None) -> tuple[list[str], int]:
    """At most `max_lines` lines of `text`, and how many were omitted.

    With `head`, keeps that many leading lines and the rest from the end (tracebacks end with the cause).
    """
    lines = text.strip("\n").splitlines()
    if len(lines) <= max_lines:
        return lines, 0
    omitted = len(lines) - max_lines
    if head is None:
        return lines[:max_lines], omitted
    tail = max_lines - head
    return lines[:head] + lines[len(lines) - tail :], omitted


def unseen_error(text: str, shown: list[str]) -> str:
    """The line of `text` that says what went wrong (parity.evidence.error_line), when an excerpt
    showing `shown` would leave it out (a traceback's start shown, its error among the omitted)."""
    line = error_line(text)
    return line if line and not any(line in seen for seen in shown) else ""


def cause_label(div: Divergence) -> str:
    """`database.version (confirmed)`, `database.ssl (suspected)`, or `unknown`."""
    return f"{div.cause} ({div.cause_confidence})" if div.cause else "unknown"


def experiment_line(experiment: Experiment, baseline: str, target: str) -> str:
    """One experiment in words: `reproduced — local with prod's database.version (3.1s)`."""
    keys = ", ".join(experiment.keys)
    what = (f"{baseline} with {target}'s {keys}" if experiment.kind == "apply"
            else f"{target} with {baseline}'s {keys}")
    note = experiment.note or ""
    if note.startswith("not run"):
        return f"not run — {what}: {note.removeprefix('not run: ')}"
    verdict = "reproduced" if experiment.reproduced else "not reproduced"
    took = f" ({format_duration(experiment.duration_s)})" if experiment.duration_s > 0 else ""
    return f"{verdict} — {what}{took}" + (f": {note}" if note else "")
