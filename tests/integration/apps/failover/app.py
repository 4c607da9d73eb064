"""A web app whose database is held two ways, one per path: /one reads through one psycopg
connection opened at start and used for every request, never reopened; /pool through a SQLAlchemy
pool that pings each connection before handing it out (pool_pre_ping), as SQLAlchemy's docs advise
for servers that may go away. `python app.py migrate` creates the table and its one row."""

import http.server
import os
import sys
import threading

import psycopg
import sqlalchemy

URL = os.environ["DATABASE_URL"]
QUERY = "SELECT title FROM notes WHERE id = 1"


def migrate() -> None:
    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute("CREATE TABLE notes (id int PRIMARY KEY, title text NOT NULL)")
        conn.execute("INSERT INTO notes VALUES (1, 'kept through the failover')")


class One:
    """One connection for the app's whole life, shared under a lock."""

    def __init__(self) -> None:
        self.conn = psycopg.connect(URL, autocommit=True)
        self.lock = threading.Lock()

    def title(self) -> str | None:
        with self.lock:
            row = self.conn.execute(QUERY).fetchone()
        return row[0] if row else None


class Pool:
    """A SQLAlchemy engine whose pool pre-pings."""

    def __init__(self) -> None:
        url = URL.replace("postgresql://", "postgresql+psycopg://", 1)
        self.engine = sqlalchemy.create_engine(url, pool_pre_ping=True, pool_size=2)
        with self.engine.connect() as conn:  # a pooled connection from the start, like `one`
            conn.execute(sqlalchemy.text("SELECT 1"))

    def title(self) -> str | None:
        with self.engine.connect() as conn:
            row = conn.execute(sqlalchemy.text(QUERY)).fetchone()
        return row[0] if row else None


HELD: dict[str, One | Pool] = {}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        held = HELD.get(self.path)
        if held is None:
            self.answer(200 if self.path == "/healthz" else 404, "ok" if self.path == "/healthz" else "no such page")
            return
        try:
            title = held.title()
        except Exception as exc:  # the error a user would see in the app's 500 page
            self.answer(500, f"{type(exc).__module__}.{type(exc).__name__}: {exc}")
            return
        self.answer(200 if title else 404, title or "the row is gone")

    def answer(self, status: int, text: str) -> None:
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


if __name__ == "__main__":
    if sys.argv[1:] == ["migrate"]:
        migrate()
        sys.exit(0)
    HELD.update({"/one": One(), "/pool": Pool()})
    http.server.ThreadingHTTPServer(("0.0.0.0", 8000), Handler).serve_forever()
