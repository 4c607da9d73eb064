"""`parity up` / `parity down` as a user runs them: nothing left behind."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import docker.errors
import psycopg

from parity.engine import inventory
from parity.engine import labels as L
from tests.conftest import write_profile
from tests.unit.test_cli import parity
from tests.unit.test_imports import HEAVY, heavy_in, loaded_by


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
        assert inventory.containers(docker_client, project_filter)
    finally:
        down = parity("down", "--profile", "prod", cwd=project_dir)
    assert down.returncode == 0, down.stderr
    assert not inventory.containers(docker_client, project_filter)
    assert not inventory.networks(docker_client, project_filter)


def test_up_of_a_plain_database_imports_no_migration_or_tls_library(docker_client, project_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_profile(project_dir, "plain", "database: {version: '15'}\n")
    try:
        loaded, result = loaded_by(["up", "--profile", "plain"], project_dir, env=dict(os.environ))
        assert result.returncode == 0, result.stderr
        assert "DATABASE_URL=postgresql://" in result.stdout  # it did start the database
    finally:
        down = parity("down", "--profile", "plain", cwd=project_dir)
    assert down.returncode == 0, down.stderr
    assert heavy_in(loaded, HEAVY) == []


def test_images_prune_removes_unused_caches_only(docker_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for tag in ("unused", "in-use"):  # two distinct (tiny) images standing for cached app builds
        docker_client.images.build(fileobj=io.BytesIO(f"FROM python:3.11-slim\nLABEL t={tag}\n".encode()),
                                   tag=f"parity-app-prunetest:{tag}", rm=True)
    holder = docker_client.containers.create("parity-app-prunetest:in-use", ["true"],
                                             labels={"io.parity.test": "prune"})
    try:
        result = parity("images", "prune", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        tags = {t for image in docker_client.images.list() for t in image.tags}
        assert "parity-app-prunetest:unused" not in tags
        assert "parity-app-prunetest:in-use" in tags, "an image a container uses was removed"
        assert "python:3.11-slim" in tags, "a base image that is not a cache was removed"
    finally:
        holder.remove(force=True)
        for tag in ("parity-app-prunetest:in-use", "parity-app-prunetest:unused"):
            with contextlib.suppress(docker.errors.ImageNotFound):
                docker_client.images.remove(tag)


def test_up_whose_migrations_fail_says_so_exits_1_and_leaves_the_environment_up(
    docker_client, project_dir: Path  # type: ignore[no-untyped-def]
) -> None:
    write_profile(project_dir, "dev", "host: {env: {FLASK_APP: notes}}\ndatabase: {version: '15'}\n"
                  "migrations: {command: [sh, -c, 'echo \"sh: 1: flask: not found\" >&2; exit 127'], run_in: host}\n")
    result = parity("up", "--profile", "dev", cwd=project_dir)
    try:
        assert result.returncode == 1, result.stdout + result.stderr
        assert "ran: database ok, migrations failed" in result.stdout
        assert "error: migrations failed on dev: exit 127: sh: 1: flask: not found" in result.stderr
        assert "parity down --profile dev" in result.stderr
        assert "  FLASK_APP=notes" in result.stdout.splitlines()  # what host commands get, to run them by hand
        url = next(line.split("=", 1)[1] for line in result.stdout.splitlines() if "DATABASE_URL=" in line)
        with psycopg.connect(url) as conn:  # left up, to look at
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        down = parity("down", "--profile", "dev", cwd=project_dir)
    assert down.returncode == 0, down.stderr
