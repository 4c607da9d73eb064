"""Alembic projects, however Alembic is invoked (`alembic`, `python -m alembic`, `flask db`): the
revisions an upgrade will apply, in order, and a command that applies them one at a time."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

MARK = "@@parity-revision"

_PYTHON = re.compile(r"^python(\d+(\.\d+)?)?$")
# Options that take a value, before and after the `upgrade` subcommand.
_ALEMBIC_GLOBAL_VALUES = {"-c", "--config", "-n", "--name", "-x"}
_UPGRADE_VALUES = {"--tag", "-d", "--directory", "-x"}


@dataclass(frozen=True)
class RevisionInfo:
    """A revision id, the first line of its docstring, and its script file."""

    id: str
    description: str
    path: str = ""


@dataclass(frozen=True)
class AlembicUpgrade:
    """An upgrade command, split around its target so it can be run once per revision."""

    tool: Literal["alembic", "flask"]
    before: list[str]  # argv before the target
    target: str  # "head" when the command names none (flask db upgrade)
    after: list[str]  # argv after the target
    ini: str | None = None  # alembic: the config file (default alembic.ini)
    directory: str | None = None  # flask db: the migrations directory (default migrations)
    python: str | None = None  # how to run the revisions in one process: "alembic" or an interpreter

    def script_location(self, base: Path) -> Path:
        """The alembic.ini (alembic) or the migrations directory (Flask-Migrate), under `base`."""
        if self.tool == "flask":
            return base / (self.directory or "migrations")
        return base / (self.ini or "alembic.ini")


def parse_upgrade(command: list[str]) -> AlembicUpgrade | None:
    """The upgrade in `alembic [opts] upgrade T`, `python -m alembic ... upgrade T` or
    `flask [opts] db upgrade [opts] [T]`; None for anything else (it runs as given, as one result)."""
    if not command:
        return None
    program = Path(command[0]).name
    if program == "alembic":
        return _alembic(command, 1, "alembic")
    if _PYTHON.match(program) and command[1:3] == ["-m", "alembic"]:
        return _alembic(command, 3, command[0])
    if program == "flask":
        return _flask(command, 1)
    if _PYTHON.match(program) and command[1:3] == ["-m", "flask"]:
        return _flask(command, 3)
    return None


def _alembic(command: list[str], start: int, launcher: str) -> AlembicUpgrade | None:
    ini: str | None = None
    plain = True  # only -c before `upgrade`: the revisions can be applied in one process
    index = start
    while index < len(command) and command[index] != "upgrade":
        word = command[index]
        if not word.startswith("-"):
            return None  # another subcommand (stamp, downgrade, ...)
        if word in ("-c", "--config"):
            ini = command[index + 1] if index + 1 < len(command) else None
        elif word.startswith("--config="):
            ini = word.partition("=")[2]
        else:
            plain = False
        index += 2 if word in _ALEMBIC_GLOBAL_VALUES else 1
    position = _target_position(command, index + 1)
    if index >= len(command) or position is None or "--sql" in command:
        return None  # no upgrade, no target (alembic itself would refuse), or offline SQL
    after = command[position + 1 :]
    return AlembicUpgrade(tool="alembic", before=command[:position], target=command[position], after=after,
                          ini=ini, python=launcher if plain and not after else None)


def _flask(command: list[str], start: int) -> AlembicUpgrade | None:
    for index in range(start, len(command) - 1):
        if command[index] == "db" and command[index + 1] == "upgrade":
            break
    else:
        return None
    if "--sql" in command:
        return None
    directory = None
    for at, word in enumerate(command[index + 2 :], start=index + 2):
        if word in ("-d", "--directory") and at + 1 < len(command):
            directory = command[at + 1]
        elif word.startswith("--directory="):
            directory = word.partition("=")[2]
    target = _target_position(command, index + 2)
    if target is None:
        return AlembicUpgrade(tool="flask", before=list(command), target="head", after=[], directory=directory)
    return AlembicUpgrade(tool="flask", before=command[:target], target=command[target],
                          after=command[target + 1 :], directory=directory)


def _target_position(command: list[str], start: int) -> int | None:
    """The index of the first positional argument from `start` (skipping options and their values)."""
    index = start
    while index < len(command):
        word = command[index]
        if not word.startswith("-"):
            return index
        index += 2 if word in _UPGRADE_VALUES else 1
    return None


def discover_revisions(upgrade: AlembicUpgrade, base: Path) -> list[RevisionInfo] | None:
    """The revisions from base up to the upgrade's target, in the order they apply, read with
    Alembic's own ScriptDirectory (None when they cannot be read: the command runs as given)."""
    path = upgrade.script_location(base)
    try:
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        if upgrade.tool == "flask":
            if not (path / "versions").is_dir():
                return None
            script = ScriptDirectory(str(path))
        else:
            if not path.is_file():
                return None
            config = Config(str(path))
            location = config.get_main_option("script_location")
            if location and not Path(location).is_absolute():
                # Relative to where the command runs (alembic resolves it against the cwd), or %(here)s.
                config.set_main_option("script_location", str(base / location))
            script = ScriptDirectory.from_config(config)
        if upgrade.target == "head" and len(script.get_heads()) != 1:
            return None  # several heads: let `upgrade head` report it as the user's tool would
        ordered = list(reversed(list(script.iterate_revisions(upgrade.target, "base"))))
    except Exception:  # noqa: BLE001 - a target Alembic cannot resolve here (relative, branch@...) runs as given
        return None
    return [RevisionInfo(rev.revision, (rev.doc or "").strip().splitlines()[0] if rev.doc else "", rev.path or "")
            for rev in ordered if rev is not None]


