"""Test projects on disk, and the CLI as a subprocess, for the integration tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

APPS = Path(__file__).parent / "apps"
REPO = Path(__file__).resolve().parents[2]
# The test projects' host commands are our own scripts (they need psycopg) and Alembic: they run
# in this test session's virtualenv, named with host.venv as a user names their app's.
TOOLS_VENV = f"host: {{venv: {sys.prefix}}}\n"


def make_project(root: Path, profiles: dict[str, str], sql: dict[str, str] | None = None) -> Path:
    """A project with the tiny app, the test scripts, optional SQL files and the given profiles
    (host commands run in TOOLS_VENV unless a profile says otherwise)."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(APPS / "tiny", root / "app")
    shutil.copytree(APPS / "scripts", root / "scripts")
    (root / "sql").mkdir()
    for name, text in (sql or {}).items():
        (root / "sql" / name).write_text(text)
    (root / "profiles").mkdir()
    for name, text in profiles.items():
        runs_here = "run_in: host" in text or "smoke:" in text
        # Appended: the profile's own lines keep their numbers (errors name them).
        (root / "profiles" / f"{name}.yaml").write_text(text + TOOLS_VENV if runs_here and "host:" not in text else text)
    return root


def started_environment(client: Any, tmp_path_factory: Any, name: str, profile: str) -> Iterator[Any]:
    """A module fixture's environment: the profile's database (and whatever starts with it) up in a
    project of its own; on exit, every container of the environment is gone."""
    from parity.engine import inventory
    from parity.engine import labels as L
    from parity.env.environment import Environment
    from parity.profile.loader import load_profile

    project = tmp_path_factory.mktemp(name)
    (project / "profiles").mkdir()
    (project / "profiles" / f"{name}.yaml").write_text(profile)
    env = Environment(client, load_profile(project / "profiles", name), project)
    with env:
        env.up()
        yield env
    assert not inventory.containers(client, L.label_filter({L.ENV_ID: env.env_id}))


def environments(client: Any, tmp_path_factory: Any, shapes: dict[str, str]) -> Iterator[Callable[[str], Any]]:
    """A module fixture's environments by name (profiles from `shapes`): each started at its first
    use, kept for the module, and stopped at the end (started_environment checks nothing is left)."""
    started: dict[str, Any] = {}
    with contextlib.ExitStack() as stack:
        def environment(name: str) -> Any:
            if name not in started:
                up = contextlib.contextmanager(started_environment)
                started[name] = stack.enter_context(up(client, tmp_path_factory, name, shapes[name]))
            return started[name]
        yield environment


def parity_cli(args: list[str], cwd: Path, env: dict[str, str] | None = None,
               timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run the real CLI to completion."""
    return subprocess.run([sys.executable, "-m", "parity", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=_env(env))


def _env(extra: dict[str, str] | None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO)
    env.update(extra or {})
    return env


class Background:
    """The CLI running in the background, its stderr read line by line (progress is on stderr)."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "parity", *args], cwd=cwd, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(env))
        self.lines: list[str] = []

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_for(self, marker: str, timeout: float = 300) -> str:
        """Read stderr until a line contains the marker; fail with what was seen if it never does."""
        assert self.process.stderr is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line:
                break
            self.lines.append(line.rstrip("\n"))
            if marker in line:
                return line
        raise AssertionError(f"never saw {marker!r}; stderr so far:\n" + "\n".join(self.lines[-40:]))

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def finish(self, timeout: float = 120) -> tuple[int, str, str]:
        """Wait for the exit; returns (code, stdout, all of stderr)."""
        out, err = self.process.communicate(timeout=timeout)
        return self.process.returncode, out, "\n".join(self.lines) + "\n" + err

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def processes_tagged(tag: str) -> list[int]:
    """PIDs of live processes whose command line contains the tag (host commands parity started)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if tag in cmdline and state != "Z" and entry.name != str(os.getpid()):
            pids.append(int(entry.name))
    return pids


def state_dirs_of(pid: int) -> list[Path]:
    """parity's host-side environment directories owned by a process."""
    from parity.engine.cleanup import OWNER_FILE, state_root

    found = []
    root = state_root()
    if root.is_dir():
        for path in root.iterdir():
            owner = path / OWNER_FILE
            if owner.is_file() and f":{pid}:" in owner.read_text():
                found.append(path)
    return found


SIGNALS = {"SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM}
