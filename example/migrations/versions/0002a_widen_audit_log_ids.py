"""widen audit_log ids to bigint

Revision ID: 0002a
Revises: 0002
Create Date: 2024-07-22 11:20:00

The audit trail grows by every request; 32-bit ids would run out.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002a"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # DEMO BUG (migrations.lock_budget, at production size): changing a column's type
    # rewrites the whole table and rebuilds its indexes under an ACCESS EXCLUSIVE lock.
    # On the developer's empty table that takes milliseconds; on production's million
    # audit rows it takes seconds, and every request that reads or writes the audit
    # trail waits behind it. The online way: add a bigint column, backfill it in
    # batches, then swap it in with a short lock.
    op.alter_column("audit_log", "id", type_=sa.BigInteger(), existing_type=sa.Integer())


def downgrade() -> None:
    op.alter_column("audit_log", "id", type_=sa.Integer(), existing_type=sa.BigInteger())
