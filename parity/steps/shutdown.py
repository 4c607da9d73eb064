"""Step 6: stop the app the way production does (the kubelet's stop signal, the grace period, then
SIGKILL) with requests in flight, and record what the clients of those requests saw."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from parity.env.app_requests import (
    PROBE_TIMEOUT,
    InFlight,
    Loop,
    Request,
    Sent,
    loop_requests,
    probe_request,
)
from parity.env.running_app import Replica
from parity.env.termination import Termination, terminate
from parity.evidence import tail
from parity.profile.models import ShutdownSpec
from parity.results import Status, StepResult
from parity.steps import StepContext

# Once the in-flight request is written, the app is given this long to have it in hand before the
# signal: a request still in the listen queue would test the kernel, not the app.
SETTLE = 0.3
# New requests while the app stops: one every PROBE_PAUSE seconds, each given PROBE_TIMEOUT.
PROBE_PAUSE = 0.1
# After the exit, in-flight clients get this long to see their connection end.
CLIENT_GRACE = 10.0


@dataclass
class Stopped:
    """One container stopped with requests in flight: how it ended and what its clients saw."""

    name: str
    termination: Termination
    in_flight: list[Sent] = field(default_factory=list)
    during_stop: list[Sent] = field(default_factory=list)  # sent after the signal
    notes: list[str] = field(default_factory=list)
    signalled_at: float = 0.0  # time.monotonic() of the stop signal

    @property
    def refused_after_s(self) -> float | None:
        """How long after the signal the first new request went unanswered (None: all answered)."""
        first = next((s for s in self.during_stop if s.outcome != "answered"), None)
        return None if first is None else max(0.0, first.started - self.signalled_at)

    @property
    def dropped(self) -> list[Sent]:
        """In-flight requests that did not get their expected answer."""
        return [s for s in self.in_flight if not s.ok]

    @property
    def failed(self) -> bool:
        """Crossed the grace period, or dropped what was in flight."""
        return self.termination.sigkilled or bool(self.dropped)


def run_shutdown(ctx: StepContext) -> StepResult:
    """Stop the app with app.shutdown's request (or the smoke.http checks) in flight."""
    spec = ctx.profile.app.shutdown if ctx.profile.app else None
    if spec is None:
        return StepResult(status="skipped", summary="no app.shutdown in this profile")
    app = ctx.app
    replicas = [r for r in app.replicas if r.target is not None] if app is not None else []
    if app is None or not replicas:
        return StepResult(status="skipped", summary="the app never started")
    started = time.monotonic()
    # Every replica at once, as when a Deployment is deleted; each with its own requests, sent to
    # it directly: what the balancer does meanwhile is the rollout's question, not this one's.
    with ThreadPoolExecutor(max_workers=len(replicas), thread_name_prefix="parity-stop") as pool:
        stopped = list(pool.map(lambda r: stop_with_requests(ctx, r, spec), replicas))
    result = shutdown_result(stopped, ctx, [app.logs(r) for r in replicas])
    result.duration_s = time.monotonic() - started
    if ctx.env.mode == "up":
        # Under --keep the environment stays up for a developer: start the stopped app again.
        app.restart()
        ctx.say("app started again (--keep)")
    return result


def stop_with_requests(ctx: StepContext, replica: Replica, spec: ShutdownSpec) -> Stopped:
    """Put requests in flight on one replica, stop it like the kubelet, and watch both."""
    name, target = replica.name, replica.target
    assert target is not None
    grace = spec.termination_grace_period
    in_flight: InFlight | None = None
    loop: Loop | None = None
    notes: list[str] = []
    if spec.request is not None:
        request = Request(spec.request.method, spec.request.path, spec.request.expect_status,
                          timeout=grace + CLIENT_GRACE)
        in_flight = InFlight(target, request)
        in_flight.wait_sent(PROBE_TIMEOUT)
    else:
        # One client: requests never wait in the listen queue for a busy worker, where a server
        # that drains correctly still drops them when it closes its socket.
        loop = Loop(target, loop_requests(ctx.profile), workers=1, pause=PROBE_PAUSE / 2).start()
    time.sleep(SETTLE)
    if in_flight is not None and in_flight.result is not None:
        done = in_flight.result
        notes.append(f"{done.request} came back in {done.ended - done.started:.2f}s, before the stop signal: "
                     "nothing was in flight (name a slower request in app.shutdown.request)")
    probes = Loop(target, [probe_request(ctx.profile)], workers=1, pause=PROBE_PAUSE)
    signalled: list[float] = []

    def on_signal() -> None:
        signalled.append(time.monotonic())
        probes.start()

    ctx.say(f"stopping {name} ({'with ' + str(spec.request.path) if spec.request else 'http checks'} in flight, "
            f"grace period {grace:g}s)")
    try:
        termination = terminate(replica.container, grace, ctx.env.check_open, on_signal)
    finally:
        during = probes.stop() if signalled else []
        looped = loop.stop() if loop is not None else []
    stopped = Stopped(name, termination, notes=notes)
    if not signalled:
        return stopped
    at = stopped.signalled_at = signalled[0]
    if in_flight is not None and not notes:
        result = in_flight.finish(CLIENT_GRACE)
        if result is not None:
            stopped.in_flight.append(result)
    # A looped request counts as in flight once the app has had it SETTLE seconds, as the named
    # request does; one sent just before the signal may not have reached the app yet.
    stopped.in_flight += [s for s in looped if s.started <= at - SETTLE and s.ended >= at]
    stopped.during_stop = sorted(during + [s for s in looped if at - SETTLE < s.started and s.ended >= at],
                                 key=lambda s: s.started)
    return stopped


