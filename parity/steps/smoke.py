"""Step 4: smoke tests on this machine against the running app, and declarative HTTP checks."""

from __future__ import annotations

import contextlib
import html
import re
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from parity.env.answered_by import annotate
from parity.env.balancer import CHECK_HEADER
from parity.env.host import HostCommand, Line, shared_file_lock
from parity.evidence import error_line, excerpt, key_line, tail
from parity.profile.models import HttpCheck
from parity.results import Status, StepResult, TestCase
from parity.steps import StepContext

# The balancer's log reaches the engine a moment after the response reaches the client.
LOG_SETTLE = 0.2


def run_smoke(ctx: StepContext) -> StepResult:
    """Run smoke.command (per-test results for pytest) and smoke.http checks."""
    spec = ctx.profile.smoke
    if spec is None:
        return StepResult(status="skipped", summary="no smoke tests in this profile")
    app = ctx.app
    if ctx.profile.app and (app is None or app.url is None):
        return StepResult(status="skipped", summary="the app never started: no smoke tests run")
    started = time.monotonic()
    since = time.time()
    cases: list[TestCase] = []
    details: list[str] = []
    command_summary = ""
    facts: dict[str, Any] = {}
    failed = errored = False
    failover_said = ""
    if _fails_over(ctx):
        # The server goes away and comes back first; the suite then runs against what is left.
        failover_said, facts = _failover(ctx, started)
        failed = bool(facts.get("failover_not_recovered"))
        if failed:
            details.append(f"after the database failover: {failover_said}")
    # Declarative checks first: they are quick, and a suite that crashes the app must not
    # turn them into failures of their own.
    for check in spec.http:
        case = _http_check(ctx, check)
        cases.append(case)
        failed |= case.outcome != "passed"
    if spec.command is not None:
        outcome = _command(ctx, spec.command, spec.timeout)
        command_summary = outcome.summary
        facts.update(outcome.facts)
        cases += outcome.tests
        details.append(outcome.detail)
        failed |= outcome.status == "failed"
        errored |= outcome.status == "error"
    if app is not None and app.balancer is not None:
        time.sleep(LOG_SETTLE)
        cases, balanced = annotate(cases, app.balancer.requests(since), len(app.replicas))
        facts.update(balanced)
    bad = [c for c in cases if c.outcome in ("failed", "error")]
    status: Status = "error" if errored else "failed" if failed else "ok"
    summary = outcome_counts(cases) + (f": {', '.join(c.id for c in bad[:3])}" if bad else "")
    if command_summary:
        # A timeout or a command that did not run says more than the counts do.
        summary = f"{command_summary}; {summary}" if cases else command_summary
    if failover_said:
        summary = f"{failover_said}; {summary}"
    if facts.get("failed_requests"):
        details.append("requests that failed at the load balancer:\n  " + "\n  ".join(facts["failed_requests"]))
    return StepResult(status=status, duration_s=time.monotonic() - started, summary=summary[:300],
                      detail=ctx.redactor.text("\n".join(d for d in details if d)), tests=cases, facts=facts)


def outcome_counts(cases: list[TestCase]) -> str:
    """`3 passed, 1 failed, 2 errors, 1 skipped`: the outcomes as the test runner names them
    (JUnit's <failure> is a failed assertion, its <error> a test that could not run, such as a
    fixture's setup)."""
    count = {outcome: sum(c.outcome == outcome for c in cases) for outcome in ("passed", "failed", "error", "skipped")}
    words = [f"{count['passed']} passed"]
    words += [f"{count['failed']} failed"] if count["failed"] else []
    words += [f"{count['error']} error" + ("s" if count["error"] > 1 else "")] if count["error"] else []
    words += [f"{count['skipped']} skipped"] if count["skipped"] else []
    return ", ".join(words)


def _fails_over(ctx: StepContext) -> bool:
    """Whether the profile's database fails over during this step."""
    spec = ctx.profile.database
    return spec is not None and spec.failover is not None and spec.failover.at == "smoke" \
        and ctx.env.database is not None and ctx.env.database.container_id is not None