DOWN = "down:"  # a step that downgrades to the revision after it (rollback)

# One Python process applies the revisions one by one (Python, Alembic and SQLAlchemy start
# once, not once per revision), printing markers between them. argv: ini, revision ids (or
# "down:" and the revision to downgrade to).
_ONE_PROCESS = f"""
import sys, traceback
from alembic import command
from alembic.config import Config
config = Config(sys.argv[1])
for rev in sys.argv[2:]:
    print("{MARK}-start", rev, flush=True)
    try:
        if rev.startswith("{DOWN}"):
            command.downgrade(config, rev[len("{DOWN}"):])
        else:
            command.upgrade(config, rev)
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        print("{MARK}-failed", rev, 1, flush=True)
        sys.exit(1)
    print("{MARK}-done", rev, flush=True)
"""


def per_revision_command(upgrade: AlembicUpgrade, revisions: list[RevisionInfo]) -> list[str]:
    """argv applying the revisions one at a time with markers between (one process when it can)."""
    return _steps_command(upgrade, [r.id for r in revisions])


def downgrade_command(upgrade: AlembicUpgrade, target: str) -> list[str]:
    """argv downgrading to `target` (a revision id, or "base"), with markers around it."""
    return _steps_command(upgrade, [DOWN + target])


def _steps_command(upgrade: AlembicUpgrade, steps: list[str]) -> list[str]:
    loop = _loop_script(upgrade, steps)
    script, args = loop, []
    if upgrade.python == "alembic":
        # Use the interpreter Alembic is installed for (its script's shebang); otherwise the loop.
        script = (
            'bin=$(command -v alembic) || { echo "alembic: command not found" >&2; exit 127; }; '
            "py=$(sed -n '1s/^#!//p' \"$bin\"); "
            f'case "$py" in *python*) exec $py -c "$0" "$@";; *) {loop};; esac'
        )
        args = [_ONE_PROCESS, upgrade.ini or "alembic.ini", *steps]
    elif upgrade.python is not None:
        script = f'exec {shlex.quote(upgrade.python)} -c "$0" "$@"'
        args = [_ONE_PROCESS, upgrade.ini or "alembic.ini", *steps]
    # One pipe for everything: a traceback stays before the marker that follows it, even where
    # stdout and stderr are carried apart and their order is lost.
    return ["sh", "-c", "exec 2>&1; " + script, *args]


def _loop_script(upgrade: AlembicUpgrade, steps: list[str]) -> str:
    """A shell loop running the user's upgrade command once per revision (its downgrade for a
    "down:" step), with markers between."""
    before = shlex.join(upgrade.before)
    down = upgrade.before[::-1]
    at = down.index("upgrade") if "upgrade" in down else None
    if at is not None:
        down[at] = "downgrade"
    downgrade = shlex.join(down[::-1])
    after = shlex.join(upgrade.after)
    ids = " ".join(shlex.quote(step) for step in steps)
    return (
        f"for rev in {ids}; do "
        f'echo "{MARK}-start $rev"; '
        f'case "$rev" in {DOWN}*) {downgrade} "${{rev#{DOWN}}}" {after};; *) {before} "$rev" {after};; esac '
        f'|| {{ code=$?; echo "{MARK}-failed $rev $code"; exit $code; }}; '
        f'echo "{MARK}-done $rev"; '
        "done"
    )
