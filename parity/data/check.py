"""Mistakes in the data and traffic sections, found before anything starts (exit 2)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from parity.errors import UsageError
from parity.migrate.plan import Plan, revisions_up_to
from parity.profile.loader import LoadedProfile


def check_data(loaded: LoadedProfile, root: Path, plan: Callable[[], Plan]) -> None:
    """Mistakes in the data and traffic sections surface before anything starts (exit 2); data.at
    is checked against the migrations' `plan` (asked only then)."""
    profile, spec = loaded.profile, loaded.profile.data
    where = loaded.files[-1].name
    if profile.traffic is not None and not profile.postgres:
        raise UsageError(f"profile {loaded.name}: traffic needs a Postgres database (database.engine: postgres)",
                         f"remove the traffic section from {where}, or use Postgres")
    if spec is None:
        return
    if not profile.postgres:
        raise UsageError(f"profile {loaded.name}: data needs a Postgres database (database.engine: postgres)",
                         f"remove the data section from {where}, or use Postgres")
    if spec.at is not None:
        if profile.migrations is None:
            raise UsageError(f"profile {loaded.name}: data.at names a revision, but the profile has no migrations",
                             f"add a migrations section to {where}, or remove data.at")
        revisions_up_to(plan(), spec.at)
    if spec.restore is not None and not (root / spec.restore).is_file():
        raise UsageError(f"profile {loaded.name}: data.restore: {root / spec.restore} does not exist",
                         f"fix data.restore in {where} (a pg_dump file, relative to the project)")
