"""Alembic projects for the data, traffic and rollback tests: revisions as SQL, migrated from this
machine with the test session's tools."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from parity.env.environment import Environment
from parity.profile.loader import load_profile
from tests.conftest import write_profile
from tests.integration.projects import TOOLS_VENV
from tests.integration.test_alembic_host import ENV_PY

SCRIPT = '''"""{doc}"""
from alembic import op

revision = "{rev}"
down_revision = {down}


def upgrade() -> None:
    op.execute("""{up}""")


def downgrade() -> None:
    op.execute("""{down_sql}""")
'''

MIGRATIONS = "migrations: {command: [alembic, upgrade, head], run_in: host}\n"


@dataclass(frozen=True)
class Rev:
    """One revision: its id, docstring, and SQL both ways."""

    id: str
    doc: str
    up: str
    down: str = "SELECT 1"


def alembic_project(root: Path, revisions: list[Rev], profiles: dict[str, str]) -> Path:
    """A project whose migrations are these revisions (in order) and these profiles (each gets
    the test tools' virtualenv and the migrations command unless it names its own)."""
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    (root / "migrations" / "env.py").write_text(ENV_PY)
    down = None
    for rev in revisions:
        (versions / f"{rev.id}.py").write_text(
            SCRIPT.format(doc=rev.doc, rev=rev.id, down=repr(down), up=rev.up, down_sql=rev.down))
        down = rev.id
    (root / "profiles").mkdir()
    for name, text in profiles.items():
        extra = ("" if "migrations:" in text else MIGRATIONS) + ("" if "host:" in text else TOOLS_VENV)
        (root / "profiles" / f"{name}.yaml").write_text(text + extra)
    return root


@contextlib.contextmanager
def postgres_environment(docker_client, root: Path, profile: str) -> Iterator[Environment]:  # type: ignore[no-untyped-def]
    """An environment with only a database, up, removed on exit."""
    (root / "profiles").mkdir()
    write_profile(root, "p", profile)
    env = Environment(docker_client, load_profile(root / "profiles", "p"), root)
    with env:
        env.up()
        yield env


@contextlib.contextmanager
def removing_filled_images(docker_client) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Remove the filled clusters a test caches (other runs' stay)."""
    from parity.env.pgtemplate import FILLED_PREFIX, TEMPLATE_REPO

    def filled() -> set[str]:
        return {tag for image in docker_client.images.list(TEMPLATE_REPO) for tag in image.tags
                if tag.startswith(f"{TEMPLATE_REPO}:{FILLED_PREFIX}")}

    before = filled()
    try:
        yield
    finally:
        for tag in filled() - before:
            with contextlib.suppress(Exception):
                docker_client.images.remove(tag)
