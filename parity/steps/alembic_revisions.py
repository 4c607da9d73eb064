"""Alembic projects: the revisions in upgrade order, and a command that applies them one at a time."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

MARK = "@@parity-revision"


@dataclass(frozen=True)
class RevisionInfo:
    """A revision id and the first line of its docstring."""

    id: str
    description: str


def alembic_target(command: list[str]) -> tuple[int, str | None] | None:
    """For `alembic [-c ini] upgrade TARGET`: the index of TARGET and the -c ini, else None."""
    if not command or Path(command[0]).name != "alembic" or "upgrade" not in command:
        return None
    index = command.index("upgrade") + 1
    if index >= len(command):
        return None
    ini = None
    for flag in ("-c", "--config"):
        if flag in command[: index - 1]:
            position = command.index(flag)
            ini = command[position + 1] if position + 1 < len(command) else None
    return index, ini


def discover_revisions(ini_path: Path) -> list[RevisionInfo] | None:
    """The revisions from base to head, read with Alembic's own ScriptDirectory (None if unreadable)."""
    if not ini_path.is_file():
        return None
    try:
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        config = Config(str(ini_path))
        location = config.get_main_option("script_location")
        if location and not Path(location).is_absolute():
            config.set_main_option("script_location", str(ini_path.parent / location))
        script = ScriptDirectory.from_config(config)
        if len(script.get_heads()) != 1:
            return None  # several heads: let `upgrade head` report it as the user's tool would
        ordered = list(reversed(list(script.walk_revisions())))
    except Exception:  # noqa: BLE001 - any failure to read the scripts means: run the command as given
        return None
    return [RevisionInfo(rev.revision, (rev.doc or "").strip().splitlines()[0] if rev.doc else "") for rev in ordered]


# One Python process applies the revisions one by one (Python, Alembic and SQLAlchemy start
# once, not once per revision), printing markers between them. argv: ini, revision ids.
_ONE_PROCESS = f"""
import sys, traceback
from alembic import command
from alembic.config import Config
config = Config(sys.argv[1])
for rev in sys.argv[2:]:
    print("{MARK}-start", rev, flush=True)
    try:
        command.upgrade(config, rev)
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        print("{MARK}-failed", rev, 1, flush=True)
        sys.exit(1)
    print("{MARK}-done", rev, flush=True)
"""


def per_revision_command(command: list[str], target_index: int, revisions: list[RevisionInfo]) -> list[str]:
    """argv applying the revisions one at a time with markers between (one process when it can)."""
    loop = _loop_script(command, target_index, revisions)
    ini = _plain_upgrade_ini(command, target_index)
    script, args = loop, []
    if ini is not None:
        # Use the interpreter Alembic is installed for (its script's shebang); otherwise the loop.
        script = (
            'bin=$(command -v alembic) || { echo "alembic: command not found" >&2; exit 127; }; '
            "py=$(sed -n '1s/^#!//p' \"$bin\"); "
            f'case "$py" in *python*) exec $py -c "$0" "$@";; *) {loop};; esac'
        )
        args = [_ONE_PROCESS, ini, *(r.id for r in revisions)]
    # One pipe for everything: a traceback stays before the marker that follows it, even where
    # stdout and stderr are carried apart and their order is lost (docker logs).
    return ["sh", "-c", "exec 2>&1; " + script, *args]


def _plain_upgrade_ini(command: list[str], target_index: int) -> str | None:
    """The ini of `alembic [-c INI] upgrade TARGET` with no other options, else None."""
    if target_index != len(command) - 1:
        return None
    head = command[:target_index]
    if head == ["alembic", "upgrade"]:
        return "alembic.ini"
    if len(head) == 4 and head[0] == "alembic" and head[1] in ("-c", "--config") and head[3] == "upgrade":
        return head[2]
    return None


def _loop_script(command: list[str], target_index: int, revisions: list[RevisionInfo]) -> str:
    """A shell loop running the user's upgrade command once per revision, with markers between."""
    before = shlex.join(command[:target_index])
    after = shlex.join(command[target_index + 1 :])
    ids = " ".join(shlex.quote(r.id) for r in revisions)
    return (
        f"for rev in {ids}; do "
        f'echo "{MARK}-start $rev"; '
        f'{before} "$rev" {after} || {{ code=$?; echo "{MARK}-failed $rev $code"; exit $code; }}; '
        f'echo "{MARK}-done $rev"; '
        "done"
    )
