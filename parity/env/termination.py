"""Stopping a container the way the kubelet stops a pod's: the image's stop signal (SIGTERM unless
it says otherwise), the grace period, then SIGKILL to whatever is still running."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import docker.errors

from parity.engine.state import exit_state

POLL = 0.05
# After SIGKILL the engine reaps the container within moments; a bound all the same.
KILL_WAIT = 15.0


@dataclass(frozen=True)
class Termination:
    """How a container ended after being told to stop."""

    signal: str
    grace_s: float
    exited_after_s: float  # from the stop signal to the exit (SIGKILL included)
    exit_code: int | None
    sigkilled: bool  # still running at the end of the grace period
    oom_killed: bool = False
    already_exited: bool = False  # it had exited before the signal was sent

    def facts(self) -> dict[str, Any]:
        """The figures a report shows."""
        return {"signal": self.signal, "grace_period_s": self.grace_s, "exited_after_s": round(self.exited_after_s, 3),
                "exit_code": self.exit_code, "sigkilled": self.sigkilled}

    def describe(self) -> str:
        """One phrase: `exited 0.4s after SIGTERM (exit 0)`, `SIGKILLed at the end of its 2s grace period`."""
        if self.already_exited:
            return f"had already exited (exit {self.exit_code})"
        if self.sigkilled:
            return (f"still running {self.grace_s:g}s after {self.signal}: SIGKILLed at the end of its grace "
                    f"period")
        return f"exited {self.exited_after_s:.1f}s after {self.signal} (exit {self.exit_code})"


def stop_signal(container: Any) -> str:
    """The signal the runtime sends first: the image's STOPSIGNAL, else SIGTERM (as the kubelet does)."""
    configured = (container.attrs.get("Config") or {}).get("StopSignal") or "SIGTERM"
    name = str(configured).upper()
    return name if name.startswith("SIG") or name.isdigit() else f"SIG{name}"


def terminate(container: Any, grace: float, check_open: Callable[[], None] = lambda: None,
              on_signal: Callable[[], None] = lambda: None) -> Termination:
    """Send the stop signal, wait up to `grace` seconds for the exit, then SIGKILL.

    `on_signal` runs right after the stop signal (to start counting what happens while the app
    drains); `check_open` is called while waiting, so a torn-down run stops waiting at once.
    """
    container.reload()
    sig = stop_signal(container)
    exited = exit_state(container)
    if exited is not None:
        return Termination(sig, grace, 0.0, exited.code, False, exited.oom_killed, already_exited=True)
    started = time.monotonic()
    # It may exit between the check and the signal: the state below says how.
    with contextlib.suppress(docker.errors.APIError):
        container.kill(signal=sig)
    on_signal()
    while True:
        check_open()
        exited = exit_state(container)
        elapsed = time.monotonic() - started
        if exited is not None:
            return Termination(sig, grace, elapsed, exited.code, False, exited.oom_killed)
        if elapsed >= grace:
            break
        time.sleep(min(POLL, max(0.0, grace - elapsed)))
    try:
        container.kill(signal="SIGKILL")
        sigkilled = True
    except docker.errors.APIError:
        sigkilled = False  # it exited at the last moment, on its own
    killed_at = time.monotonic() - started
    deadline = time.monotonic() + KILL_WAIT
    while (exited := exit_state(container)) is None and time.monotonic() < deadline:
        check_open()
        time.sleep(POLL)
    if exited is None:
        return Termination(sig, grace, killed_at, None, sigkilled)
    return Termination(sig, grace, killed_at, exited.code, sigkilled, exited.oom_killed)
