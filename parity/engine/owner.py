"""Who owns a resource: this process, identified so a dead owner can be told from a live one."""

from __future__ import annotations

import os
import socket
from pathlib import Path


def process_start_ticks(pid: int) -> str | None:
    """The kernel's start time of a process (clock ticks since boot), or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may contain spaces and parentheses; fields follow the last ')'.
    fields = stat[stat.rindex(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else None


def current_owner() -> str:
    """This process as 'host:pid:start', stable for its lifetime and unique across pid reuse."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{process_start_ticks(pid) or '?'}"


def owner_is_alive(owner: str) -> bool:
    """Whether the process named by `current_owner()` still runs (owners on other hosts count as alive)."""
    try:
        host, pid_text, start = owner.rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return True  # not ours to judge: never reap what we cannot identify
    if host != socket.gethostname():
        return True
    ticks = process_start_ticks(pid)
    return ticks is not None and (start == "?" or ticks == start)
