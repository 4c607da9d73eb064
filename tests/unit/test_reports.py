"""Reports are pure functions of a RunResult: JSON, JUnit, Markdown, terminal, and redaction."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import jsonschema
import pytest
from junitparser import Error, Failure, JUnitXml, Skipped
from rich.console import Console

from parity.redact import Redactor
from parity.report import (
    ReportFiles,
    render_json,
    render_junit,
    render_markdown,
    render_terminal,
    report_json_schema,
    write_reports,
)
from parity.results import Divergence, Experiment, ProfileRun, Revision, RunResult, StepResult
from parity.results import TestCase as SmokeTest  # aliased: pytest would try to collect "Test*"

# The JSON report's keys, written out by hand from SPEC.md ("The JSON report"): at each level
# SPEC's own keys, then what parity adds where SPEC leaves room. A key added to the report or
# dropped from it fails test_json_report_has_spec_keys_and_no_others until it is written here.
REPORT_KEYS = {"parity_version", "verdict", "baseline", "target", "profiles", "divergences"} | {
    "failures",  # steps that failed on both sides: SPEC's "separate failures list"
    "duration_s",
}
PROFILE_KEYS = {"steps"} | {"name", "description", "duration_s"}
STEP_KEYS = {"status", "duration_s"} | {"summary", "detail", "facts", "revisions", "tests", "schema"}
DIVERGENCE_KEYS = {"step", "subject", "baseline", "target", "detail", "cause", "cause_confidence",
                   "experiments"} | {"cause_note", "fix"}
EXPERIMENT_KEYS = {"keys", "reproduced", "duration_s"} | {"kind", "note"}
VERDICTS = {"parity", "divergent", "error"}
STATUSES = {"ok", "failed", "skipped", "error"}
CAUSE_CONFIDENCES = {"confirmed", "suspected", "unknown"}
LONG_LOG = (
    "\n".join(f"log line {i}: starting worker" for i in range(1, 61))
    + "\nKilled: out of memory (OOM)"
)
REVISIONS = [("a1b2c3", "create users"), ("d4e5f6", "enable pgcrypto"), ("0789ab", "add orders")]


# ---------------------------------------------------------------- realistic results, by hand


def database(version: str, ssl: str) -> StepResult:
    return StepResult(
        status="ok",
        duration_s=2.4,
        summary=f"postgres {version}, ssl {ssl}",
        facts={"engine": "postgres", "server_version": version, "ssl": ssl},
    )


def migrations_ok() -> StepResult:
    revisions = [Revision(id=i, description=d, status="ok", duration_s=0.2) for i, d in REVISIONS]
    schema = {"tables": {"users": {"columns": {"id": "integer", "email": "text"}}}}
    return StepResult(
        status="ok",
        duration_s=0.6,
        summary="3 revisions applied",
        revisions=revisions,
        schema=schema,
    )


def smoke(*tests: SmokeTest) -> StepResult:
    failed = [t for t in tests if t.outcome in ("failed", "error")]
    return StepResult(
        status="failed" if failed else "ok",
        duration_s=sum(t.duration_s for t in tests),
        summary=f"{len(tests) - len(failed)}/{len(tests)} passed",
        tests=list(tests),
    )


def passing_tests() -> list[SmokeTest]:
    return [
        SmokeTest(id="tests/smoke/test_api.py::test_signup", outcome="passed", duration_s=0.31),
        SmokeTest(id="http:health", outcome="passed", duration_s=0.02),
    ]


def local_run() -> ProfileRun:
    return ProfileRun(
        name="local",
        description="localhost: no SSL, no caps",
        duration_s=9.5,
        steps={
            "database": database("16.2", "off"),
            "migrations": migrations_ok(),
            "startup": StepResult(
                status="ok", duration_s=1.2, summary="ready in 1.2s", facts={"ready_s": 1.2}
            ),
            "smoke": smoke(*passing_tests()),
            "resources": StepResult(
                status="ok", duration_s=0.1, summary="app peak 180 MiB (no limit)"
            ),
        },
    )


def parity_result() -> RunResult:
    prod = local_run().model_copy(update={"name": "prod", "description": "prod-shaped"})
    return RunResult(
        verdict="parity",
        baseline="local",
        target="prod",
        profiles={"local": local_run(), "prod": prod},
        duration_s=20.0,
    )


def divergent_result() -> RunResult:
    failing_rev = (
        'psycopg.errors.InsufficientPrivilege: permission denied to create extension "pgcrypto"'
    )
    revisions = [
        Revision(id="a1b2c3", description="create users", status="ok", duration_s=0.2),
        Revision(
            id="d4e5f6",
            description="enable pgcrypto",
            status="failed",
            duration_s=0.1,
            error=failing_rev,
        ),
        Revision(id="0789ab", description="add orders", status="skipped"),
    ]
    smoke_fail = SmokeTest(
        id="tests/smoke/test_api.py::test_signup",
        outcome="failed",
        duration_s=0.4,
        message="AssertionError: assert 500 == 201 [bold]not markup[/]\n where status | body = 500 | oops",
    )
    prod = ProfileRun(
        name="prod",
        description="managed Postgres 14, SSL forced, 512 MiB pods",
        duration_s=61.0,
        steps={
            "database": database("14.11", "required"),
            "migrations": StepResult(
                status="failed",
                duration_s=0.4,
                summary="failed at d4e5f6",
                detail=failing_rev,
                revisions=revisions,
            ),
            "startup": StepResult(
                status="failed",
                duration_s=30.0,
                summary="not ready after 30s budget",
                detail="probe GET /healthz: connection refused (x3)",
                facts={"ready_s": None, "budget_s": 30.0},
            ),
            "smoke": smoke(
                smoke_fail, SmokeTest(id="http:health", outcome="passed", duration_s=0.02)
            ),
            "resources": StepResult(
                status="failed",
                duration_s=0.1,
                summary="app OOM-killed at 512 MiB",
                detail="\x1b[31m" + LONG_LOG + "\x1b[0m\x07",
                facts={"app_oom_killed": True, "app_limit_bytes": 512 * 2**20},
            ),
        },
    )
    divergences = [
        Divergence(
            step="migrations",
            subject="d4e5f6 enable pgcrypto",
            baseline="applied",
            target="failed: permission denied to create extension",
            detail=failing_rev,
            cause="database.superuser",
            cause_confidence="confirmed",
            cause_note="local with only prod's database.superuser reproduced it",
            experiments=[
                Experiment(keys=["database.version", "database.image"], reproduced=False, duration_s=2.1),
                Experiment(keys=["database.superuser"], reproduced=True, duration_s=1.9),
                Experiment(keys=["app.user"], reproduced=False, kind="revert",
                           note="not run: cannot be built: the target has no app section"),
            ],
        ),
        Divergence(
            step="smoke",
            subject="tests/smoke/test_api.py::test_signup",
            baseline="passed",
            target="failed: assert 500 == 201 | body `oops`",
            detail="```\nTraceback (most recent call last):\n  status | body\n```\nAssertionError [red]x[/red]",
            cause=None,
            cause_note="no single key reproduced it (1 experiment) | `pipe`",
            experiments=[Experiment(keys=["app.env"], reproduced=False, duration_s=3.0)],
        ),
        Divergence(
            step="resources",
            subject="app memory",
            baseline="peak 180 MiB",
            target="OOM-killed at 512 MiB",
            detail=LONG_LOG,
            cause="app.memory",
            cause_confidence="suspected",
            cause_note="from the error: the kernel OOM-killed the app",
        ),
        Divergence(
            step="startup",
            subject="ready",
            baseline="ready in 1.2s",
            target="not ready within 30s (initial_delay 0s + 10s x 3)",
            detail="probe GET /healthz: connection refused",
            cause="app.startup_probe",
            cause_confidence="suspected",
        ),
    ]
    return RunResult(
        verdict="divergent",
        baseline="local",
        target="prod",
        profiles={"local": local_run(), "prod": prod},
        divergences=divergences,
        duration_s=62.0,
    )


def both_failed_result() -> RunResult:
    error = 'sqlalchemy.exc.ProgrammingError: relation "users" does not exist'

    def broken(name: str) -> ProfileRun:
        revisions = [
            Revision(
                id="a1b2c3",
                description="create users",
                status="failed",
                duration_s=0.1,
                error=error,
            ),
            Revision(id="d4e5f6", description="enable pgcrypto", status="skipped"),
        ]
        migrations = StepResult(
            status="failed",
            duration_s=0.2,
            summary="failed at a1b2c3",
            detail=error,
            revisions=revisions,
        )
        skipped = StepResult(status="skipped", summary="migrations failed")
        return ProfileRun(
            name=name,
            steps={"database": database("16.2", "off"), "migrations": migrations, "smoke": skipped},
        )

    failure = Divergence(
        step="migrations",
        subject="a1b2c3 create users",
        baseline="failed",
        target="failed",
        detail=error,
    )
    return RunResult(
        verdict="divergent",
        baseline="local",
        target="prod",
        profiles={"local": broken("local"), "prod": broken("prod")},
        failures=[failure],
    )


ALL_RESULTS = [parity_result, divergent_result, both_failed_result]


# ---------------------------------------------------------------- JSON


def has_keys(where: str, value: dict[str, Any], expected: set[str]) -> None:
    unknown, missing = sorted(set(value) - expected), sorted(expected - set(value))
    assert not unknown and not missing, f"{where}: unknown keys {unknown}, missing keys {missing}"


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def test_json_report_has_spec_keys_and_no_others() -> None:
    seen: set[str] = set()
    for make in ALL_RESULTS:
        report = json.loads(render_json(make()))
        has_keys("report", report, REPORT_KEYS)
        assert report["verdict"] in VERDICTS and isinstance(report["parity_version"], str)
        for name, profile in report["profiles"].items():
            has_keys(f"profiles.{name}", profile, PROFILE_KEYS)
            for step_name, step in profile["steps"].items():
                has_keys(f"profiles.{name}.steps.{step_name}", step, STEP_KEYS)
                assert step["status"] in STATUSES and is_number(step["duration_s"])
                seen.add("step")
        for where in ("divergences", "failures"):
            for i, divergence in enumerate(report[where]):
                has_keys(f"{where}[{i}]", divergence, DIVERGENCE_KEYS)
                assert divergence["cause_confidence"] in CAUSE_CONFIDENCES
                assert divergence["cause"] is None or isinstance(divergence["cause"], str)
                seen.add(where)
                for j, experiment in enumerate(divergence["experiments"]):
                    has_keys(f"{where}[{i}].experiments[{j}]", experiment, EXPERIMENT_KEYS)
                    assert isinstance(experiment["reproduced"], bool) and is_number(experiment["duration_s"])
                    assert all(isinstance(key, str) for key in experiment["keys"])
                    seen.add("experiment")
    # Every level was looked at: a level no result reaches would pass whatever it held.
    assert seen == {"step", "divergences", "failures", "experiment"}


@pytest.mark.parametrize("make", ALL_RESULTS)
def test_json_report_validates_against_its_published_schema_and_reads_back(make: Any) -> None:
    result = make()
    report = json.loads(render_json(result))
    jsonschema.Draft202012Validator(report_json_schema()).validate(report)
    assert report["verdict"] == result.verdict
    for name, run in result.profiles.items():
        for step_name, step in run.steps.items():
            assert report["profiles"][name]["steps"][step_name]["status"] == step.status
            assert report["profiles"][name]["steps"][step_name]["duration_s"] == step.duration_s
    assert RunResult.model_validate(report) == result


def test_json_schema_rejects_reports_that_break_the_contract() -> None:
    validator = jsonschema.Draft202012Validator(report_json_schema())
    report = json.loads(render_json(divergent_result()))
    assert validator.is_valid(report)
    assert not validator.is_valid({k: v for k, v in report.items() if k != "divergences"})
    assert not validator.is_valid({**report, "verdict": "fine"})
    bad_step = json.loads(json.dumps(report))
    bad_step["profiles"]["prod"]["steps"]["startup"]["status"] = "crashed"
    assert not validator.is_valid(bad_step)


# ---------------------------------------------------------------- JUnit


def cases_of(suite: Any) -> list[Any]:
    return list(suite)


def expected_profile_counts(run: ProfileRun) -> dict[str, int]:
    statuses = [s.status for s in run.steps.values()]
    statuses += [r.status for s in run.steps.values() for r in s.revisions]
    statuses += [t.outcome for s in run.steps.values() for t in s.tests]
    return {
        "tests": len(statuses),
        "failures": statuses.count("failed"),
        "errors": statuses.count("error"),
        "skipped": statuses.count("skipped"),
    }


@pytest.mark.parametrize("make", ALL_RESULTS)
def test_junit_has_a_suite_per_profile_with_counts_matching_the_result(make: Any) -> None:
    result = make()
    xml = JUnitXml.fromstring(render_junit(result))
    suites = {s.name: s for s in xml}
    assert list(suites) == [*result.profiles, "divergences"]
    for name, run in result.profiles.items():
        expected = expected_profile_counts(run)
        suite = suites[name]
        assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (
            expected["tests"],
            expected["failures"],
            expected["errors"],
            expected["skipped"],
        )
        cases = cases_of(suite)
        assert len(cases) == expected["tests"]
        # The counts in the attributes agree with the cases actually present.
        assert (
            sum(1 for c in cases if any(isinstance(r, Failure) for r in c.result)) == suite.failures
        )
        assert (
            sum(1 for c in cases if any(isinstance(r, Skipped) for r in c.result)) == suite.skipped
        )
        revisions = [r for s in run.steps.values() for r in s.revisions]
        migration_cases = [c for c in cases if c.classname == f"{name}.migrations"]
        assert [c.name for c in migration_cases] == [f"{r.id} {r.description}" for r in revisions]
        smoke_cases = [c for c in cases if c.classname == f"{name}.smoke"]
        assert [c.name for c in smoke_cases] == [t.id for s in run.steps.values() for t in s.tests]
    total_failures = sum(s.failures for s in xml)
    xml.update_statistics()
    assert xml.failures == total_failures


def test_junit_divergence_cases_fail_with_both_sides_and_cause() -> None:
    result = divergent_result()
    suite = next(s for s in JUnitXml.fromstring(render_junit(result)) if s.name == "divergences")
    cases = cases_of(suite)
    assert [c.name for c in cases] == [f"{d.step}: {d.subject}" for d in result.divergences]
    assert suite.failures == len(result.divergences)
    for case, div in zip(cases, result.divergences, strict=True):
        (failure,) = case.result
        assert isinstance(failure, Failure)
        assert div.baseline in failure.message and div.target in failure.message
        assert (div.cause or "unknown") in failure.message
        assert div.detail.splitlines()[0] in (failure.text or "")


def test_junit_divergence_says_how_its_cause_was_settled() -> None:
    result = divergent_result()
    suite = next(s for s in JUnitXml.fromstring(render_junit(result)) if s.name == "divergences")
    confirmed, unknown, suspected = (cases_of(suite)[i] for i in (0, 1, 2))
    (failure,) = confirmed.result
    assert "cause: database.superuser (confirmed)" in failure.message
    assert "not reproduced — local with prod's database.version, database.image (2.1s)" in failure.text
    assert "reproduced — local with prod's database.superuser (1.9s)" in failure.text
    assert "not run — prod with local's app.user: cannot be built" in failure.text
    properties = {case.get("name"): {p.get("name"): p.get("value") for p in case.iter("property")}
                  for case in ET.fromstring(render_junit(result)).iter("testcase")
                  if case.get("classname") == "divergences.divergence"}
    assert properties[confirmed.name] == {"cause": "database.superuser", "cause_confidence": "confirmed"}
    assert properties[unknown.name] == {"cause": "", "cause_confidence": "unknown"}
    assert "cause: unknown" in unknown.result[0].message
    assert "cause: app.memory (suspected) — from the error" in suspected.result[0].text


def test_junit_failed_revision_carries_its_error_and_control_characters_do_not_break_xml() -> None:
    result = divergent_result()
    prod = next(s for s in JUnitXml.fromstring(render_junit(result)) if s.name == "prod")
    (rev_case,) = [c for c in prod if c.name == "d4e5f6 enable pgcrypto"]
    (failure,) = rev_case.result
    assert "permission denied" in failure.message
    (resources,) = [c for c in prod if c.name == "resources" and c.classname == "prod.steps"]
    text = resources.result[0].text
    assert "Killed: out of memory" in text and "\x1b" not in text


def test_junit_parity_run_shows_one_green_parity_case() -> None:
    xml = JUnitXml.fromstring(render_junit(parity_result()))
    suite = next(s for s in xml if s.name == "divergences")
    (case,) = cases_of(suite)
    assert case.name == "parity" and case.is_passed
    xml.update_statistics()
    assert xml.failures == 0 and xml.errors == 0


def test_junit_failures_on_both_sides_fail_too() -> None:
    result = both_failed_result()
    suite = next(s for s in JUnitXml.fromstring(render_junit(result)) if s.name == "divergences")
    assert [c.name for c in suite] == [f"{f.step}: {f.subject}" for f in result.failures]
    assert suite.failures == len(result.failures) and "parity" not in [c.name for c in suite]


def test_junit_aborted_run_is_not_green() -> None:
    result = parity_result().model_copy(update={"verdict": "error"})
    suite = next(s for s in JUnitXml.fromstring(render_junit(result)) if s.name == "divergences")
    (case,) = cases_of(suite)
    assert isinstance(case.result[0], Error)


# ---------------------------------------------------------------- Markdown

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def table_rows(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("|") and "---" not in line]


def tables(markdown: str) -> list[list[str]]:
    """Each table's rows, header first (the --- line left out)."""
    found: list[list[str]] = []
    previous = ""
    for line in markdown.splitlines():
        if line.startswith("|") and "---" not in line:
            if not previous.startswith("|"):
                found.append([])
            found[-1].append(line)
        previous = line
    return found


