"""Step 4: smoke tests on this machine against the running app, and declarative HTTP checks."""

from __future__ import annotations

import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

from parity.evidence import key_line, tail
from parity.profile.models import HttpCheck
from parity.results import Status, StepResult, TestCase
from parity.steps.context import StepContext
from parity.steps.host_process import collect_output, spawn


def run_smoke(ctx: StepContext) -> StepResult:
    """Run smoke.command (per-test results for pytest) and smoke.http checks."""
    spec = ctx.profile.smoke
    if spec is None:
        return StepResult(status="skipped", summary="no smoke tests in this profile")
    if ctx.profile.app and ctx.app_url is None:
        return StepResult(status="skipped", summary="the app never started: no smoke tests run")
    started = time.monotonic()
    cases: list[TestCase] = []
    details: list[str] = []
    command_summary = ""
    failed = errored = False
    # Declarative checks first: they are quick, and a suite that crashes the app must not
    # turn them into failures of their own.
    for check in spec.http:
        case = _http_check(ctx, check)
        cases.append(case)
        failed |= case.outcome != "passed"
    if spec.command is not None:
        outcome = _command(ctx, spec.command, spec.timeout)
        command_summary = outcome.summary
        cases += outcome.tests
        details.append(outcome.detail)
        failed |= outcome.status == "failed"
        errored |= outcome.status == "error"
    bad = [c for c in cases if c.outcome in ("failed", "error")]
    status: Status = "error" if errored else "failed" if failed else "ok"
    passed = sum(c.outcome == "passed" for c in cases)
    summary = f"{passed} passed" + (f", {len(bad)} failed: {', '.join(c.id for c in bad[:3])}" if bad else "")
    if command_summary:
        # A timeout or a command that did not run says more than the counts do.
        summary = f"{command_summary}; {summary}" if cases else command_summary
    return StepResult(status=status, duration_s=time.monotonic() - started, summary=summary[:300],
                      detail=ctx.redactor.text("\n".join(d for d in details if d)), tests=cases)


def _command(ctx: StepContext, command: list[str] | str, timeout: float) -> StepResult:
    argv = command if isinstance(command, list) else ["sh", "-c", command]
    db = ctx.env.database
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    if ctx.app_url:
        env["APP_URL"] = ctx.app_url
    if db:
        env["DATABASE_URL"] = db.url_host
        if db.ca_cert_path:
            env["PGSSLROOTCERT"] = str(db.ca_cert_path)
    with tempfile.TemporaryDirectory(prefix="parity-smoke-") as tmp:
        junit = Path(tmp) / "junit.xml"
        if _is_pytest(argv):
            argv = [*argv, f"--junitxml={junit}", "-p", "no:cacheprovider"]
        lines: list[tuple[float, str]] = []
        try:
            process = spawn(argv, ctx.project_root, env)
        except FileNotFoundError:
            message = f"smoke command not found on this machine: {argv[0]}"
            return StepResult(status="error", summary=message, detail=message)
        code = collect_output(process, lines, timeout, ctx)
        output = ctx.redactor.text("\n".join(line for _, line in lines))
        tests = _junit_cases(junit, ctx) if junit.is_file() else []
    if code is None:
        return StepResult(status="failed", summary=f"smoke tests timed out after {timeout:.0f}s",
                          detail=f"timed out after {timeout:.0f}s\n{tail(output)}", tests=tests)
    if not tests:
        name = "smoke command"
        tests = [TestCase(id=name, outcome="passed" if code == 0 else "failed",
                          message="" if code == 0 else key_line(output))]
    return StepResult(status="ok" if code == 0 else "failed", detail=tail(output, 30), tests=tests)


def _is_pytest(argv: list[str]) -> bool:
    names = [Path(a).name for a in argv[:3]]
    return "pytest" in names or "py.test" in names


def _junit_cases(path: Path, ctx: StepContext) -> list[TestCase]:
    cases: list[TestCase] = []
    for case in ET.parse(path).getroot().iter("testcase"):
        name = f"{case.get('classname', '')}::{case.get('name', '')}".strip(":")
        outcome = "passed"
        message = ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[child.tag]
                # The message attribute is the assertion in one line; the text is the traceback.
                headline = (child.get("message") or "").strip()
                body = tail((child.text or "").strip(), 12)
                message = f"{headline}\n{body}" if headline else body
        cases.append(TestCase(id=name, outcome=outcome,  # type: ignore[arg-type]
                              duration_s=float(case.get("time") or 0.0),
                              message=ctx.redactor.text(message.strip())))
    return cases


def _http_check(ctx: StepContext, check: HttpCheck) -> TestCase:
    url = f"{ctx.app_url}{check.path}"
    started = time.monotonic()
    request = urllib.request.Request(url, method=check.method.upper())
    try:
        with urllib.request.urlopen(request, timeout=check.timeout) as response:  # noqa: S310 - loopback
            status, body = int(response.status), response.read(2000)
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read(2000)
    except (OSError, ValueError) as exc:
        return TestCase(id=f"http:{check.name}", outcome="failed", duration_s=time.monotonic() - started,
                        message=f"{check.method} {check.path}: {getattr(exc, 'reason', exc)}")
    ok = status == check.expect_status
    message = "" if ok else f"{check.method} {check.path} -> {status}, expected {check.expect_status}\n" \
                            f"{ctx.redactor.text(body.decode(errors='replace'))[:500]}"
    return TestCase(id=f"http:{check.name}", outcome="passed" if ok else "failed",
                    duration_s=time.monotonic() - started, message=message)
