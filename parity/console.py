"""Terminal output: progress and messages on stderr, results on stdout."""

from __future__ import annotations

import os

from rich.console import Console
from rich.markup import escape

# Progress and errors go to stderr so stdout stays clean for `eval "$(parity up --env)"`
# and for piping results. No emoji codes: tool output such as `postgres:x:999:` (an
# /etc/group line) must not turn into a cross mark.
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
out = Console(highlight=False, emoji=False)
if not out.is_terminal and "COLUMNS" not in os.environ:
    # CI logs have no width; 80 columns would fold the divergence table into slivers.
    out = Console(highlight=False, width=120, emoji=False)


def progress(message: str) -> None:
    """One line of progress."""
    # Messages carry other tools' output ("[check-valid-until=no]", "[193 kB]"): text, not markup.
    err.print(f"[dim]·[/dim] {escape(message)}", markup=True, highlight=False)
