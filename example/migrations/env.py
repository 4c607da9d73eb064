"""Alembic environment: the URL comes from the app's config (env, /run/secrets, .env)."""

from __future__ import annotations

import sys
from logging.config import fileConfig
from pathlib import Path

from alembic import context
from sqlalchemy import create_engine, pool

# Make the `notes` package importable whatever the current directory is.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from notes import config as app_config  # noqa: E402
from notes.db import sqlalchemy_url  # noqa: E402

alembic_config = context.config
if alembic_config.config_file_name is not None:
    fileConfig(alembic_config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    return sqlalchemy_url(app_config.get_database_url())


def run_offline() -> None:
    """Emit SQL instead of executing it (`alembic upgrade head --sql`)."""
    context.configure(url=_url(), literal_binds=True, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Apply the migrations against the live database."""
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        # One transaction per revision: a failing revision rolls back alone and
        # the ones before it stay applied (alembic_version shows how far it got).
        context.configure(connection=connection, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
