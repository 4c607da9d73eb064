"""What each revision did to the database and to its traffic, from the lock monitor's samples and
the traffic's own record (pure: no server here).

Samples come every few tens of milliseconds; each revision has a window in time (when its tool
said it started and finished). What a sample sees inside a window is that revision's; a change
seen between two samples (a table's new file, a SET lock_timeout) happened in the first window
still open at the earlier sample, since a revision's changes land before its end is printed.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

from parity.env.monitor import MONITOR_APP, Sample
from parity.env.traffic import HOLD_APP, TRAFFIC_APP, TrafficQuery
from parity.results import Measures

# Table-level lock modes, weakest first (PostgreSQL's conflict table, 13.3).
MODES = ("AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock", "ShareLock",
         "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock")
BLOCKS_WRITES = MODES.index("ShareLock")  # from SHARE on, INSERT/UPDATE/DELETE (ROW EXCLUSIVE) wait
OWN_APPS = (TRAFFIC_APP, HOLD_APP, MONITOR_APP)  # parity's own sessions, not the app's


@dataclass(frozen=True)
class Window:
    """A revision's time: from its start to its end as the tool printed them."""

    id: str
    start: float
    end: float


@dataclass
class _Tally:
    strongest: tuple[int, str] | None = None
    lock_wait: float = 0.0
    held: dict[tuple[int, str], list[float]] = field(default_factory=dict)
    waiting: dict[tuple[int, str], list[float]] = field(default_factory=dict)
    blocked: dict[tuple[int, float | None], list[float]] = field(default_factory=dict)
    rewritten: list[str] = field(default_factory=list)
    timeouts: list[str] = field(default_factory=list)


def measure(samples: list[Sample], windows: list[Window], queries: Iterable[TrafficQuery], *,
            traffic: bool, lock_timeout: str | None) -> dict[str, Measures]:
    """Each window's measures. `traffic`: whether traffic ran (the lock budget then reads what it
    saw); `lock_timeout`: the session default the app role gets ('0' none, None unknown)."""
    tallies = {w.id: _Tally() for w in windows}
    queries = list(queries)
    gap = _gap(samples)
    last_files: Sample | None = None
    last_timeouts: Sample | None = None
    for sample in samples:
        window = _containing(windows, sample.at)
        if window is not None:
            _look(tallies[window.id], sample)
        if sample.files is not None:
            if last_files is not None and last_files.files is not None:
                owner = _first_open(windows, last_files.at, sample.at)
                for oid, (table, node) in sample.files.items():
                    before = last_files.files.get(oid)
                    if before is not None and before[1] != node and owner is not None:
                        tallies[owner.id].rewritten.append(table)
            last_files = sample
        if sample.timeouts is not None:
            if last_timeouts is not None and last_timeouts.timeouts is not None:
                owner = _first_open(windows, last_timeouts.at, sample.at)
                for text, calls in sample.timeouts.items():
                    if calls > last_timeouts.timeouts.get(text, 0) and owner is not None:
                        tallies[owner.id].timeouts.append(text)
            last_timeouts = sample
    result: dict[str, Measures] = {}
    for window in windows:
        tally = tallies[window.id]
        held = max((seen[-1] - seen[0] + gap for seen in tally.held.values()), default=0.0)
        blocks = [_block_time(pid, start, seen, queries) for (pid, start), seen in tally.blocked.items()]
        errors = [q for q in queries if q.error and window.start <= q.ended <= window.end]
        longest = max(blocks, default=0.0)
        measures = Measures(
            strongest_lock=f"{tally.strongest[1]}" if tally.strongest else None,
            lock_wait_s=round(tally.lock_wait, 3),
            writes_blocked_s=round(held, 3),
            blocked_queries=len(blocks),
            longest_block_s=round(longest, 3),
            traffic_errors=len(errors),
            traffic_error=errors[0].error if errors else "",
            rewritten=sorted(set(tally.rewritten)),
            lock_timeout=_timeout(lock_timeout, tally.timeouts),
            blocking_s=round(longest if traffic else held, 3),
            blocking_basis="traffic" if traffic else "locks",
        )
        result[window.id] = measures
    return result


def _look(tally: _Tally, sample: Sample) -> None:
    """What one sample inside a revision's window shows of that revision."""
    ours = {b.pid for b in sample.backends if b.app not in OWN_APPS}
    for lock in sample.locks:
        if lock.pid not in ours or lock.mode not in MODES:
            continue
        rank = MODES.index(lock.mode)
        if lock.granted:
            if tally.strongest is None or rank > tally.strongest[0]:
                tally.strongest = (rank, f"{lock.mode} on {lock.table}")
            if rank >= BLOCKS_WRITES:
                tally.held.setdefault((lock.pid, lock.table), []).append(sample.at)
        elif lock.wait_start is not None:
            tally.lock_wait = max(tally.lock_wait, sample.at - lock.wait_start)
        else:  # before PostgreSQL 14: from the first sample that saw it waiting
            seen = tally.waiting.setdefault((lock.pid, lock.table), [])
            seen.append(sample.at)
            tally.lock_wait = max(tally.lock_wait, seen[-1] - seen[0])
    blockers = {b.pid: set(b.blockers) for b in sample.backends}
    for backend in sample.backends:
        if backend.app == TRAFFIC_APP and backend.waiting and _blocked_by(backend.pid, ours, blockers):
            tally.blocked.setdefault((backend.pid, backend.query_start), []).append(sample.at)


def _blocked_by(pid: int, culprits: set[int], blockers: dict[int, set[int]]) -> bool:
    """Whether `pid` waits, directly or through a queue, on one of `culprits`."""
    seen: set[int] = set()
    todo = list(blockers.get(pid, ()))
    while todo:
        other = todo.pop()
        if other in culprits:
            return True
        if other not in seen:
            seen.add(other)
            todo.extend(blockers.get(other, ()))
    return False


def _block_time(pid: int, start: float | None, seen: list[float], queries: list[TrafficQuery]) -> float:
    """How long a blocked traffic query took (from the traffic's own record when it has it)."""
    for query in queries:
        if query.pid == pid and query.started - 0.01 <= seen[0] <= query.ended + 0.01:
            return query.ended - query.started
    return seen[-1] - (start if start is not None else seen[0])


def _containing(windows: list[Window], at: float) -> Window | None:
    return next((w for w in windows if w.start <= at <= w.end), None)


def _first_open(windows: list[Window], since: float, until: float) -> Window | None:
    """The revision a change seen between two samples belongs to."""
    return next((w for w in windows if w.end >= since and w.start <= until), None)


def _gap(samples: list[Sample]) -> float:
    gaps = [b.at - a.at for a, b in zip(samples, samples[1:], strict=False)]
    return statistics.median(gaps) if gaps else 0.0


def _timeout(default: str | None, statements: list[str]) -> str | None:
    if statements:
        return f"set by the revision: {statements[0][:120]}"
    if default is None:
        return None
    return "none" if default in ("0", "0ms") else f"{default} (session default)"