def shutdown_result(stopped: list[Stopped], ctx: StepContext, logs: list[str]) -> StepResult:
    """The step's result for the containers stopped (`logs`: each one's last lines): failed if one
    crossed its grace period or dropped a request that was in flight."""
    if all(s.termination.already_exited for s in stopped):
        codes = ", ".join(str(s.termination.exit_code) for s in stopped)
        return StepResult(status="skipped", summary=f"the app had already exited (exit {codes}): nothing to stop",
                          facts={"already_exited": True})
    facts = _facts(stopped)
    summary = "; ".join(_summary(s, len(stopped) > 1) for s in stopped)
    detail = "\n\n".join(_detail(s, log) for s, log in zip(stopped, logs, strict=True))
    status: Status = "failed" if any(s.failed for s in stopped) else "ok"
    return StepResult(status=status, summary=summary[:400], detail=ctx.redactor.text(detail), facts=facts)


def _facts(stopped: list[Stopped]) -> dict[str, Any]:
    first = stopped[0].termination
    facts: dict[str, Any] = first.facts()
    facts["exited_after_s"] = max(round(s.termination.exited_after_s, 3) for s in stopped)
    facts["sigkilled"] = any(s.termination.sigkilled for s in stopped)
    facts["exit_codes"] = {s.name: s.termination.exit_code for s in stopped}
    facts["in_flight"] = [_sent_fact(r, s.name) for s in stopped for r in s.in_flight]
    facts["in_flight_failed"] = sum(len(s.dropped) for s in stopped)
    during = [r for s in stopped for r in s.during_stop]
    facts["during_stop"] = {kind: sum(r.outcome == kind for r in during)
                            for kind in ("answered", "refused", "reset", "timeout", "error")}
    refused = [t for s in stopped if (t := s.refused_after_s) is not None]
    if refused:
        facts["stopped_accepting_after_s"] = round(min(refused), 3)
    return facts


def _sent_fact(sent: Sent, replica: str) -> dict[str, Any]:
    return {"request": str(sent.request), "replica": replica, "outcome": sent.outcome, "status": sent.status,
            "ok": sent.ok, "error": sent.error, "duration_s": round(sent.ended - sent.started, 3)}


def _summary(stopped: Stopped, named: bool) -> str:
    parts = [stopped.termination.describe()]
    if stopped.dropped:
        parts.append(f"{len(stopped.dropped)} in-flight request(s) dropped: {stopped.dropped[0].describe()}")
    elif stopped.in_flight:
        parts.append(f"{len(stopped.in_flight)} in-flight request(s) completed")
    after = stopped.refused_after_s
    if after is not None:
        parts.append(f"new connections refused or reset from {after:.1f}s after the signal")
    text = ", ".join(parts)
    return f"{stopped.name}: {text}" if named else text


def _detail(stopped: Stopped, logs: str) -> str:
    t = stopped.termination
    lines = [f"{stopped.name}: stop signal {t.signal}, grace period {t.grace_s:g}s: {t.describe()}"]
    if t.oom_killed:
        lines.append("the kernel OOM-killed it while it stopped")
    lines += stopped.notes
    if stopped.in_flight:
        lines.append("in flight when the signal was sent:")
        lines += [f"  {s.describe()} ({s.ended - s.started:.2f}s)" for s in stopped.in_flight]
    elif not stopped.notes:
        lines.append("no request was in flight when the signal was sent")
    counts: dict[str | None, int] = {}
    for sent in stopped.during_stop:
        counts[sent.outcome] = counts.get(sent.outcome, 0) + 1
    if counts:
        lines.append("new requests while it stopped: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
        first = next((s for s in stopped.during_stop if s.outcome != "answered"), None)
        if first is not None:
            lines.append(f"  first not answered: {first.describe()}")
    if logs:
        lines += ["--- last log lines ---", tail(logs, 10)]
    return "\n".join(lines)
