"""The cluster's locale without an engine: what initdb gets (from parity, and from the stand-in's
entrypoint), initdb's complaints read back, and the locale a started database reports."""

from __future__ import annotations

import os
import subprocess
from importlib import resources
from pathlib import Path

import pytest

from parity.env import locale
from parity.profile.models import DatabaseSpec

# initdb's own words, as Postgres 13-17 print them (captured from the stand-ins).
INVALID = 'initdb: error: invalid locale name "de_DE.UTF-8"\ninitdb: hint: If the locale name is specific to ICU, use --icu-locale.'
BAD_ICU = 'initdb: error: could not convert locale name "xx-nonsense" to language tag: U_ILLEGAL_ARGUMENT_ERROR'
NO_PROVIDER = "initdb: unrecognized option '--locale-provider=icu'\nTry \"initdb --help\" for more information."
MISMATCH = ("initdb: error: encoding mismatch\ninitdb: detail: The encoding you selected (UTF8) and the encoding "
            "that the selected locale uses (LATIN1) do not match.")
# What a cluster that was made prints: its warnings are no complaint about the locale.
MADE = ('initdb: warning: enabling "trust" authentication for local connections\ninitdb: hint: You can change this '
        "by editing pg_hba.conf or using the option -A, or --auth-local and --auth-host, the next time you run initdb.")


@pytest.mark.parametrize("logs", [INVALID, BAD_ICU, NO_PROVIDER, MISMATCH])
def test_initdb_complaints_about_the_locale_are_found_among_the_logs(logs: str) -> None:
    said = locale.complaint(f"server starting\n{logs}\nrunning bootstrap script ... ")
    assert said is not None and logs.splitlines()[0] in said


def test_a_cluster_that_was_made_has_no_complaint() -> None:
    assert locale.complaint(f"The files belonging to this database system will be owned by user \"postgres\".\n{MADE}") is None


def test_a_locale_the_image_lacks_is_one_environment_error_with_initdbs_words_and_a_fix() -> None:
    spec = DatabaseSpec(version="15", locale="de_DE.UTF-8")
    error = locale.unavailable(spec, locale.complaint(INVALID) or "")
    assert error.exit_code == 3  # the image is at fault, not the profile
    assert "database.locale de_DE.UTF-8" in error.message and "postgres:15" in error.message
    assert 'invalid locale name "de_DE.UTF-8"' in error.message
    assert error.fix is not None and "en_US.UTF-8" in error.fix and "database.image" in error.fix


def test_an_icu_locale_on_an_image_older_than_15_says_which_major_it_needs() -> None:
    spec = DatabaseSpec(version="13", image="my/postgres:13", icu_locale="und")
    error = locale.unavailable(spec, locale.complaint(NO_PROVIDER) or "")
    assert "database.icu_locale und" in error.message and "--locale-provider" in error.message
    assert error.fix is not None and "Postgres 15 or later" in error.fix


def test_no_locale_key_passes_no_initdb_argument() -> None:
    assert locale.initdb_args(DatabaseSpec()) == ""


@pytest.mark.parametrize(
    ("row", "facts"),
    [({"datcollate": "en_US.utf8", "datctype": "en_US.utf8"}, {"collation": "en_US.utf8", "ctype": "en_US.utf8"}),
     # 15-16 keep the ICU locale in daticulocale, 17+ in datlocale.
     ({"datcollate": "C", "datctype": "C", "datlocprovider": "i", "daticulocale": "und-x-icu"},
      {"collation": "C", "ctype": "C", "locale_provider": "icu", "icu_locale": "und-x-icu"}),
     ({"datcollate": "C", "datctype": "C", "datlocprovider": "i", "datlocale": "de-DE"},
      {"collation": "C", "ctype": "C", "locale_provider": "icu", "icu_locale": "de-DE"}),
     ({"datcollate": "C.UTF-8", "datctype": "C.UTF-8", "datlocprovider": "c", "datlocale": None},
      {"collation": "C.UTF-8", "ctype": "C.UTF-8"})],
)  # fmt: skip
def test_the_database_step_reports_the_locale_the_database_really_has(
    row: dict[str, object], facts: dict[str, str]
) -> None:
    assert locale.ClusterLocale.from_row(row).facts() == facts


def _fake_tools(bin_dir: Path) -> None:
    """initdb, pg_ctl, psql and postgres that record their arguments and LANG: enough for the
    stand-in's entrypoint to run its first start on this machine."""
    bin_dir.mkdir()
    record = 'printf "%s LANG=%s\\n" "$(basename "$0") $*" "${LANG:-}" >> "$CALLS"\n'
    tools = {
        "initdb": record + 'mkdir -p "$PGDATA"; echo 15 > "$PGDATA/PG_VERSION"; touch "$PGDATA/pg_hba.conf"',
        "pg_ctl": record + 'printf "1\\n%s\\n0\\n5432\\n%s\\n" "$PGDATA" "$PGDATA" > "$PGDATA/postmaster.pid"',
        "psql": record + "cat > /dev/null",
        "postgres": record,
        "id": "echo 999",  # not root: the entrypoint's drop to the postgres user is not under test
    }
    for name, body in tools.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)


@pytest.mark.parametrize(
    ("variables", "locale_words"),
    [({}, []),  # as the official image: initdb takes the locale from LANG
     ({"POSTGRES_INITDB_ARGS": "--locale=C --encoding=UTF8"}, ["--locale=C", "--encoding=UTF8"])],
)  # fmt: skip
def test_the_stand_ins_entrypoint_names_no_locale_of_its_own(
    tmp_path: Path, variables: dict[str, str], locale_words: list[str]
) -> None:
    _fake_tools(tmp_path / "bin")
    calls = tmp_path / "calls"
    entrypoint = resources.files("parity.engine").joinpath("assets/docker-entrypoint.sh")
    env = {"PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}", "CALLS": str(calls), "LANG": "en_US.utf8",
           "PGDATA": str(tmp_path / "data"), "POSTGRES_PASSWORD": "pw", **variables}
    subprocess.run(["bash", str(entrypoint), "postgres"], env=env, check=True, capture_output=True, timeout=30)
    (initdb,) = [line.split() for line in calls.read_text().splitlines() if line.startswith("initdb ")]
    chosen = [word for word in initdb if word.startswith(("--locale", "--encoding", "--lc-", "-E"))]
    assert chosen == locale_words
    assert initdb[-1] == "LANG=en_US.utf8"  # the image's LANG reaches initdb untouched
