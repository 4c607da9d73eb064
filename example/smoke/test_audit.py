"""Deleting a note writes an audit row (on the audit writer's own connection)."""

from __future__ import annotations

import psycopg
from httpclient import Client


def test_delete_is_audited(client: Client, database_url: str | None) -> None:
    created = client.request("POST", "/notes", {"title": "to be deleted"})
    assert created.status == 201, f"POST /notes: {created.describe()}"
    note_id = created.json()["id"]

    deleted = client.request("DELETE", f"/notes/{note_id}")
    assert deleted.status == 204, f"DELETE /notes/{note_id}: {deleted.describe()}"

    gone = client.request("GET", f"/notes/{note_id}")
    assert gone.status == 404, f"GET /notes/{note_id} after delete: {gone.describe()}"

    if database_url is None:
        return  # no host-side access to the database: the HTTP checks must do
    with psycopg.connect(database_url, connect_timeout=10) as conn:
        row = conn.execute(
            "SELECT action FROM audit_log WHERE note_id = %s ORDER BY id DESC LIMIT 1",
            (note_id,),
        ).fetchone()
    assert row == ("note.deleted",), f"no audit_log row for note {note_id}: {row!r}"
