"""JUnit XML: one suite per profile (steps, revisions, smoke tests) and one for the divergences."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from parity.report.summary import (
    cause_label,
    experiment_line,
    first_line,
    ordered_runs,
    ordered_steps,
    step_names,
)
from parity.results import Divergence, ProfileRun, RunResult

DIVERGENCE_SUITE = "divergences"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
# Characters XML 1.0 cannot carry at all; container logs do contain them (NUL, bell, escapes).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_OUTCOME_TO_TAG = {"failed": "failure", "error": "error", "skipped": "skipped"}


@dataclass
class _Case:
    """One testcase before it becomes XML: what CI dashboards count."""

    classname: str
    name: str
    time: float = 0.0
    outcome: str = "passed"  # passed | failed | error | skipped
    message: str = ""
    body: str = ""
    properties: dict[str, str] = field(default_factory=dict)


@dataclass
class _Suite:
    name: str
    time: float = 0.0
    cases: list[_Case] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)

    def count(self, outcome: str) -> int:
        return sum(1 for c in self.cases if c.outcome == outcome)


def render_junit(result: RunResult) -> str:
    """The run as JUnit XML, for CI test dashboards."""
    suites = [_profile_suite(run, step_names(result)) for run in ordered_runs(result)]
    suites.append(_divergence_suite(result))
    root = ET.Element("testsuites", {"name": "parity", **_counts(suites, result.duration_s)})
    for suite in suites:
        root.append(_suite_element(suite))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _profile_suite(run: ProfileRun, names: list[str]) -> _Suite:
    suite = _Suite(name=run.name, time=run.duration_s)
    if run.description:
        suite.properties["description"] = run.description
    for step_name, step in ordered_steps(run, names):
        suite.cases.append(
            _Case(
                classname=f"{run.name}.steps",
                name=step_name,
                time=step.duration_s,
                outcome="passed" if step.status == "ok" else step.status,
                message=step.summary or step.status,
                body=step.detail,
            )
        )
        for rev in step.revisions:
            name = f"{rev.id} {rev.description}".strip()
            suite.cases.append(
                _Case(
                    classname=f"{run.name}.migrations",
                    name=name,
                    time=rev.duration_s,
                    outcome="passed" if rev.status == "ok" else rev.status,
                    message=first_line(rev.error) or rev.status,
                    body=rev.error,
                )
            )
        for test in step.tests:
            suite.cases.append(
                _Case(
                    classname=f"{run.name}.smoke",
                    name=test.id,
                    time=test.duration_s,
                    outcome=test.outcome,
                    message=first_line(test.message) or test.outcome,
                    body=test.message,
                )
            )
    return suite


def _divergence_suite(result: RunResult) -> _Suite:
    suite = _Suite(
        name=DIVERGENCE_SUITE,
        properties={
            "verdict": result.verdict,
            "baseline": result.baseline,
            "target": result.target,
            "parity_version": result.parity_version,
        },
    )
    for div in result.divergences:
        message = (
            f"{result.baseline}: {div.baseline} | {result.target}: {div.target}"
            f" | cause: {cause_label(div)}"
        )
        case = _divergence_case("divergence", div, message)
        case.body = "\n\n".join(part for part in (div.detail, _cause_body(div, result)) if part)
        case.properties = {"cause": div.cause or "", "cause_confidence": div.cause_confidence}
        suite.cases.append(case)
    for fail in result.failures:
        message = (
            f"failed on both profiles — {result.baseline}: {fail.baseline}"
            f" | {result.target}: {fail.target}"
        )
        suite.cases.append(_divergence_case("failed-on-both", fail, message))
    if not suite.cases:
        # A green testcase so dashboards show parity; but an aborted run must not look green.
        ok = result.verdict == "parity"
        suite.cases.append(
            _Case(
                classname=f"{DIVERGENCE_SUITE}.verdict",
                name="parity",
                outcome="passed" if ok else "error",
                message=""
                if ok
                else f"verdict: {result.verdict}: parity could not compare the profiles",
            )
        )
    return suite


def _divergence_case(kind: str, div: Divergence, message: str) -> _Case:
    return _Case(
        classname=f"{DIVERGENCE_SUITE}.{kind}",
        name=f"{div.step}: {div.subject}",
        outcome="failed",
        message=message,
        body=div.detail,
    )


def _cause_body(div: Divergence, result: RunResult) -> str:
    """How the cause was settled, below the evidence: the note, then one line per experiment."""
    lines = [f"cause: {cause_label(div)}" + (f" — {div.cause_note}" if div.cause_note else "")]
    if div.experiments:
        lines.append("experiments:")
        lines += [f"  {experiment_line(e, result.baseline, result.target)}" for e in div.experiments]
    return "\n".join(lines) if div.cause_note or div.experiments else ""


def _suite_element(suite: _Suite) -> ET.Element:
    element = ET.Element(
        "testsuite", {"name": _xml_text(suite.name), **_counts([suite], suite.time)}
    )
    if suite.properties:
        props = ET.SubElement(element, "properties")
        for key, value in suite.properties.items():
            ET.SubElement(props, "property", name=key, value=_xml_text(value))
    for case in suite.cases:
        element.append(_case_element(case))
    return element


def _case_element(case: _Case) -> ET.Element:
    element = ET.Element(
        "testcase",
        classname=_xml_text(case.classname),
        name=_xml_text(case.name),
        time=_time_attribute(case.time),
    )
    if case.properties:
        props = ET.SubElement(element, "properties")
        for key, value in case.properties.items():
            ET.SubElement(props, "property", name=key, value=_xml_text(value))
    tag = _OUTCOME_TO_TAG.get(case.outcome)
    if tag is not None:
        outcome = ET.SubElement(element, tag)
        if case.message:
            outcome.set("message", _xml_text(case.message))
        if case.body and tag != "skipped":
            outcome.text = _xml_text(case.body)
    return element


def _counts(suites: list[_Suite], time: float) -> dict[str, str]:
    return {
        "tests": str(sum(len(s.cases) for s in suites)),
        "failures": str(sum(s.count("failed") for s in suites)),
        "errors": str(sum(s.count("error") for s in suites)),
        "skipped": str(sum(s.count("skipped") for s in suites)),
        "time": _time_attribute(time),
    }


def _time_attribute(value: float) -> str:
    # JUnit's `time` attribute: plain seconds for machines, not a duration for people.
    return f"{max(value, 0.0):.3f}"


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", _ANSI.sub("", text))
