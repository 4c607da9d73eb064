"""Create, read and list notes through the main database connection."""

from __future__ import annotations

import uuid

from httpclient import Client


def test_create_and_list_notes(client: Client) -> None:
    title = f"smoke {uuid.uuid4().hex[:8]}"
    created = client.request("POST", "/notes", {"title": title, "body": "hello"})
    assert created.status == 201, f"POST /notes: {created.describe()}"
    note = created.json()
    assert note["title"] == title

    fetched = client.request("GET", f"/notes/{note['id']}")
    assert fetched.status == 200, f"GET /notes/{note['id']}: {fetched.describe()}"
    assert fetched.json()["body"] == "hello"

    listed = client.request("GET", "/notes")
    assert listed.status == 200, f"GET /notes: {listed.describe()}"
    assert title in [n["title"] for n in listed.json()["notes"]]


def test_create_note_requires_title(client: Client) -> None:
    reply = client.request("POST", "/notes", {"body": "no title"})
    assert reply.status == 400, reply.describe()
