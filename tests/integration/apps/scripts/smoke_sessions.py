"""A smoke test (run with pytest, APP_URL set): a login's session must hold on the next request."""

import json
import os
import urllib.error
import urllib.request


def call(method: str, path: str, token: str = "") -> tuple[int, bytes]:
    request = urllib.request.Request(os.environ["APP_URL"] + path, method=method, data=b"" if method == "POST" else None)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_a_session_holds_on_the_next_request() -> None:
    status, body = call("POST", "/login")
    assert status == 200, f"POST /login: HTTP {status}"
    token = json.loads(body)["token"]
    status, body = call("GET", "/me", token)
    assert status == 200, f"GET /me: HTTP {status}: {body.decode()}"
