"""The pytest plugin (entry point `parity`): `pytest --parity-profile prod` runs the session
against that profile's environment, up once per session (per worker under pytest-xdist) and
removed at its end, after a failure, `-x` or Ctrl-C too.

Its variables (DATABASE_URL, PGSSLROOTCERT under TLS, database.env, app.env, APP_URL, the
secrets) are exported for the session, so a suite that reads DATABASE_URL runs unchanged; the
fixtures `parity_env` and `parity_database_url` give them to tests that ask. Without
--parity-profile the plugin does nothing.
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from parity.api import RunningEnvironment

_STATE = pytest.StashKey["_Session"]()


class _Session:
    """The session's environment and what it changed in os.environ."""

    def __init__(self) -> None:
        self.stack = contextlib.ExitStack()
        self.env: RunningEnvironment | None = None
        self.saved: dict[str, str | None] = {}

    def export(self, variables: dict[str, str]) -> None:
        for key, value in variables.items():
            self.saved.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    def close(self) -> None:
        try:
            self.stack.close()
        finally:
            for key, value in self.saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            self.saved.clear()


def pytest_addoption(parser: pytest.Parser) -> None:
    """--parity-profile and --parity-project."""
    group = parser.getgroup("parity", "production-shaped environment (parity)")
    group.addoption("--parity-profile", default=None, metavar="NAME",
                    help="run the session against this parity profile's environment (database, migrations, app)")
    group.addoption("--parity-project", default=".", metavar="DIR",
                    help="the project whose profiles/ holds the profile (default: the current directory)")


def _is_xdist_controller(config: pytest.Config) -> bool:
    # Under pytest-xdist each worker brings its own environment up; the controller runs no test.
    return not hasattr(config, "workerinput") and bool(getattr(config.option, "numprocesses", None))


def pytest_configure(config: pytest.Config) -> None:
    """Check the profile before anything starts: an unknown one is a usage error."""
    name = config.getoption("parity_profile", None)
    if not name:
        return
    from parity.errors import ParityError
    from parity.project import Project

    try:
        Project.at(config.getoption("parity_project")).profile(name)
    except ParityError as exc:
        raise pytest.UsageError(f"--parity-profile {name}: {exc}") from None
    config.stash[_STATE] = _Session()


def pytest_sessionstart(session: pytest.Session) -> None:
    """Bring the environment up before collection, so modules that read DATABASE_URL at import see it."""
    config = session.config
    state = config.stash.get(_STATE, None)
    if state is None or _is_xdist_controller(config):
        return
    from parity.api import environment
    from parity.errors import ParityError, StepFailed

    name = config.getoption("parity_profile")
    reporter = config.pluginmanager.get_plugin("terminalreporter")

    def say(message: str) -> None:
        if reporter is not None and config.getoption("verbose") > 0:
            reporter.write_line(f"parity: {message}")

    if reporter is not None:
        reporter.write_line(f"parity: starting the {name} environment")
    try:
        state.env = state.stack.enter_context(environment(name, config.getoption("parity_project"), say=say))
    except StepFailed as exc:
        state.close()
        pytest.exit(f"parity: {exc}", returncode=pytest.ExitCode.TESTS_FAILED)
    except ParityError as exc:  # no engine, a secret that cannot be read: the session cannot start
        state.close()
        raise pytest.UsageError(f"parity could not start {name}: {exc}") from None
    except BaseException:
        state.close()
        raise
    state.export(state.env.env)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Remove the environment, whatever the outcome."""
    state = session.config.stash.get(_STATE, None)
    if state is not None:
        state.close()


def pytest_report_header(config: pytest.Config) -> str | None:
    """Say which profile the session runs against."""
    name = config.getoption("parity_profile", None)
    return f"parity: profile {name} (project {config.getoption('parity_project')})" if name else None


@pytest.fixture(scope="session")
def parity_env(request: pytest.FixtureRequest) -> RunningEnvironment:
    """The profile's running environment: .database_url, .app_url, .env (what host commands get)."""
    state = request.config.stash.get(_STATE, None)
    if state is None or state.env is None:
        pytest.fail("parity_env needs --parity-profile NAME (the profile whose environment to run against)",
                    pytrace=False)
    return state.env


@pytest.fixture(scope="session")
def parity_database_url(parity_env: RunningEnvironment) -> str:
    """DATABASE_URL of the profile's environment, as seen from this machine."""
    if parity_env.database_url is None:
        pytest.fail(f"profile {parity_env.profile} has no database section", pytrace=False)
    return parity_env.database_url
