"""CSV export of the notes activity history (``GET /reports/export``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

# The export covers years of activity in production. So that the demo behaves
# the same however many notes the smoke tests created, the rows are synthesized:
# EXPORT_ROWS rows of ~1 KiB each, i.e. ~400 MB of Python strings.
EXPORT_ROWS = 400_000
ROW_PADDING = ("activity history " * 64)[:960]
HEADER = "row,day,note_title,history\n"
CHUNK_ROWS = 1_000


def build_rows(sample_title: str, rows: int = EXPORT_ROWS) -> list[str]:
    """Every CSV line of the export, header first.

    # DEMO BUG (app.memory): the whole CSV is materialized in memory before the
    # first byte is sent (~400 MB peak). On a laptop with no memory cap that is
    # merely wasteful; in a 256 MiB production pod the kernel OOM-kills the
    # process (exit 137, OOMKilled=true) part-way through building the list.
    # The fix is to stream: yield each line instead of appending it.
    """
    start = dt.date(2020, 1, 1)
    lines = [HEADER]
    for i in range(rows):
        day = start + dt.timedelta(days=i % 2000)
        # An f-string builds a new ~1 KiB object per row: this is the real allocation.
        lines.append(f"{i},{day.isoformat()},{sample_title},{ROW_PADDING}\n")
    return lines


def iter_chunks(lines: list[str], chunk_rows: int = CHUNK_ROWS) -> Iterator[bytes]:
    """Encode the prepared lines in ~1 MB chunks for the response body."""
    for i in range(0, len(lines), chunk_rows):
        yield "".join(lines[i : i + chunk_rows]).encode("utf-8")
