"""One hierarchy of user-facing failures; the CLI maps each to its exit code."""

from __future__ import annotations


class ParityError(Exception):
    """A failure a user can act on: what is wrong (message) and what to do (fix)."""

    exit_code = 2

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return self.message if not self.fix else f"{self.message}\n  fix: {self.fix}"


class UsageError(ParityError):
    """Bad command-line use or a missing project file (exit 2)."""

    exit_code = 2


class ProfileError(ParityError):
    """A profile that cannot be loaded: bad YAML, unknown key, wrong type, missing extends (exit 2)."""

    exit_code = 2


class EnvError(ParityError):
    """The machine cannot do what was asked: no Docker engine, image unavailable (exit 3)."""

    exit_code = 3


class StepFailed(ParityError):
    """A step an environment needs (database, data, migrations, startup) failed where nothing is
    compared (`parity.environment`, the pytest plugin): the step's own words (exit 1)."""

    exit_code = 1


class ImageLacks(EnvError):
    """The profile's image cannot make what the profile asks for (a locale it does not have): no
    result of the profile, the run stops (exit 3)."""


class Cancelled(BaseException):
    """The run is being torn down (Ctrl-C, SIGTERM): stop creating things and unwind.

    A BaseException, like KeyboardInterrupt, so that a step's `except Exception` cannot swallow it.
    """
