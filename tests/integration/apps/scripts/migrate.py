"""A hand-written migration runner for parity's tests: applies the SQL files named on the command line."""

import os
import sqlite3
import sys

url = os.environ["DATABASE_URL"]
if url.startswith("sqlite:///"):
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    for path in sys.argv[1:]:
        with open(path) as handle:
            conn.executescript(handle.read())
        print(f"applied {path}")
    conn.commit()
    sys.exit(0)

import psycopg  # noqa: E402

extra = {}
if os.environ.get("FORCE_NO_TLS") == "1":
    extra["sslmode"] = "disable"  # the legacy client that never learned TLS
with psycopg.connect(url, **extra) as conn:
    for path in sys.argv[1:]:
        with open(path) as handle:
            conn.execute(handle.read())
        print(f"applied {path}")
