"""add note_daily_summary reporting view

Revision ID: 0003
Revises: 0002a
Create Date: 2024-09-02 16:45:00

A view for the analysts' BI dashboard; the app itself does not read it.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# DEMO BUG (database.version): any_value() is an aggregate added in PostgreSQL 16.
# The developer's laptop runs Postgres 17, where this works; production runs
# Postgres 15, where the migration fails with
#   function any_value(character varying) does not exist
# Because this is the last revision (and env.py commits each revision on its
# own), the revisions before it stay applied and the app keeps working without
# the view.
# The portable spelling is min(title).
POSTGRES_VIEW = """
CREATE VIEW note_daily_summary AS
SELECT date_trunc('day', created_at) AS day,
       count(*) AS notes_created,
       any_value(title) AS sample_title
FROM notes
GROUP BY 1
"""

# SQLite (possible in a baseline profile) has neither date_trunc nor any_value.
SQLITE_VIEW = """
CREATE VIEW note_daily_summary AS
SELECT date(created_at) AS day,
       count(*) AS notes_created,
       min(title) AS sample_title
FROM notes
GROUP BY 1
"""


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.execute(SQLITE_VIEW if sqlite else POSTGRES_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW note_daily_summary")
