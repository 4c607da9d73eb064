"""Migrations rehearsed like a deploy: the lock monitor watching, and the profile's traffic running,
while the migrations under test run; then each revision's measures."""

from __future__ import annotations

import re
import time
from types import TracebackType

from parity.env.host import Line
from parity.env.monitor import LockMonitor
from parity.env.traffic import Traffic
from parity.migrate.alembic_revisions import MARK
from parity.migrate.job import Job
from parity.migrate.measure import Window, measure
from parity.profile.models import TrafficSpec
from parity.profile.units import format_duration
from parity.results import Measures, StepResult

# Django's "  Applying app.0002_x..." and its " OK" (the migrations of other tools: no boundaries).
_BOUNDARY = re.compile(r"^\s*Applying \S+\.\.\.|^\s*(OK|FAKED)\b")
# Traffic runs a little before the migrations start, so queries are in flight when they do.
WARM_UP_S = 0.3


class Rehearsal:
    """A context around the migrations command: monitor and traffic from entry to exit."""

    def __init__(self, job: Job, traffic: TrafficSpec | None, timeout: float) -> None:
        self.job, self.spec = job, traffic
        self.monitor = LockMonitor(job.database, job.stopped)
        self.traffic = Traffic(job.database, traffic, deadline_s=timeout + 10, stopped=job.stopped) if traffic else None
        self.started = self.ended = 0.0

    def __enter__(self) -> Rehearsal:
        self.monitor.start()
        spec = self.spec
        if self.traffic is not None and spec is not None:
            held = f", ACCESS SHARE held on {', '.join(spec.hold)} for {format_duration(spec.hold_for)}" if spec.hold else ""
            sent = f"{spec.rate:g}/s over {spec.connections} connections" if spec.sql else "no statements"
            self.job.say(f"traffic: {sent}{held}")
            self.traffic.start()
            time.sleep(WARM_UP_S)
        self.started = time.time()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.ended = time.time()
        if self.traffic is not None:
            self.traffic.stop()
        self.monitor.stop()

    def on_line(self, line: Line) -> None:
        """A line of the migrations' output: at a revision's start or end, look at the server now,
        so what changed is attributed to the revision that changed it."""
        if line.text.startswith(MARK) or _BOUNDARY.match(line.text):
            self.monitor.look_now()

    def apply(self, result: StepResult) -> None:
        """Put each revision's measures on the result (the step's own, without revisions)."""
        windows = [Window(r.id, *r._window) for r in result.revisions if r._window is not None]
        step_only = not windows
        if step_only:
            windows = [Window("migrations", self.started, self.ended)]
        queries = self.traffic.queries if self.traffic is not None else []
        default = self.monitor.lock_timeout
        if not self.monitor.counts_statements and default in ("0", "0ms"):
            default = None  # no default, and no way to see a revision set one: unknown
        measured = measure(self.monitor.samples, windows, queries, traffic=self.traffic is not None,
                           lock_timeout=default)
        for revision in result.revisions:
            revision.measures = measured.get(revision.id)
        facts: dict[str, object] = {"samples": len(self.monitor.samples)}
        if self.monitor.error:
            facts["monitor_error"] = self.job.redactor.text(self.monitor.error)
        if self.traffic is not None:
            report = self.traffic.report
            facts["traffic"] = {"sent": report.sent, "errors": report.errors, "held": report.held,
                                "hold_s": report.hold_s, "duration_s": report.duration_s,
                                "setup_error": self.job.redactor.text(report.setup_error)}
        if step_only:
            facts["measures"] = measured["migrations"].model_dump()
        result.facts["rehearsal"] = facts
        worst = _worst(result, measured)
        if worst:
            result.summary = f"{result.summary}; {worst}"[:300]


def _worst(result: StepResult, measured: dict[str, Measures]) -> str:
    """The revision that blocked longest, in a few words."""
    if not measured:
        return ""
    name, measures = max(measured.items(), key=lambda item: item[1].blocking_s)
    if measures.blocking_s <= 0:
        return ""
    what = "traffic blocked" if measures.blocking_basis == "traffic" else "writes blocked"
    where = "" if name == "migrations" else f" by {name}"
    return f"{what} up to {measures.blocking_s:.2f}s{where}"