def _failover(ctx: StepContext, started: float) -> tuple[str, dict[str, Any]]:
    """The database fails over while the app's checks loop against it: a sentence and the facts."""
    from parity.env import failover
    from parity.env.app_requests import Target, loop_requests

    spec = ctx.profile.database.failover if ctx.profile.database else None
    db = ctx.env.database
    assert spec is not None and db is not None
    app = ctx.app
    target = None
    if app is not None and app.url:
        address = urllib.parse.urlsplit(app.url)
        target = Target(address.hostname or "127.0.0.1", address.port or 80)
    ctx.say(f"failover in {spec.after:g}s: the database goes away for {spec.downtime:g}s")
    timeline, recovery = failover.ride_out(failover.Failover(ctx.client, db, spec, ctx.env.closed), target,
                                           loop_requests(ctx.profile), started)
    said = f"failover at {timeline.cut_s:.1f}s, the server back after {timeline.back_s - timeline.cut_s:.1f}s"
    if recovery is not None:
        said += f", {recovery.failed_during} of {recovery.sent} requests failed meanwhile; " + (
            f"the app answered again {recovery.recovered_s - timeline.back_s:.1f}s after"
            if recovery.recovered_s is not None else
            f"the app never answered every check again within {failover.RECOVERY_WINDOW:.0f}s"
            + (f" ({recovery.first_error})" if recovery.first_error else ""))
    ctx.say(said)
    return said, failover.facts(spec, timeline, recovery)


def _command(ctx: StepContext, command: list[str] | str, timeout: float) -> StepResult:
    argv = command if isinstance(command, list) else ["sh", "-c", command]
    pattern = ctx.profile.smoke.junit if ctx.profile.smoke else None
    progress: SuiteProgress | None = None
    with tempfile.TemporaryDirectory(prefix="parity-smoke-") as tmp:
        own_junit = Path(tmp) / "junit.xml"
        if pattern is None and _is_pytest(argv):
            argv = [*argv, f"--junitxml={own_junit}", "-p", "no:cacheprovider"]
            if ctx.smoke_until:
                # One line per test as it starts and ends (the last --verbosity given wins over -q):
                # the suite is stopped once every wanted test has been followed by another.
                progress = SuiteProgress(ctx.smoke_until)
                argv.append("--verbosity=1")
        host = HostCommand(argv, ctx.project_root, ctx.host_environment(), timeout)
        # Both profiles run their suites at once, and a runner writing smoke.junit writes the
        # same files for both: one suite at a time per file, each read right after it ran.
        with shared_file_lock(f"{ctx.project_root.resolve()}|{pattern}") if pattern else contextlib.nullcontext():
            finished = host.run(ctx.env, enough=progress)
            files = [own_junit] if own_junit.is_file() else _written_since(ctx.project_root, pattern, finished.started)
            tests = [case for path in files for case in _junit_cases(path, ctx)]
    if finished.not_found:
        message = f"smoke command not found on this machine: {finished.not_found}"
        return StepResult(status="error", summary=message, detail=message)
    output = ctx.redactor.text(finished.text)
    if finished.interrupted and progress is not None:
        return _stopped(progress, tests, output)
    code = finished.code
    if code is None:
        return StepResult(status="failed", summary=f"smoke tests timed out after {timeout:.0f}s",
                          detail=f"timed out after {timeout:.0f}s\n{excerpt(output)}", tests=tests,
                          facts={"timed_out": True})
    summary = ""
    if pattern and not tests:
        summary = f"no JUnit XML written to {pattern} (smoke.junit): one result for the whole command"
    if not tests:
        tests = [TestCase(id="smoke command", outcome="passed" if code == 0 else "failed",
                          message="" if code == 0 else key_line(output))]
    elif code != 0 and not any(c.outcome in ("failed", "error") for c in tests):
        # The runner failed without a failing test (a crash, a suite that did not load): say so.
        tests.append(TestCase(id="smoke command", outcome="failed", message=f"exit {code}: {key_line(output)}"))
    return StepResult(status="ok" if code == 0 else "failed", summary=summary,
                      detail=tail(output, 30) if code == 0 else excerpt(output, 30), tests=tests)


def _stopped(progress: SuiteProgress, tests: list[TestCase], output: str) -> StepResult:
    """A suite stopped once the wanted tests had reported: the tests that ran to their end (the
    one interrupted is left out), failed if one of them did."""
    kept = [case for case in tests if case.id in progress.finished]
    failed = any(case.outcome in ("failed", "error") for case in kept)
    return StepResult(status="failed" if failed else "ok",
                      summary=f"stopped after {len(kept)} tests, once the {len(progress.wanted)} wanted had run",
                      detail=excerpt(output, 30) if failed else tail(output, 30), tests=kept,
                      facts={"stopped_after": sorted(progress.wanted)})


