"""Login signs a token with SECRET_KEY; /me verifies it."""

from __future__ import annotations

from httpclient import Client


def test_login_issues_a_valid_token(client: Client) -> None:
    reply = client.request("POST", "/login", {"username": "smoke"})
    assert reply.status == 200, f"POST /login: {reply.describe()}"
    token = reply.json()["token"]

    me = client.request("GET", "/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status == 200, f"GET /me: {me.describe()}"
    assert me.json() == {"username": "smoke"}


def test_tampered_token_is_rejected(client: Client) -> None:
    reply = client.request("GET", "/me", headers={"Authorization": "Bearer e30.forged"})
    # 401 when SECRET_KEY is available; anything but 200 means the forgery failed.
    assert reply.status != 200, reply.describe()
