"""database.failover: the server goes away mid-step and comes back, as a managed failover does.

The database container is stopped (Postgres' own stop signal, SIGINT: a fast shutdown, so every
open connection is cut with "terminating connection due to administrator command"), stays down
for the downtime (new connections are refused on this machine's port; the name `db` does not
resolve on the network, as during a DNS-based failover), then the same container starts again:
same data, same name, same port (pinned at creation for this reason: the engine hands a
dynamically published port out anew at each start). A pooler in front of it stays up: only its
server leg goes away.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import docker
import docker.errors

from parity.env.app_requests import Loop, Request, Sent, Target
from parity.env.database import READY_TIMEOUT_S, Database, archive, wait_until_ready
from parity.env.pgtemplate import RESTART_MARK
from parity.env.placement import published_port
from parity.errors import Cancelled, EnvError
from parity.profile.models import FailoverSpec

# How long the app has, once the server accepts again, to answer every check again. Longer than
# PgBouncer's server_login_retry (15 s): a pooler that failed to log in waits that long to retry.
RECOVERY_WINDOW = 30.0
STOP_TIMEOUT = 30  # seconds of fast shutdown before the engine kills the server
LOOP_PAUSE = 0.05  # between two of the app's checks in the loop


@dataclass(frozen=True)
class Timeline:
    """When the failover happened, in seconds from the start of its step."""

    cut_s: float  # the server stopped: every connection cut, new ones refused
    back_s: float  # the server accepted a connection again


@dataclass(frozen=True)
class Recovery:
    """What the app's requests did around a failover (a pure reading of what was sent)."""

    sent: int
    failed_during: int  # failed between the cut and the server's return: expected, not a divergence
    failed_after: int  # failed once the server was back, before the app answered every check again
    recovered_s: float | None  # when every check had been answered again since the return; None: never
    first_error: str = ""  # the first failure once the server was back
    cut_error: str = ""  # the first failure once the server went away

    @property
    def recovered(self) -> bool:
        """The app answered every check again after the server came back."""
        return self.recovered_s is not None


def judge(sent: Sequence[Sent], timeline: Timeline, step_started: float) -> Recovery:
    """Read the requests sent through a failover (`started` in time.monotonic(), like
    `step_started`): failures during it are counted, and the app recovered once each distinct
    check has been answered as expected since the server came back."""
    cut, back = step_started + timeline.cut_s, step_started + timeline.back_s
    checks = {str(s.request) for s in sent}
    during = [s for s in sent if not s.ok and s.ended >= cut and s.started < back]
    after = [s for s in sent if s.started >= back]
    answered: set[str] = set()
    recovered_s: float | None = None
    failed_after = 0
    for s in sorted(after, key=lambda s: s.ended):
        if s.ok:
            answered.add(str(s.request))
            if answered == checks:
                recovered_s = round(s.ended - step_started, 3)
                break
        else:
            failed_after += 1
    if recovered_s is None:
        failed_after = sum(1 for s in after if not s.ok)
    first = next((s for s in sorted(after, key=lambda s: s.started) if not s.ok), None)
    return Recovery(sent=len(sent), failed_during=len(during), failed_after=failed_after,
                    recovered_s=recovered_s, first_error=_said(first), cut_error=_said(during[0] if during else None))


def _said(sent: Sent | None) -> str:
    """A failed request and what the app said about it."""
    if sent is None:
        return ""
    return sent.describe() + (f": {sent.body}" if sent.body else "")


def facts(spec: FailoverSpec, timeline: Timeline | None, recovery: Recovery | None) -> dict[str, Any]:
    """The step's facts about its failover (`failover`), and `failover_not_recovered` when the app
    never answered again: the one outcome that is a divergence."""
    fact: dict[str, Any] = {"at": spec.at, "after_s": spec.after, "downtime_s": spec.downtime}
    if timeline is not None:
        fact.update(cut_at_s=round(timeline.cut_s, 3), back_at_s=round(timeline.back_s, 3),
                    down_s=round(timeline.back_s - timeline.cut_s, 3))
    out: dict[str, Any] = {"failover": fact}
    if recovery is not None:
        fact.update(requests=recovery.sent, failed_during=recovery.failed_during,
                    failed_after_back=recovery.failed_after, recovered=recovery.recovered,
                    recovered_at_s=recovery.recovered_s)
        if recovery.cut_error:
            fact["error_during"] = recovery.cut_error
        if recovery.first_error:
            fact["error_after_back"] = recovery.first_error
        if not recovery.recovered:
            out["failover_not_recovered"] = True
    return out


