"""How a profile's migrations command will run: per revision for Alembic (its scripts read once),
Django's migrate as given, any other command as given."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from parity.errors import UsageError
from parity.migrate.alembic_revisions import (
    AlembicUpgrade,
    RevisionInfo,
    discover_revisions,
    parse_upgrade,
    per_revision_command,
)
from parity.migrate.django_migrations import is_django_migrate
from parity.profile.models import MigrationsSpec, Profile


@dataclass(frozen=True)
class Plan:
    """How the migrations command runs, and how its output is read."""

    argv: list[str]  # what actually runs (the user's command, or a per-revision form of it)
    tool: Literal["alembic", "django", "command"]
    revisions: list[RevisionInfo] = field(default_factory=list)
    upgrade: AlembicUpgrade | None = None

    def only(self, revisions: list[RevisionInfo]) -> Plan:
        """This Alembic plan narrowed to some of its revisions."""
        assert self.upgrade is not None
        return Plan(per_revision_command(self.upgrade, revisions), "alembic", revisions, self.upgrade)


def command_of(spec: MigrationsSpec) -> list[str]:
    """The migrations command as argv (a string runs through sh -c)."""
    return spec.command if isinstance(spec.command, list) else ["sh", "-c", spec.command]


def plan_for(profile: Profile, root: Path) -> Plan:
    """How the profile's migrations command will run: per revision for Alembic, as given otherwise."""
    assert profile.migrations is not None
    command = command_of(profile.migrations)
    if is_django_migrate(command):
        return Plan(command, "django")
    upgrade = parse_upgrade(command)
    if upgrade is None:
        return Plan(command, "command")
    # The scripts as the command will see them: in the build context for a release job.
    base = root
    if profile.migrations.run_in == "app" and profile.app:
        if not profile.app.build:
            return Plan(command, "command")  # a prebuilt image: its scripts are not on this machine
        base = root / profile.app.build
    revisions = discover_revisions(upgrade, base)
    if not revisions:
        return Plan(command, "command")
    return Plan(per_revision_command(upgrade, revisions), "alembic", revisions, upgrade)


def revisions_up_to(plan: Plan, at: str) -> list[RevisionInfo]:
    """The plan's revisions up to `at` (a full id or a unique prefix, as Alembic takes them)."""
    if plan.tool != "alembic":
        raise UsageError(
            "data.at needs migrations parity applies revision by revision (Alembic: alembic upgrade, "
            "python -m alembic upgrade, flask db upgrade), with its scripts on this machine",
            "remove data.at (and fill with data.seed or data.restore), or use an Alembic migrations command")
    found = [r for r in plan.revisions if r.id == at] or [r for r in plan.revisions if r.id.startswith(at)]
    if len(found) != 1:
        known = ", ".join(r.id for r in plan.revisions)
        raise UsageError(f"data.at: {at!r} is not {'a unique' if found else 'a'} revision the migrations apply "
                         f"({known})", "set data.at to one of those revision ids")
    return plan.revisions[: plan.revisions.index(found[0]) + 1]
