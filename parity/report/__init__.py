"""Reports: terminal (rich), JSON, JUnit and Markdown — pure functions of a `RunResult`."""

from __future__ import annotations

from pathlib import Path

from parity.report.json_report import render_json, report_json_schema
from parity.report.junit import render_junit
from parity.report.markdown import render_markdown
from parity.report.redact import Redactor
from parity.report.terminal import render_terminal
from parity.results import RunResult

__all__ = [
    "Redactor",
    "render_json",
    "render_junit",
    "render_markdown",
    "render_terminal",
    "report_json_schema",
    "write_reports",
]


def write_reports(
    result: RunResult,
    *,
    json_path: Path | None = None,
    junit_path: Path | None = None,
    markdown_path: Path | None = None,
    redactor: Redactor,
) -> list[Path]:
    """Redact `result` once, write each requested report (creating directories), return the paths."""
    safe = redactor.result(result)
    renderers = [
        (json_path, render_json),
        (junit_path, render_junit),
        (markdown_path, render_markdown),
    ]
    written: list[Path] = []
    for path, render in renderers:
        if path is None:
            continue
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(safe), encoding="utf-8")
        written.append(path)
    return written