def test_markdown_headline_table_and_escaped_pipes() -> None:
    result = divergent_result()
    md = render_markdown(result)
    assert f"{len(result.divergences)} divergences between `local` and `prod`" in md.splitlines()[0]
    assert f"Exit code **{result.exit_code}**" in md
    rows = table_rows(md)
    for div in result.divergences:
        (row,) = [r for r in rows if div.subject in r and r.count("|") >= 6 and div.step in r]
        # Five columns: six unescaped pipes, whatever the cell text contained.
        assert len(UNESCAPED_PIPE.findall(row)) == 6
        assert (f"`{div.cause}` ({div.cause_confidence})" if div.cause else "unknown") in row
    smoke_row = next(
        r for r in rows if "test_signup" in r and "divergence" not in r and "smoke" in r
    )
    assert r"500 == 201 \| body" in smoke_row
    # Every row of every table has as many cells as its header, whatever its cells contained.
    for table in tables(md):
        header, *body = (len(UNESCAPED_PIPE.split(row.strip())[1:-1]) for row in table)
        assert body and all(cells == header for cells in body), table


def test_markdown_lists_the_experiments_behind_each_cause() -> None:
    md = render_markdown(divergent_result())
    first = md.split("<details>")[1]
    assert "cause <code>database.superuser</code> (confirmed)" in first
    assert "**Cause:** local with only prod's database.superuser reproduced it" in first
    assert "| local with prod's database.superuser (1.9s) | ✅ reproduced |" in first
    assert "| local with prod's database.version, database.image (2.1s) | not reproduced |" in first
    second = md.split("<details>")[2]
    assert r"**Cause unknown:** no single key reproduced it (1 experiment) \| \`pipe\`" in second


