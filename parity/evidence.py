"""Evidence from logs and outputs: the tail where errors are, and the one line that says what broke."""

from __future__ import annotations

import re


def tail(text: str, lines: int = 20) -> str:
    """The last lines of a log, which is where the error usually is."""
    kept = text.rstrip().splitlines()[-lines:]
    return "\n".join(kept)


_NOISE = ("(Background on this error", "[SQL:", "[parameters:", "File \"", "^", "~")
_ERROR_LINE = re.compile(r"(\w+(Error|Exception|Exit)\b:|\bERROR:|\bFATAL:|\berror:|^E\s{2,}|\bfatal:)")


def key_line(text: str) -> str:
    """The line of an error output that says what went wrong (the last error-looking line)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(_NOISE)]
    for line in reversed(lines):
        if _ERROR_LINE.search(line):
            return line[:400]
    return lines[-1][:400] if lines else ""
