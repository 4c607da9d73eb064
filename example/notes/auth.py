"""Stateless login tokens: ``base64(payload).base64(HMAC-SHA256(payload, SECRET_KEY))``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from . import config

TOKEN_TTL_S = 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(payload: str) -> str:
    key = config.get_secret_key().encode("utf-8")
    return _b64(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest())


def issue_token(username: str, now: float | None = None) -> str:
    """A signed token naming ``username``, valid for :data:`TOKEN_TTL_S` seconds."""
    issued = int(now if now is not None else time.time())
    payload = _b64(json.dumps({"sub": username, "exp": issued + TOKEN_TTL_S}).encode("utf-8"))
    return f"{payload}.{_sign(payload)}"


def verify_token(token: str, now: float | None = None) -> str | None:
    """The username in a valid, unexpired token; None otherwise."""
    payload, _, signature = token.partition(".")
    if not payload or not signature or not hmac.compare_digest(signature, _sign(payload)):
        return None
    try:
        claims = json.loads(_unb64(payload))
    except ValueError:
        return None
    if claims.get("exp", 0) < (now if now is not None else time.time()):
        return None
    sub = claims.get("sub")
    return sub if isinstance(sub, str) else None