def test_markdown_evidence_is_fenced_safely_and_truncated() -> None:
    result = divergent_result()
    md = render_markdown(result)
    assert md.count("<details>") == len(result.divergences) == md.count("</details>")
    # Evidence containing ``` sits in a longer fence, so it cannot close the block early.
    assert "````text\n```\nTraceback" in md
    blocks = re.findall(r"^(`{3,})text\n(.*?)\n\1$", md, flags=re.MULTILINE | re.DOTALL)
    long_block = next(body for _, body in blocks if "log line 1:" in body)
    lines = long_block.splitlines()
    assert len(lines) <= 41 < len(LONG_LOG.splitlines())
    assert "omitted" in long_block
    assert LONG_LOG.splitlines()[-1] in lines  # the end of the log, where the OOM is, survives


def test_markdown_step_tables_per_profile() -> None:
    result = divergent_result()
    md = render_markdown(result)
    for name, run in result.profiles.items():
        section = md.split(f"#### `{name}`", 1)[1].split("####", 1)[0]
        for step_name, step in run.steps.items():
            assert re.search(rf"^\| {step_name} \| .*{step.status}", section, flags=re.MULTILINE)


def test_markdown_says_plainly_when_both_sides_failed() -> None:
    result = both_failed_result()
    md = render_markdown(result)
    assert "not parity" in md.lower() and "both profiles failed" in md
    assert "✅" not in md.splitlines()[0]
    assert result.failures[0].subject in md


