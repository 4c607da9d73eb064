"""Which environments get a private network: only those where another container joins the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from parity.env.environment import needs_network
from parity.profile.loader import load_profile
from tests.conftest import write_profile


@pytest.mark.parametrize(("yaml", "expected"), [
    ("database: {version: '15'}\n", False),
    ("database: {version: '15', ssl: required, superuser: false}\nsecrets: {source: env}\n", False),
    ("database: {version: '15'}\nmigrations: {command: [alembic, upgrade, head], run_in: host}\n"
     "smoke: {command: [pytest]}\n", False),
    ("database: {version: '15'}\nmigrations: {command: [alembic, upgrade, head], run_in: app}\n", True),
    ("database: {version: '15'}\napp: {image: 'python:3.11-slim'}\n", True),
])
def test_a_private_network_only_when_another_container_joins_the_database(
        project_dir: Path, yaml: str, expected: bool) -> None:
    write_profile(project_dir, "p", yaml)
    assert needs_network(load_profile(project_dir / "profiles", "p").profile) is expected


def test_an_app_inherited_through_extends_gets_the_network(project_dir: Path) -> None:
    write_profile(project_dir, "base", "app: {image: 'python:3.11-slim'}\n")
    write_profile(project_dir, "child", "extends: base\ndatabase: {version: '15'}\n")
    assert needs_network(load_profile(project_dir / "profiles", "child").profile)
