"""Several targets in one report: a run with several --profile, or `parity report merge` of the
reports a CI matrix wrote on several machines. The JSON holds one SPEC report per target under
"targets"; Markdown and JUnit put each target's after the other."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from pydantic import ValidationError

from parity import __version__
from parity.errors import UsageError
from parity.report.json_report import render_json
from parity.report.junit import render_junit
from parity.report.markdown import render_markdown
from parity.results import RunResult, Verdict

# The worst verdict wins: a target parity could not run outweighs a divergence, which outweighs parity.
_SEVERITY: dict[Verdict, int] = {"parity": 0, "divergent": 1, "error": 2}


def worst_verdict(results: list[RunResult]) -> Verdict:
    """The verdict of several targets together: the worst of theirs."""
    return max((r.verdict for r in results), key=_SEVERITY.__getitem__, default="parity")


def exit_code(results: list[RunResult]) -> int:
    """The exit code of several targets together: the worst target's."""
    worst = max(results, key=lambda r: _SEVERITY[r.verdict], default=None)
    return worst.exit_code if worst is not None else 0


def render_json_many(results: list[RunResult]) -> str:
    """One report per target under "targets" (a single target keeps the SPEC's shape)."""
    if len(results) == 1:
        return render_json(results[0])
    document = {
        "parity_version": __version__,
        "verdict": worst_verdict(results),
        "baselines": sorted({r.baseline for r in results}),
        "targets": {r.target: r.to_json_dict() for r in results},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_markdown_many(results: list[RunResult]) -> str:
    """Each target's Markdown report in turn, under a line with the overall verdict."""
    if len(results) == 1:
        return render_markdown(results[0])
    verdict = worst_verdict(results)
    names = ", ".join(f"`{r.target}`" for r in results)
    head = f"# parity: {len(results)} targets ({names}), overall verdict: **{verdict}**"
    return "\n\n".join([head, *(render_markdown(r).rstrip("\n") for r in results)]) + "\n"


def render_junit_many(results: list[RunResult]) -> str:
    """Every target's suites in one <testsuites>, each suite's name prefixed by its target."""
    if len(results) == 1:
        return render_junit(results[0])
    root = ET.Element("testsuites", {"name": "parity"})
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    seconds = 0.0
    for result in results:
        for suite in ET.fromstring(render_junit(result)):
            suite.set("name", f"{result.target}/{suite.get('name', '')}")
            for key in totals:
                totals[key] += int(suite.get(key, "0"))
            root.append(suite)
        seconds += result.duration_s
    root.attrib.update({key: str(value) for key, value in totals.items()} | {"time": f"{seconds:.3f}"})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def load_reports(paths: list[Path]) -> list[RunResult]:
    """The runs in parity JSON reports (each a single target's, or several under "targets")."""
    results: list[RunResult] = []
    for path in paths:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{path}: cannot read it: {exc}", "pass the files `parity run --json` wrote") from None
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path} is not a parity report: not JSON ({exc.msg} at line {exc.lineno})",
                             "pass the files `parity run --json` wrote") from None
        parts = document.get("targets") if isinstance(document, dict) and "targets" in document else {"": document}
        if not isinstance(parts, dict):
            raise UsageError(f"{path} is not a parity report: \"targets\" is not an object",
                             "pass the files `parity run --json` wrote")
        for part in parts.values():
            try:
                results.append(RunResult.model_validate(part))
            except ValidationError as exc:
                problem = exc.errors()[0]
                where = ".".join(str(p) for p in problem["loc"]) or "the top level"
                raise UsageError(f"{path} is not a parity report: {where}: {problem['msg']}",
                                 "pass the files `parity run --json` wrote") from None
    seen: dict[str, int] = {}
    for result in results:
        seen[result.target] = seen.get(result.target, 0) + 1
    twice = sorted(name for name, count in seen.items() if count > 1)
    if twice:
        raise UsageError(f"target {', '.join(twice)} is in more than one report",
                         "merge each target's report once (one per CI matrix job)")
    return results
