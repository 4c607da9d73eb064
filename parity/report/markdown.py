"""Markdown for a pull-request comment or a GitHub Actions job summary."""

from __future__ import annotations

import html
import re

from parity.profile.units import format_duration
from parity.report.summary import (
    duration_cell,
    excerpt,
    exit_meaning,
    experiment_line,
    ordered_runs,
    ordered_steps,
    plural,
    step_names,
    unseen_error,
)
from parity.results import Divergence, ProfileRun, RunResult

EVIDENCE_LINES = 40
EVIDENCE_HEAD = 10  # the rest of the budget goes to the end of the log, where errors usually are
LINE_LIMIT = 300
CELL_LIMIT = 200
STATUS_ICONS = {"ok": "✅ ok", "failed": "❌ failed", "error": "⚠️ error", "skipped": "⏭️ skipped"}
# Backslash-escaping ASCII punctuation is always literal in CommonMark; these are the ones
# that would otherwise start emphasis, links, HTML, entities, code spans or split a table cell.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
_BACKTICK_RUN = re.compile(r"`+")


def render_markdown(result: RunResult) -> str:
    """The run as Markdown: verdict, divergence table, evidence, per-profile steps."""
    parts = [_headline(result), _divergence_section(result), _failure_section(result)]
    parts += [_steps_section(result), _footer(result)]
    return "\n\n".join(p for p in parts if p) + "\n"


def _headline(result: RunResult) -> str:
    base, target = _code(result.baseline, in_table=False), _code(result.target, in_table=False)
    n_div, n_fail = len(result.divergences), len(result.failures)
    if result.verdict == "error":
        title = f"⚠️ parity could not complete the run ({base} vs {target})"
    elif result.verdict == "parity":
        title = f"✅ parity: {target} behaves like {base}"
    elif n_div:
        title = f"❌ {plural(n_div, 'divergence')} between {base} and {target}"
    elif n_fail:
        title = f"❌ not parity: both {base} and {target} failed {plural(n_fail, 'check')}"
    else:
        title = f"❌ {target} does not behave like {base}"
    lines = [f"## {title}"]
    if n_fail and n_div:
        lines.append(
            f"**Not parity: both profiles failed {plural(n_fail, 'check')}** as well "
            "— the baseline itself is broken there (see below)."
        )
    elif n_fail:
        lines.append(
            "**Not parity: both profiles failed** — the target fails the same way as the "
            "baseline, so the baseline itself needs fixing first."
        )
    lines.append(f"Exit code **{result.exit_code}**: {exit_meaning(result)}.")
    return "\n\n".join(lines)


def _divergence_section(result: RunResult) -> str:
    if not result.divergences:
        return ""
    header = _table_header(result, with_cause=True)
    rows = [_divergence_row(d, with_cause=True) for d in result.divergences]
    details = [_details(i, d, result) for i, d in enumerate(result.divergences, 1)]
    return "\n".join(["### Divergences", "", *header, *rows, "", *details])


def _failure_section(result: RunResult) -> str:
    if not result.failures:
        return ""
    header = _table_header(result, with_cause=False)
    rows = [_divergence_row(d, with_cause=False) for d in result.failures]
    details = [_details(i, d, None) for i, d in enumerate(result.failures, 1)]
    title = "### Not parity: failed on both profiles"
    return "\n".join([title, "", *header, *rows, "", *details])


def _table_header(result: RunResult, *, with_cause: bool) -> list[str]:
    columns = [
        "step",
        "subject",
        f"baseline ({_code(result.baseline)})",
        f"target ({_code(result.target)})",
    ]
    if with_cause:
        columns.append("cause")
    return ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]


def _divergence_row(div: Divergence, *, with_cause: bool) -> str:
    cells = [_cell(div.step), _code(div.subject), _cell(div.baseline), _cell(div.target)]
    if with_cause:
        cells.append(f"{_code(div.cause)} ({div.cause_confidence})" if div.cause else "unknown")
    return "| " + " | ".join(cells) + " |"


