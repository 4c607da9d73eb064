"""Load on an environment's database while its migrations run: the profile's SQL statements at a
steady rate over a few connections, and optionally a long ACCESS SHARE hold on some tables, the
way a nightly pg_dump holds them.

Bounded: it only talks to the environment's database (through the loopback port parity
published), it never runs past stop(), its deadline or the environment's teardown, and stop()
cancels whatever is still waiting in the server and closes every connection.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from parity.env.database import Database
from parity.profile.models import TrafficSpec

if TYPE_CHECKING:
    import psycopg

TRAFFIC_APP = "parity-traffic"
HOLD_APP = "parity-hold"


@dataclass(frozen=True)
class TrafficQuery:
    """One statement the traffic sent: on which backend, when, and the error it got ('' if none)."""

    pid: int
    started: float
    ended: float
    error: str = ""


@dataclass
class TrafficReport:
    """What the traffic did, for the step's facts."""

    sent: int = 0
    errors: int = 0
    held: list[str] = field(default_factory=list)
    hold_s: float = 0.0
    duration_s: float = 0.0
    setup_error: str = ""


class Traffic:
    """Runs from start() to stop() (or its deadline, or `stopped` being set)."""

    def __init__(self, db: Database, spec: TrafficSpec, deadline_s: float,
                 stopped: threading.Event | None = None) -> None:
        self.db, self.spec = db, spec
        self.queries: list[TrafficQuery] = []
        self.report = TrafficReport(held=list(spec.hold))
        self._deadline = time.monotonic() + deadline_s
        self._stop = threading.Event()
        self._outer = stopped or threading.Event()
        self._lock = threading.Lock()
        self._next = 0
        self._connections: list[psycopg.Connection] = []
        self._threads: list[threading.Thread] = []
        self._started = 0.0
        self._holding = threading.Event()

    def start(self) -> Traffic:
        """Open the connections, take the hold, start sending; return once the hold is taken."""
        import psycopg
        self._started = time.monotonic()
        try:
            workers = [self._connect(TRAFFIC_APP) for _ in range(self.spec.connections)] if self.spec.sql else []
            holder = self._connect(HOLD_APP) if self.spec.hold else None
        except psycopg.Error as exc:
            self.report.setup_error = _first_line(exc)
            self.stop()
            return self
        for number, conn in enumerate(workers):
            self._spawn(self._send, conn, name=f"parity-traffic-{number}")
        if holder is not None:
            self._spawn(self._hold, holder, name="parity-traffic-hold")
            self._holding.wait(timeout=10)
        return self

    def stop(self) -> TrafficReport:
        """Stop sending, cancel what waits in the server, close every connection, wait for the threads."""
        self._stop.set()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(Exception):
                conn.cancel()
        for thread in self._threads:
            thread.join(timeout=5)
        for conn in connections:
            with contextlib.suppress(Exception):
                conn.close()
        self.report.sent = len(self.queries)
        self.report.errors = sum(1 for q in self.queries if q.error)
        self.report.duration_s = round(time.monotonic() - self._started, 3) if self._started else 0.0
        return self.report

    def _connect(self, application: str) -> psycopg.Connection:
        import psycopg
        kwargs = self.db.connect_kwargs() | {"application_name": application, "autocommit": True}
        conn = psycopg.connect(**kwargs)  # type: ignore[arg-type]
        with self._lock:
            self._connections.append(conn)
        return conn

    def _spawn(self, target: object, conn: psycopg.Connection, name: str) -> None:
        thread = threading.Thread(target=target, args=(conn,), daemon=True, name=name)  # type: ignore[arg-type]
        self._threads.append(thread)
        thread.start()

    def _running(self) -> bool:
        return not (self._stop.is_set() or self._outer.is_set() or time.monotonic() > self._deadline)

    def _slot(self) -> tuple[int, float]:
        """The next statement to send and when (a steady rate shared by all connections)."""
        with self._lock:
            number = self._next
            self._next += 1
        return number, self._started + number / self.spec.rate

    def _send(self, conn: psycopg.Connection) -> None:
        import psycopg
        pid = conn.info.backend_pid
        while self._running():
            number, due = self._slot()
            wait = due - time.monotonic()
            if wait > 0 and self._stop.wait(wait):
                return
            if not self._running():
                return
            statement = self.spec.sql[number % len(self.spec.sql)]
            started = time.time()
            error = ""
            try:
                conn.execute(statement.encode())
            except psycopg.Error as exc:
                error = _first_line(exc)
                if conn.closed:
                    return
            if self._stop.is_set() and error:
                return  # cancelled by stop(): not an error the app would see
            with self._lock:
                self.queries.append(TrafficQuery(pid=pid, started=started, ended=time.time(), error=error))

    def _hold(self, conn: psycopg.Connection) -> None:
        import psycopg
        from psycopg import sql
        tables = sql.SQL(", ").join(sql.SQL(name) for name in self.spec.hold)
        started = time.monotonic()
        try:
            with conn.transaction():
                conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS SHARE MODE").format(tables))
                self._holding.set()
                until = min(self._deadline, started + self.spec.hold_for)
                while self._running() and time.monotonic() < until:
                    self._stop.wait(min(0.05, max(0.0, until - time.monotonic())))
        except psycopg.Error as exc:
            if not self._stop.is_set():
                self.report.setup_error = f"hold on {', '.join(self.spec.hold)}: {_first_line(exc)}"
        finally:
            self._holding.set()
            self.report.hold_s = round(time.monotonic() - started, 3)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
