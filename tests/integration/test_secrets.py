"""A canary secret threaded through every path — app logs, migrations, smoke output, failures —
never appears in the terminal or any report; neither do the database passwords parity generated."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import parity_resources
from tests.integration.projects import make_project, parity_cli

CANARY = "canary-9d2e71-do-not-print"
# The app prints DATABASE_URL: whatever parity generated as the password must be masked there.
UNMASKED_URL = re.compile(r"postgresql://app:(?!\*\*\*@)[^@\s]+@")


def profile(source: str, ssl: str) -> str:
    return (
        f"database: {{version: '15', ssl: {ssl}, superuser: false}}\n"
        "app: {build: app, env: {SCENARIO: leaky-log}, startup_probe: {tcp: true, period: 1s, failure_threshold: 5}}\n"
        f"secrets: {{source: {source}, values: {{SECRET_KEY: {{env: CANARY_SECRET}}}}}}\n"
        "migrations: {command: [python, scripts/leak_secret.py], run_in: host}\n"
        "smoke: {command: [python, scripts/leak_secret.py]}\n"
    )


def test_a_canary_secret_appears_in_no_output_and_no_report(docker_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = make_project(tmp_path / "p", {"local": profile("env", "off"), "prod": profile("files", "required")})
    result = parity_cli(
        ["run", "--profile", "prod", "--json", "r.json", "--junit", "r.xml", "--markdown", "r.md"],
        cwd=project, env={"CANARY_SECRET": CANARY},
    )
    assert result.returncode == 1, result.stderr  # every step fails on both sides: not parity
    outputs = {
        "stdout": result.stdout, "stderr": result.stderr,
        **{name: (project / name).read_text() for name in ("r.json", "r.xml", "r.md")},
    }
    # The evidence is there (so redaction, not absence, is what is being tested)...
    assert "SECRET_KEY=***" in outputs["r.json"] and "CANARY=***" in outputs["r.json"]
    assert "DATABASE_URL=postgresql://app:***@" in outputs["r.json"]
    for name, text in outputs.items():
        assert CANARY not in text, f"the canary leaked into {name}"
        assert not UNMASKED_URL.search(text), f"a database password leaked into {name}"
    assert not parity_resources(docker_client, project)
