"""Evidence from logs and outputs: the tail where errors are, the one line that says what broke, and
the failing side's own record of a failure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal


def tail(text: str, lines: int = 20) -> str:
    """The last lines of a log, which is where the error usually is."""
    kept = text.rstrip().splitlines()[-lines:]
    return "\n".join(kept)


def excerpt(text: str, lines: int = 20) -> str:
    """A failure's output for the report: its last lines, led by the line that says what went
    wrong when that line is above them. Python prints the error last; Node, the JVM, Go and
    Ruby print it first and a long stack after, which the tail alone would keep without it."""
    kept = tail(text, lines)
    key = key_line(text)
    return f"{key}\n…\n{kept}" if key and key not in kept else kept


_NOISE = ("(Background on this error", "[SQL:", "[parameters:", "File \"", "^", "~")
# JavaScript's own `Error: message` (and Node's uncaught-exception report) has no prefix.
_ERROR_LINE = re.compile(r"(\w+(Error|Exception|Exit)\b:|(?:^|\s)Error:\s|\bERROR:|\bFATAL:|\berror:|^E\s{2,}|\bfatal:)")


def key_line(text: str) -> str:
    """The line of an error output that says what went wrong (the last error-looking line)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(_NOISE)]
    for line in reversed(lines):
        if _ERROR_LINE.search(line):
            return line[:400]
    return lines[-1][:400] if lines else ""


@dataclass(frozen=True)
class Evidence:
    """What the failing side itself reported about one failure: its own error text and measured facts.

    Never the other side's output, never a test's name: a cause is read from what broke, not from
    what something is called.
    """

    side: Literal["baseline", "target"]
    step: str
    text: str = ""
    # The step's own facts on the failing side (startup: oom_killed, exit_code, budget_exhausted; ...).
    facts: Mapping[str, Any] = field(default_factory=dict)
    # Containers the kernel OOM-killed on the failing side during the run ("app", "database").
    oom_killed: frozenset[str] = frozenset()
    # For a resources divergence: whose memory it is about ("app" or "database").
    component: str | None = None
    # The failing side's database step facts (server_version, ssl, superuser, collation).
    server: Mapping[str, Any] = field(default_factory=dict)
    # The failing side loaded data (its data step ran) and the other side did not.
    data_loaded_here_only: bool = False
