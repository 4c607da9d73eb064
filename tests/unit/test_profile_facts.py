"""Facts worked out once from a profile, which the rest only reads: the images it runs from,
Postgres or not, and its migrations plan (shared by the check before the run and the steps)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from parity.data.check import check_data
from parity.env.balancer import LOAD_BALANCER_IMAGE
from parity.env.images import profile_images
from parity.errors import UsageError
from parity.migrate import plan as migrate_plan
from parity.migrate.alembic_revisions import RevisionInfo
from parity.migrate.plan import Plan
from parity.profile.loader import LoadedProfile
from parity.profile.models import Profile
from parity.project import Project
from parity.redact import Redactor
from parity.run import Session
from parity.steps import PlanOnce
from tests.conftest import write_profile


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


def counting_plans(monkeypatch: pytest.MonkeyPatch, plan: Plan) -> list[Profile]:
    """Make plan_for return `plan`; the list records every profile it was worked out for."""
    calls: list[Profile] = []

    def plan_for(p: Profile, _root: Path) -> Plan:
        calls.append(p)
        return plan

    monkeypatch.setattr(migrate_plan, "plan_for", plan_for)  # PlanOnce loads it on first use
    return calls


ALEMBIC = Plan(["alembic", "upgrade", "head"], "alembic", [RevisionInfo("0001", "create"), RevisionInfo("0002", "index")])


def data_at(project_dir: Path, at: str) -> LoadedProfile:
    """A profile filled at revision `at` before its Alembic migrations."""
    write_profile(project_dir, "prod", "database: {version: '15'}\nmigrations: {command: [alembic, upgrade, head]}\n"
                  f"data: {{at: '{at}', rows: {{notes: 10}}}}\n")
    return Project.at(project_dir).profile("prod")


def test_the_check_before_the_run_and_the_steps_read_one_plan(project_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = counting_plans(monkeypatch, ALEMBIC)
    loaded = data_at(project_dir, "0002")
    planned = PlanOnce(loaded.profile, project_dir)
    check_data(loaded, project_dir, planned)
    assert planned() is ALEMBIC
    assert calls == [loaded.profile]


def test_a_revision_the_plan_does_not_apply_is_a_usage_error_before_the_run(
        project_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    counting_plans(monkeypatch, ALEMBIC)
    loaded = data_at(project_dir, "0009")
    with pytest.raises(UsageError, match="data.at: '0009' is not a revision the migrations apply"):
        check_data(loaded, project_dir, PlanOnce(loaded.profile, project_dir))


def test_the_plan_is_worked_out_only_when_asked(project_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Reading Alembic's scripts imports Alembic: a check with nothing to check against the plan
    # leaves it to the migrations step.
    calls = counting_plans(monkeypatch, ALEMBIC)
    write_profile(project_dir, "prod", "database: {version: '15'}\nmigrations: {command: [alembic, upgrade, head]}\n"
                  "data: {seed: [python, seed.py]}\n")
    loaded = Project.at(project_dir).profile("prod")
    check_data(loaded, project_dir, PlanOnce(loaded.profile, project_dir))
    assert calls == []


def session_with(project_dir: Path, plans: dict[str, PlanOnce]) -> Session:
    """A session that only hands out plans (no engine, no images)."""
    return Session(project=Project.at(project_dir), client=None, redactor=Redactor([]), images=None,  # type: ignore[arg-type]
                   plans=plans)


def test_a_profile_of_the_command_runs_with_the_plan_its_check_read(project_dir: Path) -> None:
    loaded = data_at(project_dir, "0002")
    planned = PlanOnce(loaded.profile, project_dir)
    assert session_with(project_dir, {"prod": planned}).plan_of(loaded) is planned


def test_an_experiment_works_out_a_plan_of_its_own_even_under_a_profile_s_name(project_dir: Path) -> None:
    loaded = data_at(project_dir, "0002")
    planned = PlanOnce(loaded.profile, project_dir)
    flipped = LoadedProfile(name="prod", profile=loaded.profile.model_copy(), files=loaded.files)
    own = session_with(project_dir, {"prod": planned}).plan_of(flipped)
    assert own is not planned and own.profile is flipped.profile
