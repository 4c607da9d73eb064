"""Requests to a running app while something happens to it (a stop signal, a replica replaced):
each one timed, with what came back or how the connection failed; and which requests a profile's
checks make of it."""

from __future__ import annotations

import http.client
import itertools
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from parity.profile.models import Profile

# A request that only tries a new connection is given this long.
PROBE_TIMEOUT = 2.0
BODY_KEPT = 300  # characters of an unexpected answer's body

Outcome = Literal["answered", "refused", "reset", "timeout", "error"]


@dataclass(frozen=True)
class Request:
    """What to send, and the status that counts as success."""

    method: str
    path: str
    expect_status: int = 200
    timeout: float = 10.0

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


@dataclass
class Sent:
    """One request and how it went. `started`/`ended` are time.monotonic() values."""

    request: Request
    started: float
    ended: float = 0.0
    outcome: Outcome | None = None  # None while in progress
    status: int | None = None
    error: str = ""
    # Who answered it, when parity can tell (a replica's name).
    answered_by: str | None = None
    body: str = ""  # the start of an unexpected answer's body (the app's own error page)

    @property
    def ok(self) -> bool:
        """Answered with the expected status."""
        return self.outcome == "answered" and self.status == self.request.expect_status

    def describe(self) -> str:
        """`GET /x -> 200`, `GET /x: connection reset (RemoteDisconnected...)`."""
        who = f" (from {self.answered_by})" if self.answered_by else ""
        if self.outcome == "answered":
            expected = "" if self.ok else f", expected {self.request.expect_status}"
            return f"{self.request} -> {self.status}{expected}{who}"
        return f"{self.request}: {self.outcome}: {self.error}{who}"


@dataclass(frozen=True)
class Target:
    """Where requests go: a host port on this machine (a replica's or the load balancer's)."""

    host: str
    port: int


def send(target: Target, request: Request, *, on_sent: Callable[[], None] = lambda: None) -> Sent:
    """One request on a new connection; `on_sent` runs once the request is written (it is in flight)."""
    sent = Sent(request, started=time.monotonic())
    connection = http.client.HTTPConnection(target.host, target.port, timeout=request.timeout)
    try:
        connection.request(request.method.upper(), request.path, headers={"Connection": "close"})
        on_sent()
        response = connection.getresponse()
        body = response.read()
        sent.status, sent.outcome = int(response.status), "answered"
        if sent.status != request.expect_status:
            sent.body = body[:BODY_KEPT].decode(errors="replace").strip()
    except ConnectionRefusedError as exc:
        sent.outcome, sent.error = "refused", _short(exc)
    except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected,
            http.client.IncompleteRead, http.client.BadStatusLine) as exc:
        sent.outcome, sent.error = "reset", _short(exc)
    except TimeoutError as exc:
        sent.outcome, sent.error = "timeout", _short(exc) or f"no answer within {request.timeout:g}s"
    except (OSError, http.client.HTTPException) as exc:
        sent.outcome, sent.error = "error", _short(exc)
    finally:
        connection.close()
        sent.ended = time.monotonic()
    return sent


def _short(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__


class InFlight:
    """One request sent in a thread of its own; `wait_sent` returns once it is on the wire."""

    def __init__(self, target: Target, request: Request) -> None:
        self.result: Sent | None = None
        self._sent = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(target, request), daemon=True,
                                        name="parity-in-flight")
        self._thread.start()

    def _run(self, target: Target, request: Request) -> None:
        self.result = send(target, request, on_sent=self._sent.set)
        self._sent.set()

    def wait_sent(self, timeout: float) -> bool:
        """True once the request is written (or has already failed)."""
        return self._sent.wait(timeout)

    def finish(self, timeout: float) -> Sent | None:
        """The outcome, waiting at most `timeout` seconds for it."""
        self._thread.join(timeout)
        return self.result


@dataclass
class Loop:
    """Requests sent one after the other (cycling through `requests`) until stopped, by `workers`
    threads at once, at most one every `pause` seconds per thread."""

    target: Target
    requests: Sequence[Request]
    workers: int = 1
    pause: float = 0.0
    sent: list[Sent] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._cycle = itertools.cycle(self.requests)
        self._threads = [threading.Thread(target=self._run, daemon=True, name="parity-request-loop")
                         for _ in range(self.workers)]

    def start(self) -> Loop:
        """Start sending."""
        for thread in self._threads:
            thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                request = next(self._cycle)
            result = send(self.target, request)
            with self._lock:
                self.sent.append(result)
            if self.pause:
                self._stop.wait(self.pause)

    def stop(self, timeout: float = 15.0) -> list[Sent]:
        """Stop sending; every request sent so far, in the order they started."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            return sorted(self.sent, key=lambda s: s.started)


def loop_requests(profile: Profile) -> list[Request]:
    """The smoke.http checks, to send in a loop (the startup probe's path when there are none)."""
    smoke = profile.smoke
    checks = [Request(c.method, c.path, c.expect_status, c.timeout) for c in smoke.http] if smoke else []
    return checks or [probe_request(profile)]


def probe_request(profile: Profile) -> Request:
    """A cheap request to try new connections with: the startup probe's path, else the first check's, else /."""
    app = profile.app
    smoke = profile.smoke
    if app and app.startup_probe and app.startup_probe.http:
        return Request("GET", app.startup_probe.http, 200, PROBE_TIMEOUT)
    if smoke and smoke.http:
        return Request(smoke.http[0].method, smoke.http[0].path, smoke.http[0].expect_status, PROBE_TIMEOUT)
    return Request("GET", "/", 200, PROBE_TIMEOUT)
