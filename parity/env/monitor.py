"""Watching a database while migrations run: who holds and waits for which table locks, who
blocks whom, which tables got a new file, which lock_timeout statements ran. A thread samples
the server's own views as its superuser until stopped."""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from parity.env.database import Database

if TYPE_CHECKING:
    import psycopg

# The lock monitor's sessions (application_name), which measures leave out.
MONITOR_APP = "parity-monitor"


@dataclass(frozen=True)
class Backend:
    """A client backend of the app's database as one sample saw it."""

    pid: int
    app: str
    waiting: bool = False  # on a heavyweight lock
    query_start: float | None = None
    blockers: tuple[int, ...] = ()


@dataclass(frozen=True)
class TableLock:
    """A table-level lock a backend holds (granted) or waits for."""

    pid: int
    table: str
    mode: str
    granted: bool
    wait_start: float | None = None  # PostgreSQL 14+


@dataclass(frozen=True)
class Sample:
    """One look at the server. `files` (table -> its file) and `timeouts` (lock_timeout statements
    -> calls) are read every few samples, None in between."""

    at: float
    backends: tuple[Backend, ...] = ()
    locks: tuple[TableLock, ...] = ()
    files: dict[int, tuple[str, int]] | None = None
    timeouts: dict[str, int] | None = None


INTERVAL = 0.04  # seconds between samples
SLOW_EVERY = 5  # files and lock_timeout statements: every this many samples

_ACTIVITY = """
SELECT a.pid, coalesce(a.application_name, ''), a.wait_event_type = 'Lock',
       extract(epoch FROM a.query_start)::float8,
       CASE WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid) ELSE '{}'::int[] END
FROM pg_stat_activity a
WHERE a.datname = current_database() AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
"""
_LOCKS = """
SELECT l.pid, n.nspname || '.' || c.relname, l.mode, l.granted, {wait_start}
FROM pg_locks l
JOIN pg_class c ON c.oid = l.relation
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE l.locktype = 'relation' AND l.pid <> pg_backend_pid()
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast'
"""
_FILES = """
SELECT c.oid::int8, n.nspname || '.' || c.relname, c.relfilenode::int8
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
"""
_TIMEOUTS = """
SELECT query, calls FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = %s) AND query ~* 'lock_timeout'
"""


class LockMonitor:
    """Samples the server in a thread from start() to stop(); `samples` is what it saw."""

    def __init__(self, db: Database, stopped: threading.Event | None = None) -> None:
        self.db = db
        self.samples: list[Sample] = []
        self.lock_timeout: str | None = None  # what the app role gets by default
        self.counts_statements = False  # whether pg_stat_statements is there to see SET lock_timeout
        self.error = ""
        self._stop = threading.Event()
        self._outer = stopped or threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="parity-lock-monitor")
        self._ready = threading.Event()
        self._wake = threading.Event()
        self._now = threading.Event()

    def start(self) -> LockMonitor:
        """Start sampling; returns once the first sample is in (or sampling failed)."""
        self._thread.start()
        self._ready.wait(timeout=15)
        return self

    def look_now(self) -> None:
        """Take a full sample (with tables' files and lock_timeout statements) as soon as possible."""
        self._now.set()
        self._wake.set()

    def stop(self) -> list[Sample]:
        """Stop sampling (after one last sample) and return the samples."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)
        return self.samples

    def _run(self) -> None:
        import psycopg
        try:
            with contextlib.ExitStack() as stack:
                conn = stack.enter_context(self._connect(self.db.name))
                statements = self._statements(stack)
                self.counts_statements = statements is not None
                # The migrations' own session default (a role may carry its own, database.roles).
                with psycopg.connect(**self.db.connect_kwargs("migrations")) as app:  # type: ignore[arg-type]
                    row = app.execute("SHOW lock_timeout").fetchone()
                    self.lock_timeout = str(row[0]) if row else None
                version = conn.info.server_version
                locks = _LOCKS.format(wait_start="extract(epoch FROM l.waitstart)::float8" if version >= 140000
                                      else "NULL::float8")
                count = 0
                while True:
                    last = self._stop.is_set()
                    full = last or self._now.is_set() or count % SLOW_EVERY == 0
                    self._now.clear()
                    self.samples.append(self._sample(conn, statements, locks, slow=full))
                    self._ready.set()
                    count += 1
                    if last or self._outer.is_set():
                        return
                    self._wake.wait(INTERVAL)
                    self._wake.clear()
        except psycopg.Error as exc:
            self.error = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        finally:
            self._ready.set()

    def _connect(self, dbname: str) -> psycopg.Connection:
        import psycopg
        kwargs = self.db.admin_connect_kwargs() | {"dbname": dbname, "application_name": MONITOR_APP,
                                                    "autocommit": True}
        return psycopg.connect(**kwargs)  # type: ignore[arg-type]

    def _statements(self, stack: contextlib.ExitStack) -> psycopg.Connection | None:
        """A connection that reads pg_stat_statements (installed in the postgres database, not the
        app's), or None when the server does not load it."""
        import psycopg
        try:
            conn = stack.enter_context(self._connect("postgres"))
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            conn.execute("SELECT 1 FROM pg_stat_statements LIMIT 1")
        except psycopg.Error:
            return None
        return conn

    def _sample(self, conn: psycopg.Connection, statements: psycopg.Connection | None, locks: str,
                slow: bool) -> Sample:
        at = time.time()  # before anything is read: what is read happened by then or after
        backends = tuple(Backend(pid=r[0], app=r[1], waiting=bool(r[2]), query_start=r[3], blockers=tuple(r[4]))
                         for r in conn.execute(_ACTIVITY).fetchall())
        held = tuple(TableLock(pid=r[0], table=r[1], mode=r[2], granted=r[3], wait_start=r[4])
                     for r in conn.execute(locks).fetchall())
        files = timeouts = None
        if slow:
            files = {int(r[0]): (str(r[1]), int(r[2])) for r in conn.execute(_FILES).fetchall()}
            if statements is not None:
                timeouts = {str(r[0]): int(r[1]) for r in statements.execute(_TIMEOUTS, [self.db.name]).fetchall()}
        return Sample(at=at, backends=backends, locks=held, files=files, timeouts=timeouts)
