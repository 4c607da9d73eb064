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


def per_revision_script(command: list[str], target_index: int, revisions: list[RevisionInfo]) -> str:
    """A shell script running the user's upgrade command once per revision, with markers between."""
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
