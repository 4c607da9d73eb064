"""Reports: terminal (rich), JSON, JUnit and Markdown — pure functions of a `RunResult`."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from parity.redact import Redactor
    from parity.report.json_report import render_json, report_json_schema
    from parity.report.junit import render_junit
    from parity.report.markdown import render_markdown
    from parity.report.terminal import render_terminal
    from parity.results import RunResult

# Loaded on first use: `parity up` needs the redactor long before any report (and the terminal
# renderer's rich tables are ~40 ms of its start).
_LAZY = {
    "render_json": "json_report", "report_json_schema": "json_report", "render_junit": "junit",
    "render_markdown": "markdown", "render_terminal": "terminal",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"parity.report.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "ReportFiles",
    "render_json",
    "render_junit",
    "render_markdown",
    "render_terminal",
    "report_json_schema",
    "write_reports",
]


@dataclass(frozen=True)
class ReportFiles:
    """Where to write each report asked for (`--json`, `--junit`, `--markdown`); None: not asked."""

    json: Path | None = None
    junit: Path | None = None
    markdown: Path | None = None


def write_reports(result: RunResult | list[RunResult], files: ReportFiles, *, redactor: Redactor) -> list[Path]:
    """Redact the run (or several targets' runs) once, write each requested report (creating
    directories), return the paths. Several targets: one report per target under "targets"."""
    from parity.report.combined import render_json_many, render_junit_many, render_markdown_many

    safe = [redactor.result(r) for r in (result if isinstance(result, list) else [result])]
    renderers = [
        (files.json, render_json_many),
        (files.junit, render_junit_many),
        (files.markdown, render_markdown_many),
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