def test_markdown_parity_headline() -> None:
    md = render_markdown(parity_result())
    assert md.splitlines()[0] == "## ✅ parity: `prod` behaves like `local`"
    assert "### Divergences" not in md


# ---------------------------------------------------------------- terminal


def terminal_text(result: RunResult, **console: Any) -> str:
    out = Console(record=True, file=io.StringIO(), **{"width": 100, **console})
    render_terminal(result, out)
    return out.export_text()


def test_terminal_lists_divergences_evidence_and_verdict() -> None:
    result = divergent_result()
    text = terminal_text(result)
    for index, div in enumerate(result.divergences, 1):
        assert f"#{index} {div.step}: {div.subject}" in text
        assert div.detail.splitlines()[0].strip() in text
    assert "AssertionError [red]x[/red]" in text  # markup in the evidence is printed as written
    last = text.strip().splitlines()[-1]
    assert f"{len(result.divergences)} divergences between local and prod" in last
    assert f"exit {result.exit_code}" in last
    assert all(len(line) <= 100 for line in text.splitlines())
    assert "log line 7:" not in text  # evidence is an excerpt, not the whole log


def test_terminal_shows_each_cause_with_its_confidence_and_experiments() -> None:
    text = terminal_text(divergent_result(), width=140)
    table = text.split("#1 ")[0]
    assert re.search(r"database\.superuser\s*\n.*confirmed", table)
    assert re.search(r"app\.memory\s*\n.*suspected", table)
    assert "cause: database.superuser (confirmed) — local with only prod's database.superuser reproduced" in text
    assert "✓ reproduced — local with prod's database.superuser (1.9s)" in text
    assert "· not reproduced — local with prod's database.version, database.image (2.1s)" in text
    assert "cause: unknown — no single key reproduced it" in text


