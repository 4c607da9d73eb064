"""Paged note listings: ``GET /notes?limit=N`` answers the first page and a cursor for the rest.

The rest of the listing is kept as a snapshot, so that paging through it stays consistent
while notes are added or deleted meanwhile.

DEMO BUG (``app.replicas``): the snapshots live in this process's memory. With one process
(a laptop) the next page is always found; behind a load balancer with two replicas the
request for the next page lands on the other replica, which never saw the cursor.
"""

from __future__ import annotations

import secrets
import threading
from typing import Any

_SNAPSHOTS: dict[str, tuple[list[dict[str, Any]], int]] = {}
_LOCK = threading.Lock()
MAX_SNAPSHOTS = 1000


def first_page(notes: list[dict[str, Any]], limit: int) -> dict[str, Any]:
    """The first ``limit`` notes, and a cursor for the rest if there is any."""
    return _page(notes, limit)


def next_page(cursor: str) -> dict[str, Any] | None:
    """The page a cursor points at; None for a cursor this process does not know."""
    with _LOCK:
        snapshot = _SNAPSHOTS.pop(cursor, None)
    if snapshot is None:
        return None
    notes, limit = snapshot
    return _page(notes, limit)


def _page(notes: list[dict[str, Any]], limit: int) -> dict[str, Any]:
    page, rest = notes[:limit], notes[limit:]
    body: dict[str, Any] = {"notes": page}
    if rest:
        cursor = secrets.token_urlsafe(12)
        with _LOCK:
            if len(_SNAPSHOTS) >= MAX_SNAPSHOTS:
                _SNAPSHOTS.pop(next(iter(_SNAPSHOTS)))
            _SNAPSHOTS[cursor] = (rest, limit)
        body["next"] = cursor
    return body
