"""What the migration tooling works with, handed over by a step: the database, a way to run a
migrations command where the profile runs them, redaction and progress."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from parity.env.database import Database
from parity.env.host import Finished, Line
from parity.migrate.schema import snapshot_schema
from parity.redact import Redactor
from parity.results import StepResult

# Runs argv where the profile runs its migrations (a release job, or this machine) within a
# timeout, telling each line of output as it comes; a StepResult when it cannot run at all.
Run = Callable[[list[str], float, Callable[[Line], None] | None], Finished | StepResult]


@dataclass(frozen=True)
class Job:
    """One profile's migrations in the making: where they run and what they may touch."""

    database: Database
    run: Run
    redactor: Redactor
    say: Callable[[str], None]
    stopped: threading.Event  # set when the environment is torn down

    def current_schema(self) -> dict[str, Any]:
        """The database's schema now, read with parity's own connection settings (its CA on this
        machine), not only the user's URL; as the migrations' role, which owns what they made."""
        db = self.database
        return snapshot_schema(db.url("host", "migrations", direct=True), self.redactor,
                               db.connect_kwargs("migrations") if db.engine == "postgres" else None)
