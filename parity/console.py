"""Terminal output: progress and messages on stderr, results on stdout."""

from __future__ import annotations

import os

from rich.console import Console

# Progress and errors go to stderr so stdout stays clean for `eval "$(parity up --env)"`
# and for piping results.
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False)
if not out.is_terminal and "COLUMNS" not in os.environ:
    # CI logs have no width; 80 columns would fold the divergence table into slivers.
    out = Console(highlight=False, width=120)


def progress(message: str) -> None:
    """One line of progress."""
    err.print(f"[dim]·[/dim] {message}", markup=True, highlight=False)
