"""The app is up and answers its probe without the database."""

from __future__ import annotations

from httpclient import Client


def test_healthz(client: Client) -> None:
    reply = client.request("GET", "/healthz")
    assert reply.status == 200, reply.describe()
    assert reply.json() == {"status": "ok"}, reply.describe()
