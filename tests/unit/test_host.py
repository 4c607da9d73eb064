"""Host commands run as the user's shell would run them: their PATH, or the profile's virtualenv first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from parity.env.host import HostCommand, LineSplitter, find_program, user_environment
from parity.errors import UsageError
from parity.profile.models import HostSpec

SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


@pytest.fixture(scope="module")
def app_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv of the app's own (not parity's), with a tool only it has."""
    root = tmp_path_factory.mktemp("app")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / ".venv")], check=True, timeout=60)
    tool = root / ".venv" / "bin" / "app-tool"
    tool.write_text("#!/bin/sh\necho app-tool ran\n")
    tool.chmod(0o755)
    return root


def test_without_a_venv_the_callers_path_is_used_exactly_as_given(tmp_path: Path) -> None:
    env = user_environment(None, tmp_path, base={"PATH": SYSTEM_PATH, "HOME": "/root"})
    assert env == {"PATH": SYSTEM_PATH, "HOME": "/root"}


def test_the_profiles_venv_goes_first_and_its_python_runs_the_command(app_venv: Path) -> None:
    env = user_environment(HostSpec(venv=".venv"), app_venv, base={"PATH": SYSTEM_PATH})
    assert env["PATH"].split(os.pathsep)[0] == str(app_venv / ".venv" / "bin")
    assert env["VIRTUAL_ENV"] == str(app_venv / ".venv")
    finished = HostCommand(["python", "-c", "import sys; print(sys.prefix)"], app_venv, env, 30).run()
    assert finished.code == 0 and finished.text.strip() == str(app_venv / ".venv")


def test_programs_are_found_with_the_users_path_not_paritys(app_venv: Path) -> None:
    # parity's own process may well have app-tool nowhere on its PATH: the lookup uses the command's env.
    env = user_environment(HostSpec(venv=".venv"), app_venv, base={"PATH": SYSTEM_PATH})
    assert find_program("app-tool", env, app_venv) == str(app_venv / ".venv" / "bin" / "app-tool")
    assert HostCommand(["app-tool"], app_venv, env, 30).run().text == "app-tool ran"
    bare = user_environment(None, app_venv, base={"PATH": SYSTEM_PATH})
    missing = HostCommand(["app-tool"], app_venv, bare, 30).run()
    assert missing.code == 127 and missing.not_found == "app-tool"


def test_a_venv_that_is_not_a_virtualenv_is_a_profile_mistake(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not a virtualenv"):
        user_environment(HostSpec(venv=".venv"), tmp_path)


def test_a_command_is_killed_at_its_timeout_with_what_it_printed(tmp_path: Path) -> None:
    finished = HostCommand(["sh", "-c", "echo started; sleep 30"], tmp_path, {"PATH": SYSTEM_PATH}, 0.5).run()
    assert finished.code is None and finished.text == "started"


def test_a_line_starts_when_its_first_byte_arrives() -> None:
    splitter = LineSplitter()
    splitter.feed(b"first\n  Applying a.0001...", 1.0)
    splitter.feed(b" OK\r\nlast", 3.5)
    lines = splitter.close(4.0)
    assert [(line.started, line.ended, line.text) for line in lines] == [
        (1.0, 1.0, "first"), (1.0, 3.5, "  Applying a.0001... OK"), (3.5, 4.0, "last")]
