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


_NOISE = ("(Background on this error", "[SQL:", "[parameters:", "File \"", "^", "~",
          "npm error A complete log of this run")
# JavaScript's own `Error: message` (and Node's uncaught-exception report) has no prefix.
_ERROR_LINE = re.compile(r"(\w+(Error|Exception|Exit)\b:|(?:^|\s)Error:\s|\bERROR:|\bFATAL:|\berror:|^E\s{2,}|\bfatal:)")


# pytest's report of a failing test: the lines of the error it explains start with "E   ".
_PYTEST_E = re.compile(r"^E\s{2,}(\S.*)$")
_EXCEPTION = re.compile(r"^(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Exit|Warning|Interrupt)?\b:?(?:\s|$)")


def key_line(text: str) -> str:
    """The line of an error output that says what went wrong (error_line), else its last line."""
    found = error_line(text)
    if found:
        return found
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(_NOISE)]
    return lines[-1][:400] if lines else ""


def error_line(text: str) -> str:
    """The line that says what went wrong, or '' when none does: pytest's explanation (its first
    `E   ` line naming an exception, else its first), the exception a Python traceback ends
    with, else the last error-looking line (Node's `Error: ...`, a server's `ERROR:`)."""
    raw = text.splitlines()  # not stripped: _raised reads the indentation of the first line too
    explained = [m.group(1).strip() for line in raw if (m := _PYTEST_E.match(line.strip()))]
    if explained:
        named = [line for line in explained if _ERROR_LINE.search(line)]
        return (named or explained)[0][:400]
    raised = _raised(raw)
    if raised:
        return raised[:400]
    lines = [line.strip() for line in raw if line.strip()]
    lines = [line for line in lines if not line.startswith(_NOISE)]
    for line in reversed(lines):
        if _ERROR_LINE.search(line):
            return line[:400]
    return ""


# What a shell, Python or Node print when the program or a module is not where the command ran:
# the tools' environment is missing, not the app broken.
_MISSING_TOOL = re.compile(
    r"ModuleNotFoundError|No module named|command not found|^\S*sh: (?:\d+: )?\S+: not found$"
    r"|\bnode: not found|Cannot find module|npx canceled due to missing packages"
    r"|^exit 127\b|\bexit(?: code| status)? 127\b",
    re.MULTILINE)


def missing_tool(text: str) -> bool:
    """Whether an output says a program or a module was not found (a venv not activated, a
    `node_modules` not installed), as Python, Node and the shells word it, or exit code 127."""
    return bool(_MISSING_TOOL.search(text))


def _raised(raw: list[str]) -> str:
    """The exception line of the last Python traceback in the output (the first line after its
    frames indented no deeper than its `Traceback` line), or ''. A program may indent a whole
    traceback inside a banner of its own (Synapse's startup errors): its frames stay deeper."""
    starts = [i for i, line in enumerate(raw) if line.strip() == "Traceback (most recent call last):"]
    if not starts:
        return ""
    depth = _indent(raw[starts[-1]])
    for line in raw[starts[-1] + 1:]:
        if line.strip() and _indent(line) <= depth and _EXCEPTION.match(line.strip()):
            return line.strip()
    return ""


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def node_missing(text: str) -> bool:
    """Whether the missing program or module is Node's (node itself, or a package not installed)."""
    return ("Cannot find module" in text or "npx canceled due to missing packages" in text
            or bool(re.search(r"\bnode: (?:command )?not found", text)))


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
