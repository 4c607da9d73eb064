"""HTTP routes of the notes service (Flask, served by waitress in one process)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from sqlalchemy import text
from werkzeug.exceptions import HTTPException

from . import __version__, audit, auth, config, db, export, paging

log = logging.getLogger("notes")

MAX_TITLE = 200


def _note(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "body": row.body,
        "created_at": str(row.created_at),
    }


def _json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _error(status: int, message: str) -> tuple[Response, int]:
    return jsonify({"error": message}), status


def create_app() -> Flask:
    """Build the WSGI application."""
    app = Flask("notes")

    @app.errorhandler(Exception)
    def on_error(exc: Exception) -> Any:
        # Surface the cause in the response (this is a demo: the smoke tests and
        # parity's report quote it), with every known secret value scrubbed out.
        if isinstance(exc, HTTPException):
            return _error(exc.code or 500, exc.description or exc.name)
        message = config.redact(f"{type(exc).__name__}: {exc}".strip())
        log.error("%s %s failed: %s", request.method, request.path, message)
        return _error(500, message)

    @app.get("/healthz")
    def healthz() -> Any:
        # Startup/liveness probe: must not touch the database.
        return jsonify({"status": "ok"})

    @app.get("/")
    def index() -> Any:
        return jsonify({"app": "notes", "version": __version__, "env": config.app_env()})

    @app.get("/notes")
    def list_notes() -> Any:
        cursor = request.args.get("cursor")
        if cursor:
            page = paging.next_page(cursor)
            if page is None:
                return _error(404, "unknown or expired cursor")
            return jsonify(page)
        with db.get_engine().connect() as conn:
            rows = conn.execute(
                text("SELECT id, title, body, created_at FROM notes ORDER BY id")
            ).all()
        notes = [_note(r) for r in rows]
        limit = request.args.get("limit", type=int)
        if limit and limit > 0:
            return jsonify(paging.first_page(notes, limit))
        return jsonify({"notes": notes})

    @app.post("/notes")
    def create_note() -> Any:
        data = _json_body()
        title = str(data.get("title", "")).strip()
        body = str(data.get("body", ""))
        if not title or len(title) > MAX_TITLE:
            return _error(400, f"title is required (1-{MAX_TITLE} characters)")
        with db.get_engine().begin() as conn:
            row = conn.execute(
                text(
                    "INSERT INTO notes (title, body) VALUES (:t, :b) "
                    "RETURNING id, title, body, created_at"
                ),
                {"t": title, "b": body},
            ).one()
        return jsonify(_note(row)), 201

    @app.get("/notes/<int:note_id>")
    def get_note(note_id: int) -> Any:
        with db.get_engine().connect() as conn:
            row = conn.execute(
                text("SELECT id, title, body, created_at FROM notes WHERE id = :i"),
                {"i": note_id},
            ).one_or_none()
        if row is None:
            return _error(404, f"note {note_id} not found")
        return jsonify(_note(row))

    @app.delete("/notes/<int:note_id>")
    def delete_note(note_id: int) -> Any:
        # Deletions must be audited: if the audit row cannot be written, the
        # delete is rolled back (the transaction ends with the exception).
        with db.get_engine().begin() as conn:
            deleted = conn.execute(
                text("DELETE FROM notes WHERE id = :i RETURNING title"), {"i": note_id}
            ).one_or_none()
            if deleted is None:
                return _error(404, f"note {note_id} not found")
            audit.record(conn, "note.deleted", note_id, f"title={deleted.title!r}")
        return "", 204

    @app.post("/login")
    def login() -> Any:
        # Demo login: any non-empty user name gets a signed session token.
        username = str(_json_body().get("username", "")).strip()
        if not username:
            return _error(400, "username is required")
        return jsonify({"token": auth.issue_token(username), "expires_in": auth.TOKEN_TTL_S})

    @app.get("/me")
    def me() -> Any:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip()
        username = auth.verify_token(token) if token else None
        if username is None:
            return _error(401, "missing or invalid token")
        return jsonify({"username": username})

    @app.get("/reports/export")
    def export_csv() -> Any:
        with db.get_engine().connect() as conn:
            title = conn.execute(text("SELECT max(title) FROM notes")).scalar() or ""
        lines = export.build_rows('"' + str(title).replace('"', '""') + '"')
        return Response(
            export.iter_chunks(lines),
            mimetype="text/csv",
            headers={
                "Content-Disposition": "attachment; filename=notes-export.csv",
                "X-Export-Rows": str(len(lines) - 1),
            },
        )

    return app
