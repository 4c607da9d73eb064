"""The cluster's locale on live servers: the profile's locale and ICU locale, and an ordering that
depends on it found and explained (the image's default: test_database; a locale it lacks: test_bad_input)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import docker
import psycopg
import pytest

from parity.env.environment import Environment
from parity.profile.loader import load_profile
from parity.project import Project
from parity.run import RunOptions, run
from tests.conftest import parity_resources, write_profile
from tests.integration.projects import make_project

# Mixed case on purpose: byte order (C, C.UTF-8) puts every capital first, a language's order
# (en_US.UTF-8, ICU's root) does not.
NAMES = ["banana", "Apple", "cherry", "Zebra"]
BYTE_ORDER = sorted(NAMES)
DICTIONARY_ORDER = sorted(NAMES, key=str.lower)
ORDERED = "SELECT x FROM unnest(%s::text[]) AS x ORDER BY x"


@pytest.fixture
def environment(docker_client: docker.DockerClient, tmp_path: Path) -> Iterator[Environment]:  # noqa: ARG001
    """Starts a database of the profile text it is sent; torn down after the test."""
    project = tmp_path / "project"
    (project / "profiles").mkdir(parents=True)
    started: list[Environment] = []

    def start(text: str) -> Environment:
        name = f"p{len(started)}"
        write_profile(project, name, text)
        env = Environment(docker_client, load_profile(project / "profiles", name), project)
        started.append(env)
        return env.up()

    yield start  # type: ignore[misc]
    for env in started:
        env.close()
    assert not parity_resources(docker_client, project)


def ordered(env: Environment) -> list[str]:
    assert env.database is not None
    with psycopg.connect(**env.database.connect_kwargs()) as conn:  # type: ignore[arg-type]
        return [row[0] for row in conn.execute(ORDERED, (NAMES,))]


def test_locale_c_gives_a_utf8_cluster_in_byte_order(environment) -> None:  # type: ignore[no-untyped-def]
    env = environment("database: {version: '15', locale: C, superuser: false}\n")
    assert env.database and env.database.cluster_locale and env.database.cluster_locale.collation == "C"
    assert ordered(env) == BYTE_ORDER
    with psycopg.connect(**env.database.connect_kwargs()) as conn:  # type: ignore[arg-type]
        # UTF8 even under C, as managed Postgres has it (initdb alone would make it SQL_ASCII).
        assert conn.execute("SHOW server_encoding").fetchone() == ("UTF8",)


@pytest.mark.parametrize("major", ["15", "17"])
def test_an_icu_locale_orders_text_over_the_libc_locale(environment, major: str) -> None:  # type: ignore[no-untyped-def]
    env = environment(f"database: {{version: '{major}', locale: C, icu_locale: und-x-icu}}\n")
    assert env.database and env.database.cluster_locale
    assert env.database.cluster_locale.facts() == {
        "collation": "C", "ctype": "C", "locale_provider": "icu", "icu_locale": "und-x-icu"}
    assert ordered(env) == DICTIONARY_ORDER  # ICU's root order, though LC_COLLATE is C


NAMES_SQL = {"001_names.sql": "CREATE TABLE names (name text NOT NULL);\n"
                              "INSERT INTO names VALUES " + ", ".join(f"('{n}')" for n in NAMES) + ";\n"}
PROFILE = ("database: {{version: '15', locale: {locale}}}\n"
           "migrations: {{command: [python, scripts/migrate.py, sql/001_names.sql], run_in: host}}\n"
           "smoke: {{command: [python, scripts/listing_order.py, " + ", ".join(BYTE_ORDER) + "]}}\n")


def test_a_listing_written_against_a_c_utf8_laptop_diverges_on_en_us_and_explain_confirms_the_locale(
    docker_client: docker.DockerClient, tmp_path: Path
) -> None:
    # The developer's laptop sorts by bytes; production (RDS, Cloud SQL) by en_US.UTF-8.
    local, prod = PROFILE.format(locale="C.UTF-8"), PROFILE.format(locale="en_US.UTF-8")
    project = Project.at(make_project(tmp_path / "p", {"local": local, "prod": prod}, NAMES_SQL))
    result = run(project, RunOptions(target="prod", explain=True)).result
    assert result.verdict == "divergent", result.divergences
    (divergence,) = result.divergences
    assert (divergence.step, divergence.cause, divergence.cause_confidence) == ("smoke", "database.locale", "confirmed")
    # The report says which collation each side had.
    facts = {name: run_.steps["database"].facts for name, run_ in result.profiles.items()}
    assert (facts["local"]["collation"], facts["prod"]["collation"]) == ("C.UTF-8", "en_US.UTF-8")
    assert not parity_resources(docker_client, tmp_path)


def test_the_same_listing_on_the_same_locale_is_parity(docker_client: docker.DockerClient, tmp_path: Path) -> None:
    same = PROFILE.format(locale="C.UTF-8")
    project = Project.at(make_project(tmp_path / "p", {"local": same, "prod": same}, NAMES_SQL))
    result = run(project, RunOptions(target="prod")).result
    assert result.verdict == "parity", result.divergences
