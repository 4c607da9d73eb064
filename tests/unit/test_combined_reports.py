"""Several targets' reports together: the worst verdict and exit code win, a target merged twice
is refused, and one target keeps the SPEC's single-report shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parity.errors import UsageError
from parity.report.combined import exit_code, load_reports, render_json_many, worst_verdict
from parity.results import ProfileRun, RunResult, StepResult


def result(target: str, verdict: str) -> RunResult:
    runs = {name: ProfileRun(name=name, steps={"database": StepResult(status="ok")}) for name in ("local", target)}
    return RunResult.model_validate({"verdict": verdict, "baseline": "local", "target": target, "profiles": runs})


@pytest.mark.parametrize(("verdicts", "worst", "code"), [
    (["parity", "parity"], "parity", 0),
    (["parity", "divergent"], "divergent", 1),
    (["error", "divergent"], "error", 3),
    (["divergent", "error", "parity"], "error", 3),
])
def test_the_worst_target_decides(verdicts: list[str], worst: str, code: int) -> None:
    results = [result(f"t{i}", v) for i, v in enumerate(verdicts)]
    assert worst_verdict(results) == worst
    assert exit_code(results) == code


def test_one_target_keeps_the_single_report_shape_and_several_go_under_targets() -> None:
    one = json.loads(render_json_many([result("prod", "parity")]))
    assert one["target"] == "prod" and "targets" not in one
    many = json.loads(render_json_many([result("prod", "parity"), result("pg18", "divergent")]))
    assert many["verdict"] == "divergent" and list(many["targets"]) == ["prod", "pg18"]
    assert many["targets"]["pg18"] == result("pg18", "divergent").to_json_dict()


def test_merge_reads_single_and_merged_reports_and_refuses_a_target_twice(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(render_json_many([result("prod", "parity")]))
    (tmp_path / "bc.json").write_text(render_json_many([result("pg18", "parity"), result("pg13", "divergent")]))
    loaded = load_reports([tmp_path / "a.json", tmp_path / "bc.json"])
    assert [r.target for r in loaded] == ["prod", "pg18", "pg13"]
    with pytest.raises(UsageError, match="target prod is in more than one report"):
        load_reports([tmp_path / "a.json", tmp_path / "a.json"])
