"""Commands on this machine (host migrations, smoke tests): spawned so they cannot outlive parity."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

from parity.steps.context import StepContext

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # Linux: the child gets SIGKILL when the thread that spawned it dies, so even a SIGKILLed
    # parity leaves no smoke suite or migration running behind it.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def spawn(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start a command in its own process group (killable as a tree), output merged into one pipe."""
    return subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True, preexec_fn=_die_with_parent)


def collect_output(process: subprocess.Popen[str], lines: list[tuple[float, str]], timeout: float,
                   ctx: StepContext | None = None) -> int | None:
    """Read a process's output with times until it exits, or the timeout (or a teardown) kills its group."""
    if ctx is not None:
        ctx.env.track(process)

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append((time.time(), line.rstrip("\n")))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    code: int | None = None
    while True:
        try:
            code = process.wait(timeout=0.2)
            break
        except subprocess.TimeoutExpired:
            if time.monotonic() > deadline or (ctx is not None and ctx.env.closed.is_set()):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                code = None
                break
    reader.join(timeout=5)
    if ctx is not None:
        ctx.env.check_open()
    return code