# A test's line in pytest's verbose output starts with its node id (path.py::name, a class's
# name between), then its outcome; the test running now has its id alone on the last line.
_NODE_ID = re.compile(r"^(\S+?\.py::\S+)(?:\s|$)")


def junit_id(node_id: str) -> str:
    """The id a pytest node id gets in pytest's JUnit XML (classname::name): the path dotted
    without .py, a class's name joined to it, parameters kept as written."""
    path, bracket, params = node_id.partition("[")
    names = path.split("::")
    names[0] = re.sub(r"\.py$", "", names[0].replace("/", "."))
    names[-1] += bracket + params
    return f"{'.'.join(names[:-1])}::{names[-1]}"


class SuiteProgress:
    """Which tests pytest's verbose output shows as over: a test is over, teardown included, once
    the next one has started (its id is printed before it runs). Enough once every wanted test is."""

    def __init__(self, wanted: frozenset[str]) -> None:
        self.wanted = wanted
        self.started: dict[str, None] = {}  # JUnit ids, in the order the tests started
        self._read = 0

    @property
    def finished(self) -> set[str]:
        """Every test that started and was followed by another."""
        return set(list(self.started)[:-1])

    def __call__(self, lines: list[Line], unfinished: str) -> bool:
        for line in lines[self._read:]:
            self._note(line.text)
        self._read = len(lines)
        if unfinished.endswith(" "):  # the id is printed whole, then a space, as the test starts
            self._note(unfinished)
        return self.wanted <= self.finished

    def _note(self, text: str) -> None:
        found = _NODE_ID.match(text)
        if found:
            self.started.setdefault(junit_id(found.group(1)), None)


def _written_since(root: Path, pattern: str | None, since: float) -> list[Path]:
    """The files matching smoke.junit that this run wrote (older ones are a previous run's)."""
    if not pattern:
        return []
    base = Path(pattern) if Path(pattern).is_absolute() else root / pattern
    matches = sorted(Path(base.anchor).glob(str(base.relative_to(base.anchor))))
    return [p for p in matches if p.is_file() and p.stat().st_mtime >= since - 1.0]


def _is_pytest(argv: list[str]) -> bool:
    names = [Path(a).name for a in argv[:3]]
    return "pytest" in names or "py.test" in names


# An entity reference left in an attribute after XML parsing: the reporter escaped it twice
# (Node 20's junit reporter writes a quote in a failure message as &amp;quot;).
_ESCAPED_TWICE = re.compile(r"&(?:quot|amp|lt|gt|apos|#\d{1,7});")


def _entities_once_more(text: str) -> str:
    return html.unescape(text) if _ESCAPED_TWICE.search(text) else text


def _junit_cases(path: Path, ctx: StepContext) -> list[TestCase]:
    """Test cases of a JUnit XML file, whichever runner wrote it (unreadable: none)."""
    cases: list[TestCase] = []
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError):
        return cases
    for case in root.iter("testcase"):
        name = f"{case.get('classname', '')}::{case.get('name', '')}".strip(":")
        outcome = "passed"
        message = ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[child.tag]
                # The message attribute is the assertion in one line; the text is the traceback.
                # The message leads with the error line (pytest's E line, a traceback's last,
                # Node's `Error:`), which the report's row and evidence show first.
                headline = _entities_once_more((child.get("message") or "").strip())
                body = excerpt((child.text or "").strip(), 12)
                lead = error_line(body) or headline
                message = "\n".join(dict.fromkeys(part for part in (lead, headline, body) if part))
        cases.append(TestCase(id=name, outcome=outcome,  # type: ignore[arg-type]
                              duration_s=float(case.get("time") or 0.0),
                              message=ctx.redactor.text(message.strip())))
    return cases


def _http_check(ctx: StepContext, check: HttpCheck) -> TestCase:
    app = ctx.app
    base = app.url if app is not None else None  # no app to reach: the check fails on its URL
    url = f"{base}{check.path}"
    started = time.monotonic()
    request = urllib.request.Request(url, method=check.method.upper())
    if app is not None and app.balancer is not None:
        request.add_header(CHECK_HEADER, f"http:{check.name}")  # the balancer logs who answered it
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