class Failover:
    """The profile's database taken down and brought back once, at `after` into a step."""

    def __init__(self, client: docker.DockerClient, db: Database, spec: FailoverSpec, stopped: threading.Event) -> None:
        assert db.container_id is not None, "a failover needs a Postgres container"
        self.client, self.db, self.spec, self.stopped = client, db, spec, stopped

    def run(self, step_started: float) -> Timeline:
        """Wait until `after` into the step, stop the server, wait out the downtime, start it
        again and return once it accepts a connection."""
        self._sleep_until(step_started + self.spec.after)
        container = self.client.containers.get(self.db.container_id)
        cut = time.monotonic()
        try:
            container.stop(timeout=STOP_TIMEOUT)
            self._sleep_until(cut + self.spec.downtime)
            self._start(container)
        except docker.errors.APIError as exc:
            if self.stopped.is_set():
                raise Cancelled from None
            raise EnvError(f"the failover could not stop and start the database: {exc.explanation or exc}",
                           "check the engine (`parity doctor`)") from None
        return Timeline(cut_s=cut - step_started, back_s=time.monotonic() - step_started)

    def _start(self, container: Any) -> None:
        """Start the stopped server as it was first started: its TLS files staged again (they live
        in memory, gone with the stop), then wait for a real connection."""
        files = {**self.db.restart_files, RESTART_MARK: ("", 0o600)}
        container.put_archive("/run", archive(files))
        container.start()
        container.reload()
        port = published_port(container, 5432)
        if port != self.db.host_port:
            raise EnvError(f"the database came back on port {port}, not {self.db.host_port}",
                           "report this as a parity bug (the port is pinned when a profile has a failover)")
        wait_until_ready(container, self.db, READY_TIMEOUT_S)

    def _sleep_until(self, moment: float) -> None:
        if self.stopped.wait(max(0.0, moment - time.monotonic())):
            raise Cancelled


def ride_out(failover: Failover, target: Target | None, requests: Sequence[Request],
             step_started: float) -> tuple[Timeline, Recovery | None]:
    """The failover with the app's checks looping against it (when there is an app): from the
    step's start through the downtime, until the app has answered every check again since the
    server came back, or RECOVERY_WINDOW has passed."""
    loop = Loop(target, requests, workers=1, pause=LOOP_PAUSE).start() if target is not None else None
    try:
        timeline = failover.run(step_started)
        if loop is None:
            return timeline, None
        deadline = time.monotonic() + RECOVERY_WINDOW
        while time.monotonic() < deadline and not judge(list(loop.sent), timeline, step_started).recovered:
            if failover.stopped.wait(0.1):
                raise Cancelled
    finally:
        sent = loop.stop() if loop is not None else []
    return timeline, judge(sent, timeline, step_started)


class InBackground:
    """A failover run in a thread while its step goes on (startup, migrations); `join` waits for
    the server to be back and returns the timeline."""

    def __init__(self, failover: Failover, step_started: float) -> None:
        self.timeline: Timeline | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(failover, step_started), daemon=True,
                                        name="parity-failover")
        self._thread.start()

    def _run(self, failover: Failover, step_started: float) -> None:
        try:
            self.timeline = failover.run(step_started)
        except BaseException as exc:  # noqa: BLE001 - handed to the step's thread by join()
            self.error = exc

    def join(self) -> Timeline:
        """The timeline once the server is back; the failover's own error if it failed."""
        self._thread.join()
        if self.error is not None:
            raise self.error
        assert self.timeline is not None
        return self.timeline

