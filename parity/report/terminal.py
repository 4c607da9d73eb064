"""The end-of-run summary on the terminal: steps side by side, divergences with evidence, verdict."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from parity.report.summary import (
    cause_label,
    duration_cell,
    excerpt,
    exit_meaning,
    experiment_line,
    first_line,
    plural,
    step_names,
    unseen_error,
)
from parity.results import Divergence, RunResult, StepResult

EVIDENCE_LINES = 6
EXPERIMENT_LINES = 6
SUMMARY_LIMIT = 70
# (icon, style): the icon carries the meaning when colour is off.
_STATUS = {
    "ok": ("✓", "green"),
    "failed": ("✗", "red"),
    "error": ("!", "yellow"),
    "skipped": ("–", "dim"),
}


def render_terminal(result: RunResult, console: Console) -> None:
    """Print the run's summary: step table, divergences with evidence, and the verdict."""
    console.print(_steps_table(result))
    if result.divergences:
        console.print()
        console.print(_divergence_table(result, result.divergences, "Divergences", with_cause=True))
        _print_evidence(console, result.divergences, result)
    if result.failures:
        console.print()
        title = "Not parity: failed on both profiles"
        console.print(_divergence_table(result, result.failures, title, with_cause=False))
        _print_evidence(console, result.failures, None)
    console.print()
    console.print(_verdict(result))


def _steps_table(result: RunResult) -> Table:
    # rich swaps box characters for ASCII ones by itself when the console cannot encode them.
    table = Table(title="Steps", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    diverging = {d.step for d in result.divergences}
    failing_on_both = {f.step for f in result.failures}
    table.add_column("step", no_wrap=True)
    runs = [result.profiles.get(result.baseline), result.profiles.get(result.target)]
    table.add_column(Text.assemble(result.baseline, (" baseline", "dim")), ratio=1)
    table.add_column(Text.assemble(result.target, (" target", "dim")), ratio=1)
    for name in step_names(result):
        label = Text(name)
        if name in diverging:
            label.stylize("bold red")
            label.append(" ≠", style="bold red")
        elif name in failing_on_both:
            label.stylize("bold yellow")
            label.append(" ✗✗", style="bold yellow")
        cells = [_step_cell(run.steps.get(name) if run else None) for run in runs]
        table.add_row(label, *cells)
    legend = [("≠ target diverges", diverging), ("✗✗ failed on both profiles", failing_on_both)]
    table.caption = "   ".join(words for words, steps in legend if steps) or None
    table.caption_justify = "left"
    return table


def _step_cell(step: StepResult | None) -> Text:
    if step is None:
        return Text("not run", style="dim")
    icon, style = _STATUS.get(step.status, ("?", ""))
    cell = Text()
    cell.append(icon, style=f"bold {style}")
    cell.append(
        f" {step.status}" if not step.summary else f" {first_line(step.summary, SUMMARY_LIMIT)}"
    )
    cell.append(f"  {duration_cell(step.duration_s)}", style="dim")
    return cell


def _divergence_table(
    result: RunResult, items: list[Divergence], title: str, *, with_cause: bool
) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("step", style="bold", no_wrap=True)
    table.add_column("subject", overflow="fold", ratio=2)
    table.add_column(Text(result.baseline), ratio=3)
    table.add_column(Text(result.target), ratio=3)
    if with_cause:
        table.add_column("cause", style="cyan", overflow="fold", ratio=2)
    for index, div in enumerate(items, 1):
        row = [
            Text(str(index)),
            Text(div.step),
            Text(div.subject),
            Text(first_line(div.baseline)),
            Text(first_line(div.target), style="red"),
        ]
        if with_cause:
            row.append(_cause_cell(div))
        table.add_row(*row)
    return table


def _cause_cell(div: Divergence) -> Text:
    if not div.cause:
        return Text("unknown", style="dim")
    cell = Text(div.cause)
    cell.append(f"\n{div.cause_confidence}", style="bold" if div.cause_confidence == "confirmed" else "dim")
    return cell


def _print_evidence(console: Console, items: list[Divergence], result: RunResult | None) -> None:
    """Each item's evidence; for divergences (with `result`) also how its cause was settled."""
    for index, div in enumerate(items, 1):
        # The start says what failed; the end often says why (a traceback's error, which replica answered).
        lines, omitted = excerpt(div.detail, EVIDENCE_LINES, head=EVIDENCE_LINES - 2)
        explained = result is not None and (div.cause_note or div.experiments)
        if not lines and not explained and not div.fix:
            continue
        # Markup with escape() for the heading; evidence goes in as Text, which rich never parses.
        console.print(
            f"[dim]#{index}[/dim] [bold]{escape(div.step)}[/bold]: {escape(div.subject)}",
            highlight=False,
        )
        head = EVIDENCE_LINES - 2 if omitted else len(lines)
        # The error line first, where the excerpt would hide it among the omitted lines.
        leading = unseen_error(div.detail, lines)
        if leading:
            console.print(Text(f"    {leading}", style="bold"), overflow="fold", crop=False)
        body = Text("\n".join(f"    {line}" for line in lines[:head]), style="dim")
        if omitted:
            body.append(f"\n    … {plural(omitted, 'more line')}", style="dim italic")
            body.append("".join(f"\n    {line}" for line in lines[head:]), style="dim")
        if lines:
            console.print(body, overflow="fold", crop=False)
        if result is not None and explained:
            console.print(_cause_text(div, result), overflow="fold", crop=False)
        if div.fix:
            console.print(Text.assemble(("    fix: ", "bold"), div.fix), overflow="fold", crop=False)


def _cause_text(div: Divergence, result: RunResult) -> Text:
    text = Text("    cause: ", style="dim")
    text.append(cause_label(div), style="cyan" if div.cause else "dim")
    if div.cause_note:
        text.append(f" — {div.cause_note}", style="dim")
    shown = div.experiments[:EXPERIMENT_LINES]
    for experiment in shown:
        mark, style = ("✓", "green") if experiment.reproduced else ("·", "dim")
        text.append(f"\n      {mark} ", style=style)
        text.append(experiment_line(experiment, result.baseline, result.target), style="dim")
    if len(div.experiments) > len(shown):
        text.append(f"\n      … {plural(len(div.experiments) - len(shown), 'more experiment')}",
                    style="dim italic")
    return text


def _verdict(result: RunResult) -> Text:
    base, target = result.baseline, result.target
    n_div, n_fail = len(result.divergences), len(result.failures)
    if result.verdict == "parity":
        icon, style, words = "✓", "bold green", f"parity: {target} behaves like {base}"
    elif result.verdict == "error":
        icon, style, words = (
            "!",
            "bold yellow",
            f"parity could not complete the run ({base} vs {target})",
        )
    else:
        icon, style = "✗", "bold red"
        found = [plural(n_div, "divergence") + f" between {base} and {target}"] if n_div else []
        if n_fail:
            found.append(f"not parity: both profiles failed {plural(n_fail, 'check')}")
        words = "; ".join(found) or f"{target} does not behave like {base}"
    return Text.assemble(
        (f"{icon} {words}", style), (f" — exit {result.exit_code}: {exit_meaning(result)}", "dim")
    )
