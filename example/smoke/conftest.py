"""Fixtures for the notes smoke suite.

The suite runs on the host against a running container: APP_URL points at the
app, DATABASE_URL (optional) at the same database, reachable from the host.
Only the standard library, pytest and psycopg are used.
"""

from __future__ import annotations

import os

import pytest
from httpclient import Client


@pytest.fixture(scope="session")
def client() -> Client:
    url = os.environ.get("APP_URL")
    if not url:
        pytest.fail("APP_URL is not set: point it at the running app", pytrace=False)
    return Client(url)


class DatabaseURL(str):
    """A connection URL whose repr hides it: pytest prints fixture values in failures."""

    def __repr__(self) -> str:
        return "<DATABASE_URL from the environment>"


@pytest.fixture(scope="session")
def database_url() -> str | None:
    """Host-side DATABASE_URL, or None when it is absent or not Postgres."""
    url = os.environ.get("DATABASE_URL", "")
    return DatabaseURL(url) if url.startswith(("postgresql://", "postgres://")) else None
