"""The bundled example, as `make demo` runs it: its five production-only bugs found, reports valid."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from junitparser import JUnitXml

from parity.report.json_report import report_json_schema
from tests.conftest import parity_resources
from tests.integration.projects import REPO, parity_cli


def test_the_example_diverges_in_five_ways_with_causes_confirmed_and_valid_reports(docker_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert (REPO / "example" / "wheelhouse").is_dir(), "run `make wheelhouse` first (make test does)"
    reports = {kind: tmp_path / f"report.{kind}" for kind in ("json", "xml", "md")}
    result = parity_cli(
        ["run", "--profile", "prod", "--explain", "--json", str(reports["json"]), "--junit", str(reports["xml"]),
         "--markdown", str(reports["md"])],
        cwd=REPO, env={"PARITY_DEMO_SECRET_KEY": "example-test-secret-3f9a"},
    )
    assert result.returncode == 1, result.stderr
    report = json.loads(reports["json"].read_text())
    jsonschema.validate(report, report_json_schema())
    causes = {(d["step"], d["cause"]) for d in report["divergences"]}
    assert {("migrations", "database.version"), ("smoke", "secrets.source"), ("smoke", "database.ssl"),
            ("smoke", "app.replicas"), ("resources", "app.memory")} <= causes, causes
    # Behind the balancer, the failing request says which replica answered it.
    paging = next(d for d in report["divergences"] if d["cause"] == "app.replicas")
    assert "test_paging" in paging["subject"] and "404 from app-" in paging["detail"]
    # --explain: every cause confirmed by an experiment that flipped that key alone.
    for divergence in report["divergences"]:
        assert divergence["cause_confidence"] == "confirmed", divergence
        assert any(e["reproduced"] and divergence["cause"] in e["keys"] for e in divergence["experiments"])
    assert report["failures"] == [] and report["verdict"] == "divergent"
    revision = next(d for d in report["divergences"] if d["step"] == "migrations")
    assert revision["subject"].startswith("0003") and "any_value" in revision["detail"]
    # The fifth: a rewrite that is instant on the laptop's empty table and, at production's size
    # and under its traffic, blocks the app past prod's lock budget.
    (rewrite,) = [d for d in report["divergences"] if d["subject"].startswith("0002a")]
    assert rewrite["cause"] == "data" and "over the lock budget (500ms)" in rewrite["target"]
    measured = {r["id"]: r["measures"] for r in report["profiles"]["prod"]["steps"]["migrations"]["revisions"]}
    assert measured["0002a"]["rewritten"] == ["public.audit_log"]
    assert measured["0002a"]["blocked_queries"] >= 1 and measured["0002a"]["longest_block_s"] > 0.5
    assert report["profiles"]["prod"]["steps"]["data"]["facts"]["at"] == "0002"

    xml = JUnitXml.fromfile(str(reports["xml"]))
    suites = {suite.name: suite for suite in xml}
    assert {"local", "prod", "divergences"} <= set(suites)
    assert suites["divergences"].failures == len(report["divergences"])
    prod_cases = {case.name for case in suites["prod"]}
    assert any(name.startswith("0003") for name in prod_cases)

    markdown = reports["md"].read_text()
    assert "database.version" in markdown and "| step |" in markdown.replace("|step|", "| step |")
    for text in (result.stdout, result.stderr, *(p.read_text() for p in reports.values())):
        assert "example-test-secret-3f9a" not in text
    assert "divergences" in result.stdout
    assert not parity_resources(docker_client, REPO)
