"""Paging through the notes: the cursor of one page leads to the next."""

from __future__ import annotations

import uuid

from httpclient import Client


def test_the_next_page_follows_the_cursor(client: Client) -> None:
    for n in range(3):
        created = client.request("POST", "/notes", {"title": f"page {n} {uuid.uuid4().hex[:6]}"})
        assert created.status == 201, f"POST /notes: {created.describe()}"
    first = client.request("GET", "/notes?limit=2")
    assert first.status == 200, f"GET /notes?limit=2: {first.describe()}"
    body = first.json()
    assert len(body["notes"]) == 2 and body.get("next"), body

    following = client.request("GET", f"/notes?cursor={body['next']}")
    assert following.status == 200, f"GET /notes?cursor=…: {following.describe()}"
    assert following.json()["notes"], "the next page is empty"