def test_terminal_without_colour_emits_no_escape_codes() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, no_color=True, force_terminal=False)
    render_terminal(divergent_result(), console)
    printed = buffer.getvalue()
    assert "\x1b[" not in printed
    assert "✗" in printed and "divergences between local and prod" in printed


def test_terminal_parity_and_both_failed_verdicts() -> None:
    assert "parity: prod behaves like local — exit 0" in terminal_text(parity_result())
    text = terminal_text(both_failed_result())
    assert "not parity: both profiles failed 1 check" in text and "exit 1" in text


# ---------------------------------------------------------------- redaction

CANARY = "canary-7f3a9c-SECRET"
URL_CANARY = "p@ss/w0rd:c4n4ry! +x"  # reserved characters and a space: quote != quote_plus != raw
JSON_CANARY = 'quo"te\\c4n4ry-tab\t'


def forms(value: str) -> set[str]:
    return {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}


def strings_in(value: Any) -> list[str]:
    """Every string in parsed JSON, keys included: what a reader of the report would see."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *strings_in(v)]]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def leaky_result() -> RunResult:
    result = divergent_result()
    url = f"postgresql://app:{quote(URL_CANARY, safe='')}@db/app"
    json_log = json.dumps({"event": "login", "password": JSON_CANARY})
    prod = result.profiles["prod"]
    migrations = prod.steps["migrations"]
    steps = dict(prod.steps)
    steps["database"] = prod.steps["database"].model_copy(
        update={
            "summary": f"connected as {url}",
            "facts": {
                "dsn": url,
                CANARY: {"nested": [CANARY, 1, None]},
                "json": json.dumps({"pw": JSON_CANARY}),
            },
        }
    )
    steps["migrations"] = migrations.model_copy(
        update={
            "revisions": [
                r.model_copy(update={"error": f"auth failed for {CANARY}"})
                for r in migrations.revisions
            ],
            "schema_snapshot": {"tables": {CANARY: {"columns": {"token": f"default '{CANARY}'"}}}},
        }
    )
    smoke_step = prod.steps["smoke"]
    steps["smoke"] = smoke_step.model_copy(
        update={
            "tests": [
                t.model_copy(
                    update={
                        "message": f"got {CANARY} | {JSON_CANARY} | form {quote_plus(URL_CANARY)}"
                    }
                )
                for t in smoke_step.tests
            ]
        }
    )
    divergences = [
        d.model_copy(
            update={
                "detail": f"DATABASE_URL={url}\nSECRET_KEY={CANARY}\n{json_log}\n{d.detail}",
                "target": f"{d.target} {CANARY}",
            }
        )
        for d in result.divergences
    ]
    failures = [
        Divergence(
            step="smoke", subject=CANARY, baseline=URL_CANARY, target=JSON_CANARY, detail=url
        )
    ]
    return result.model_copy(
        update={
            "profiles": {
                **result.profiles,
                "prod": prod.model_copy(update={"steps": steps, "description": CANARY}),
            },
            "divergences": divergences,
            "failures": failures,
        }
    )


def test_canary_secrets_appear_in_no_report_and_no_terminal_output(tmp_path: Path) -> None:
    result = leaky_result()
    redactor = Redactor([CANARY, URL_CANARY, JSON_CANARY])
    assert CANARY in render_json(result) and quote(URL_CANARY, safe="") in render_json(
        result
    )  # the test has teeth

    files = ReportFiles(json=tmp_path / "out" / "report.json", junit=tmp_path / "out" / "junit" / "report.xml",
                        markdown=tmp_path / "summary.md")
    paths = write_reports(result, files, redactor=redactor)
    assert [p.name for p in paths] == ["report.json", "report.xml", "summary.md"]
    outputs = {p.name: p.read_text(encoding="utf-8") for p in paths}
    outputs["terminal"] = terminal_text(redactor.result(result))
    # JSON escapes strings again; the decoded strings are what a reader would see.
    outputs["report.json (decoded)"] = "\n".join(strings_in(json.loads(outputs["report.json"])))

    for name, text in outputs.items():
        for secret in (CANARY, URL_CANARY, JSON_CANARY):
            for form in forms(secret):
                assert form not in text, f"{form!r} leaked into {name}"
        assert "***" in text, name
    jsonschema.Draft202012Validator(report_json_schema()).validate(
        json.loads(outputs["report.json"])
    )
    JUnitXml.fromfile(str(paths[1]))
    assert CANARY in render_json(result)  # the original result is untouched


def test_redactor_masks_longest_secret_whole_and_ignores_short_values() -> None:
    redactor = Redactor(["abcd", "abcdefgh", "abc", ""])
    assert redactor.text("x abcdefgh y abcd z abc") == "x *** y *** z abc"
    redactor.add("later-secret")
    assert redactor.text("token=later-secret") == "token=***"


def test_redactor_keeps_status_words_valid_even_if_a_secret_equals_one() -> None:
    result = divergent_result()
    redacted = Redactor(["failed"]).result(result)
    assert redacted.profiles["prod"].steps["migrations"].status == "failed"
    assert "failed" not in redacted.profiles["prod"].steps["migrations"].summary
    RunResult.model_validate(redacted.to_json_dict())


def test_redactor_without_secrets_returns_equal_result() -> None:
    result = divergent_result()
    assert Redactor().result(result) == result
    assert Redactor().text("anything") == "anything"


def test_steps_no_profile_asked_for_are_left_out_of_the_tables_and_one_side_asking_keeps_them() -> None:
    result = parity_result()
    unasked = StepResult(status="skipped", summary="no app.rollout in this profile")
    for run in result.profiles.values():
        run.steps["rollout"] = unasked
        run.steps["shutdown"] = unasked
    text = terminal_text(result)
    assert "rollout" not in text and "shutdown" not in text
    assert "rollout" not in render_markdown(result) and "rollout" not in render_junit(result)
    # The target rolled out: both sides' rows are shown, the baseline's as skipped.
    result.profiles["prod"].steps["rollout"] = StepResult(status="ok", summary="2 replicas replaced")
    text = terminal_text(result)
    assert "rollout" in text and "2 replicas replaced" in text and "shutdown" not in text
    assert "rollout" in render_markdown(result)
