"""Facts worked out once from a profile, which the rest only reads: the images it runs from,
Postgres or not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from parity.env.balancer import LOAD_BALANCER_IMAGE
from parity.env.images import profile_images
from parity.profile.models import Profile


def profile(data: dict[str, Any]) -> Profile:
    """A profile from its YAML as a dict."""
    return Profile.model_validate(data)


def test_a_postgres_profile_with_replicas_runs_from_the_server_the_balancer_and_the_app_image(tmp_path: Path) -> None:
    images = profile_images(profile({"database": {"version": "15"},
                                     "app": {"image": "shop:1.2", "replicas": 2}}), tmp_path)
    assert images.started == ["postgres:15", LOAD_BALANCER_IMAGE]
    assert images.app == ["shop:1.2"]
    assert images.refs == ["postgres:15", LOAD_BALANCER_IMAGE, "shop:1.2"]
    assert images.missing_dockerfile is None


def test_one_replica_asked_for_still_stands_behind_the_balancer(tmp_path: Path) -> None:
    images = profile_images(profile({"app": {"image": "shop:1.2", "replicas": 1}}), tmp_path)
    assert images.started == [LOAD_BALANCER_IMAGE]


def test_a_sqlite_profile_without_replicas_needs_no_server_and_no_balancer(tmp_path: Path) -> None:
    images = profile_images(profile({"database": {"engine": "sqlite"}, "app": {"image": "shop:1.2"}}), tmp_path)
    assert images.started == []
    assert images.refs == ["shop:1.2"]


def test_a_database_image_named_in_the_profile_is_the_one_it_runs(tmp_path: Path) -> None:
    images = profile_images(profile({"database": {"version": "15", "image": "postgis/postgis:15-3.4"}}), tmp_path)
    assert images.refs == ["postgis/postgis:15-3.4"]


def test_a_built_app_needs_the_bases_its_dockerfile_builds_from(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text(
        "FROM python:3.11-slim AS build\nRUN true\nFROM build\nFROM --platform=linux/amd64 nginx:1.25\n")
    images = profile_images(profile({"database": {"version": "17"}, "app": {"build": "app"}}), tmp_path)
    assert images.refs == ["postgres:17", "python:3.11-slim", "nginx:1.25"]


def test_a_missing_dockerfile_is_named_and_adds_no_image(tmp_path: Path) -> None:
    images = profile_images(profile({"app": {"build": "app", "dockerfile": "Dockerfile.prod"}}), tmp_path)
    assert images.missing_dockerfile == tmp_path / "app" / "Dockerfile.prod"
    assert images.refs == []


@pytest.mark.parametrize(("data", "postgres"), [
    ({"database": {"version": "15"}}, True),
    ({"database": {"engine": "sqlite"}}, False),
    ({"app": {"image": "shop:1.2"}}, False),
])
def test_postgres_is_a_database_section_with_a_server(data: dict[str, Any], postgres: bool) -> None:
    assert profile(data).postgres is postgres
