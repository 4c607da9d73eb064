"""Minimal JSON-over-HTTP client for the smoke suite (stdlib urllib only).

Failure messages quote the server's own error text so that parity's report
carries evidence; they never include secret values.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import pytest

DEFAULT_TIMEOUT_S = 10.0


@dataclass(repr=False)
class Reply:
    """One HTTP response, already read."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<{self.describe()}>"

    def describe(self) -> str:
        """Status plus the server's error text, for assertion messages."""
        text = self.text
        try:
            data = json.loads(text)
            if isinstance(data, dict) and "error" in data:
                text = str(data["error"])
        except ValueError:
            pass
        return f"HTTP {self.status}: {text[:500]}"


class Client:
    """Tiny JSON-over-HTTP client with bounded timeouts."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def open(
        self,
        method: str,
        path: str,
        payload: Any = None,
        headers: dict[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> http.client.HTTPResponse:
        """Send a request and return the unread response (any status)."""
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        req = urllib.request.Request(self.base_url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            req.add_header(name, value)
        try:
            resp: http.client.HTTPResponse = urllib.request.urlopen(req, timeout=timeout)
            return resp
        except urllib.error.HTTPError as err:
            return err  # type: ignore[return-value]  # an HTTPError is a response too
        except (urllib.error.URLError, http.client.HTTPException, OSError) as err:
            problem = repr(getattr(err, "reason", err))
        # Fail outside the except block so the report shows one message, not a chain.
        pytest.fail(
            f"{method} {path}: no response from the app ({problem}); is it still running?",
            pytrace=False,
        )

    def request(
        self,
        method: str,
        path: str,
        payload: Any = None,
        headers: dict[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> Reply:
        """Send a request and read the whole response."""
        resp = self.open(method, path, payload, headers, timeout)
        try:
            body = resp.read()
        except (http.client.HTTPException, OSError) as err:
            problem = repr(err)
        else:
            return Reply(resp.status, dict(resp.headers.items()), body)
        finally:
            resp.close()
        pytest.fail(f"{method} {path}: connection dropped mid-response ({problem})", pytrace=False)
