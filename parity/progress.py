"""Live progress of a run: one row per profile, the step it is on and what it last did."""

from __future__ import annotations

import threading
import time
from types import TracebackType

from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from parity.results import ASKED_FOR, STEP_NAMES

ICONS = {"ok": "[green]✓[/green]", "failed": "[red]✗[/red]", "error": "[red]![/red]",
         "skipped": "[dim]-[/dim]", "running": "[yellow]…[/yellow]"}


class RunProgress:
    """Thread-safe progress board; a live table on a terminal, plain lines otherwise (CI logs)."""

    def __init__(self, console: Console, profiles: list[str]) -> None:
        self.console = console
        self.started = time.monotonic()
        self.rows: dict[str, dict[str, str]] = {p: {} for p in profiles}
        self.notes: dict[str, str] = dict.fromkeys(profiles, "waiting")
        self.lock = threading.Lock()
        self.live = Live(self._table(), console=console, refresh_per_second=8, transient=False) \
            if console.is_terminal else None

    def __enter__(self) -> RunProgress:
        if self.live:
            self.live.__enter__()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.live:
            self.live.update(self._table())
            self.live.__exit__(exc_type, exc, tb)

    def step(self, profile: str, step: str, status: str, note: str = "") -> None:
        """A step started ('running') or ended (its status)."""
        with self.lock:
            self.rows.setdefault(profile, {})[step] = status
            if note:
                self.notes[profile] = note
            self._show(profile, f"{step}: {status}" + (f" — {note}" if note else ""))

    def note(self, profile: str, message: str) -> None:
        """A line of what a profile (or an experiment, which gets a row of its own) is doing."""
        with self.lock:
            self.rows.setdefault(profile, {})
            self.notes[profile] = message
            self._show(profile, message)

    def _show(self, profile: str, message: str) -> None:
        if self.live:
            self.live.update(self._table())
        else:
            elapsed = time.monotonic() - self.started
            self.console.print(f"[dim]{elapsed:6.1f}s[/dim] [bold]{escape(profile)}[/bold] {escape(message)}",
                               highlight=False)

    def _table(self) -> Table:
        table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
        table.add_column("profile")
        # The steps only some profiles ask for (data, rollout, shutdown) get a column once one does.
        shown = [step for step in STEP_NAMES
                 if step not in ASKED_FOR or any(step in steps for steps in self.rows.values())]
        for step in shown:
            table.add_column(step, justify="center", min_width=len(step))
        table.add_column("now", overflow="ellipsis", no_wrap=True, max_width=60)
        for profile, steps in self.rows.items():
            cells = [ICONS.get(steps.get(step, ""), "[dim]·[/dim]") for step in shown]
            table.add_row(escape(profile), *cells, escape(self.notes.get(profile, "")))
        table.caption = f"{time.monotonic() - self.started:.0f}s"
        return table