def _details(index: int, div: Divergence, result: RunResult | None) -> str:
    """The evidence, and for a divergence (with `result`) how its cause was settled."""
    summary = f"{index}. <b>{html.escape(div.step)}</b>: {html.escape(div.subject)}"
    if div.cause:
        summary += f" — cause <code>{html.escape(div.cause)}</code> ({div.cause_confidence})"
    body = [_evidence(div.detail)]
    if result is not None:
        body += _cause_section(div, result)
    if div.fix:
        body += ["", f"**Fix:** {_cell(div.fix)}"]
    return "\n".join(["<details>", f"<summary>{summary}</summary>", "", *body, "", "</details>"])


def _cause_section(div: Divergence, result: RunResult) -> list[str]:
    lines = []
    if div.cause_note:
        lines += ["", f"**Cause:** {_cell(div.cause_note)}" if div.cause else f"**Cause unknown:** {_cell(div.cause_note)}"]
    if div.experiments:
        lines += ["", "| experiment | result |", "| --- | --- |"]
        for experiment in div.experiments:
            verdict, _, what = experiment_line(experiment, result.baseline, result.target).partition(" — ")
            icon = "✅ " if experiment.reproduced else ""
            lines.append(f"| {_cell(what)} | {icon}{_cell(verdict)} |")
    return lines


def _evidence(text: str) -> str:
    if not text.strip():
        return "_no evidence captured_"
    lines, omitted = excerpt(text, EVIDENCE_LINES, head=EVIDENCE_HEAD)
    leading = unseen_error(text, lines)
    lines = [ln if len(ln) <= LINE_LIMIT else ln[: LINE_LIMIT - 1] + "…" for ln in lines]
    if omitted:
        lines.insert(EVIDENCE_HEAD, f"… {omitted} lines omitted …")
    if leading:  # the error line first, where the excerpt would hide it
        lines.insert(0, leading if len(leading) <= LINE_LIMIT else leading[: LINE_LIMIT - 1] + "…")
    return _fenced("\n".join(lines))


def _steps_section(result: RunResult) -> str:
    names = step_names(result)
    blocks = ["### Steps"]
    for run in ordered_runs(result):
        blocks.append(_profile_table(result, run, names))
    return "\n\n".join(blocks) if len(blocks) > 1 else ""


def _profile_table(result: RunResult, run: ProfileRun, names: list[str]) -> str:
    role = {result.baseline: " (baseline)", result.target: " (target)"}.get(run.name, "")
    title = f"#### {_code(run.name, in_table=False)}{role}"
    if run.description:
        title += f" — {_cell(run.description)}"
    rows = [title, "", "| step | status | duration | summary |", "| --- | --- | --- | --- |"]
    for name, step in ordered_steps(run, names):
        status = STATUS_ICONS.get(step.status, step.status)
        rows.append(
            f"| {_cell(name)} | {status} | {duration_cell(step.duration_s)} | {_cell(step.summary)} |"
        )
    if len(rows) == 4:
        rows.append("| — | — | — | no steps ran |")
    return "\n".join(rows)


def _footer(result: RunResult) -> str:
    took = f" · {format_duration(result.duration_s)}" if result.duration_s > 0 else ""
    return f"<sub>parity {html.escape(result.parity_version)}{took}</sub>"


def _flatten(text: str, limit: int = CELL_LIMIT) -> str:
    # Table rows are single lines: newlines would end the row and break the table.
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _cell(text: str) -> str:
    """Plain text safe inside a table cell: one line, no markup, pipes escaped."""
    flat = _flatten(text)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat) if flat else "—"


def _code(text: str, *, in_table: bool = True) -> str:
    """An inline code span that survives backticks in `text`, and pipes when inside a table."""
    flat = _flatten(text)
    if not flat:
        return "—"
    longest = max((len(m) for m in _BACKTICK_RUN.findall(flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    if in_table:
        # GFM splits table cells on `|` before it sees code spans, so pipes need a backslash even here.
        flat = flat.replace("|", "\\|")
    return f"{fence}{pad}{flat}{pad}{fence}"


def _fenced(text: str) -> str:
    """A fenced code block longer than any backtick run inside it, so evidence cannot close it."""
    longest = max((len(m) for m in _BACKTICK_RUN.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"
