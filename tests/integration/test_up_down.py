"""`parity up` / `parity down` as a user runs them: nothing left behind."""

from __future__ import annotations

from pathlib import Path

import psycopg

from parity.engine import labels as L
from tests.conftest import write_profile
from tests.unit.test_cli import parity


def test_up_prints_a_working_database_url_and_down_leaves_nothing(docker_client, project_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_profile(project_dir, "prod", "database: {version: '15', ssl: required, superuser: false}\n")
    result = parity("up", "--profile", "prod", "--env", cwd=project_dir)
    try:
        assert result.returncode == 0, result.stderr
        exports = dict(
            line.removeprefix("export ").split("=", 1) for line in result.stdout.splitlines() if line.startswith("export ")
        )
        url = exports["DATABASE_URL"].strip("'")
        with psycopg.connect(url, sslmode="verify-ca", sslrootcert=exports["PGSSLROOTCERT"].strip("'")) as conn:
            assert conn.execute("SELECT current_user").fetchone() == ("app",)
        project_filter = L.label_filter({L.PROJECT: str(project_dir.resolve())})
        assert docker_client.containers.list(filters=project_filter)
    finally:
        down = parity("down", "--profile", "prod", cwd=project_dir)
    assert down.returncode == 0, down.stderr
    assert not docker_client.containers.list(all=True, filters=project_filter)
    assert not docker_client.networks.list(filters=project_filter)
