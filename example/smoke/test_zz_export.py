"""The CSV export. Named test_zz_* so that it runs LAST: in a memory-capped
environment it can take the whole app down, and every other test should have
had its say before that."""

from __future__ import annotations

import http.client

import pytest
from httpclient import Client

EXPORT_TIMEOUT_S = 60.0
CHUNK = 1 << 20


def test_export_csv(client: Client) -> None:
    resp = client.open("GET", "/reports/export", timeout=EXPORT_TIMEOUT_S)
    received = 0
    first = b""
    problem = ""
    try:
        if resp.status != 200:
            problem = f"HTTP {resp.status}: {resp.read()[:500]!r}"
        # Stream the body: the export is large and this process has no reason to hold it.
        while not problem and (chunk := resp.read(CHUNK)):
            if not first:
                first = chunk[:200]
            received += len(chunk)
    except (http.client.HTTPException, OSError) as err:
        problem = (
            f"connection dropped after {received} bytes ({err!r}); "
            "the app process died mid-request (OOM kill?)"
        )
    finally:
        resp.close()
    if problem:
        pytest.fail(f"GET /reports/export: {problem}", pytrace=False)
    assert first.startswith(b"row,day,note_title,history"), first[:80]
    expected = int(resp.headers.get("X-Export-Rows", "0"))
    assert expected > 0, "X-Export-Rows header missing"
    assert received > expected * 100, f"only {received} bytes for {expected} rows"
