"""Several targets in one `parity run`, and `parity report merge` of the reports a CI matrix's jobs
wrote: real runs through the CLI, as a user runs them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.integration import projects
from tests.integration.projects import parity_cli

# A migration that uses what Postgres 15 added (UNIQUE NULLS NOT DISTINCT): fine on 15 and 17,
# a syntax error on 13.
SQL = {"001_t.sql": "CREATE TABLE t (id int, UNIQUE NULLS NOT DISTINCT (id));\n"}
LOCAL = ("database: {version: '17'}\n"
         "migrations: {command: [python, scripts/migrate.py, sql/001_t.sql], run_in: host, timeout: 1m}\n")


def project(root: Path) -> Path:
    return projects.make_project(root / "p", {
        "local": LOCAL,
        "prod": "extends: local\ndatabase: {version: '15', ssl: required, superuser: false}\n",
        "prod-pg13": "extends: local\ndatabase: {version: '13'}\n",
    }, SQL)


def test_two_targets_run_against_one_baseline_and_their_reports_merge(docker_client, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                       no_leaks: None) -> None:
    root = project(tmp_path)
    both = parity_cli(["run", "--profile", "prod", "--profile", "prod-pg13", "--json", "both.json",
                       "--junit", "both.xml", "--markdown", "both.md"], root)
    # The worst of the two: prod is parity, prod-pg13 diverges at the migration.
    assert both.returncode == 1, both.stdout + both.stderr
    assert "prod against local" in both.stdout and "prod-pg13 against local" in both.stdout
    report = json.loads((root / "both.json").read_text())
    assert report["verdict"] == "divergent" and set(report["targets"]) == {"prod", "prod-pg13"}
    assert report["targets"]["prod"]["verdict"] == "parity"
    pg13 = report["targets"]["prod-pg13"]
    assert pg13["verdict"] == "divergent" and pg13["divergences"][0]["cause"] == "database.version"
    # The baseline ran once: both targets carry the same run of it.
    assert report["targets"]["prod"]["profiles"]["local"] == pg13["profiles"]["local"]
    assert "`prod`" in (root / "both.md").read_text() and "`prod-pg13`" in (root / "both.md").read_text()
    suites = {s.get("name") for s in ET.parse(root / "both.xml").getroot()}
    assert {"prod/prod", "prod-pg13/prod-pg13", "prod-pg13/divergences"} <= suites

    # The same two targets as two CI matrix jobs, merged by a final job.
    for name in ("prod", "prod-pg13"):
        alone = parity_cli(["run", "--profile", name, "--json", f"{name}.json"], root)
        assert alone.returncode == (0 if name == "prod" else 1), alone.stdout + alone.stderr
        assert "targets" not in json.loads((root / f"{name}.json").read_text())  # one target: SPEC's shape
    merged = parity_cli(["report", "merge", "prod.json", "prod-pg13.json", "--json", "m.json", "--junit", "m.xml",
                         "--markdown", "m.md"], root)
    assert merged.returncode == 1, merged.stdout + merged.stderr
    document = json.loads((root / "m.json").read_text())
    assert document["verdict"] == "divergent" and set(document["targets"]) == {"prod", "prod-pg13"}
    assert document["targets"]["prod-pg13"]["divergences"][0]["subject"] == \
        pg13["divergences"][0]["subject"]
    xml = ET.parse(root / "m.xml").getroot()
    assert int(xml.get("failures", "0")) + int(xml.get("errors", "0")) >= 1


def test_bad_input_to_several_targets_and_to_merge(tmp_path: Path) -> None:
    root = project(tmp_path)
    twice = parity_cli(["run", "--profile", "prod", "--profile", "prod"], root)
    assert twice.returncode == 2 and "given twice" in twice.stderr
    (root / "notes.json").write_text('{"hello": "world"}')
    (root / "broken.json").write_text("{not json")
    for name, words in (("notes.json", "is not a parity report: verdict"), ("broken.json", "not JSON")):
        done = parity_cli(["report", "merge", name], root)
        assert done.returncode == 2 and words in done.stderr and "fix:" in done.stderr, done.stderr
