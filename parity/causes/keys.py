"""The profile keys two profiles differ on, grouped so keys that only make sense together move
together, and profiles with one group flipped from one side to the other."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from parity.profile.models import Profile

# Not behaviour: what a profile is called and where it came from.
_NOT_KEYS = ("description", "extends")
# Names of what other keys hold: an instance class is its database.memory and max_connections.
_LABELS = frozenset({"database.instance"})
# Keys that only mean something to a Postgres server; on a SQLite file they do nothing.
POSTGRES_ONLY = frozenset({
    "database.version", "database.image", "database.ssl", "database.superuser", "database.memory",
    "database.max_connections", "database.settings", "database.locale", "database.icu_locale",
    "database.pooler", "database.provider", "database.extensions", "database.failover", "database.roles",
})
# Keys that only make sense together. The first key of each is the one a cause is named after
# when it differs (database.version rather than database.image, secrets.source rather than path).
TOGETHER: tuple[tuple[str, ...], ...] = (
    ("database.version", "database.image"),  # the image wins over the version: one choice
    ("secrets.source", "secrets.path"),  # path's meaning (mount point / .env file) depends on source
    ("app.build", "app.image", "app.dockerfile"),  # one of build or image; a Dockerfile only with build
    ("app.read_only", "app.tmpfs"),  # tmpfs mounts are the writable holes of a read-only root
)


@dataclass(frozen=True)
class KeyGroup:
    """Differing profile keys that move together in an experiment, named after the first."""

    keys: tuple[str, ...]

    @property
    def name(self) -> str:
        """The key a cause is named after: database.version for (version, image)."""
        return self.keys[0]

    def __str__(self) -> str:
        return " + ".join(self.keys)


@dataclass(frozen=True)
class Flip:
    """A profile to run in an experiment: the baseline with the target's values of some groups
    (apply), or the target with the baseline's values of one group (revert). `profile` is None
    when the flip cannot be built, and `unbuildable` says why."""

    kind: Literal["apply", "revert"]
    groups: tuple[KeyGroup, ...]
    profile: Profile | None
    unbuildable: str = ""

    @property
    def keys(self) -> list[str]:
        """Every profile key this flip changes."""
        return [key for group in self.groups for key in group.keys]

    @property
    def name(self) -> str:
        """The cause this flip would confirm: one group's name, or two joined by ' + '."""
        return " + ".join(group.name for group in self.groups)


def profile_keys(profile: Profile) -> dict[str, Any]:
    """The profile as SPEC-level keys: `section.key` -> value; a section the profile lacks is
    `section` -> None. Values below that level (a probe's period, one setting) stay inside."""
    data = profile.model_dump(mode="json", exclude=set(_NOT_KEYS))
    keys: dict[str, Any] = {}
    for section, body in data.items():
        if body is None:
            keys[section] = None
        else:
            keys.update({f"{section}.{key}": value for key, value in body.items() if f"{section}.{key}" not in _LABELS})
    return keys


def differing_keys(baseline: Profile, target: Profile) -> set[str]:
    """The profile keys whose values differ between the two profiles and can matter.

    Postgres-only keys do not count between two SQLite profiles; a section present on one side
    only is one key, the section's name.
    """
    left, right = profile_keys(baseline), profile_keys(target)

    def absent(keys: dict[str, Any], section: str) -> bool:
        return section in keys and keys[section] is None

    keys = set()
    for key in left.keys() | right.keys():
        section = key.split(".", 1)[0]
        if absent(left, section) and absent(right, section):
            continue  # neither profile has the section
        if absent(left, section) or absent(right, section):
            keys.add(section)
        elif left.get(key) != right.get(key):
            keys.add(key)
    if _sqlite(baseline) and _sqlite(target):
        keys -= POSTGRES_ONLY
    return keys


def differing_groups(baseline: Profile, target: Profile) -> list[KeyGroup]:
    """The differing keys in groups that move together, in the order the profile lists them.

    When the engines differ, every differing Postgres-only key joins database.engine: on the
    SQLite side they mean nothing, so they can only move with the engine.
    """
    differing = differing_keys(baseline, target)
    together = [tuple(k for k in group if k in differing) for group in TOGETHER]
    if "database.engine" in differing:
        together.append(("database.engine", *sorted(differing & POSTGRES_ONLY, key=_order)))
    groups: list[tuple[str, ...]] = []
    placed: set[str] = set()
    for key in sorted(differing, key=_order):
        if key in placed:
            continue
        members = next((g for g in reversed(together) if key in g), (key,))
        groups.append(members)
        placed.update(members)
    return [KeyGroup(keys) for keys in groups]


def _order(key: str) -> tuple[int, int]:
    """Keys in the order the profile model declares them (sections, then fields)."""
    sections = [name for name in Profile.model_fields if name not in _NOT_KEYS]
    section, _, field = key.partition(".")
    position = sections.index(section) if section in sections else len(sections)
    annotation = Profile.model_fields[section].annotation if section in sections else None
    model = next((a for a in getattr(annotation, "__args__", ()) if hasattr(a, "model_fields")), None)
    fields = list(model.model_fields) if model is not None else []
    return position, (fields.index(field) + 1 if field in fields else 0)


def apply_group(baseline: Profile, target: Profile, *groups: KeyGroup) -> Flip:
    """The baseline with the target's values of these groups (one, or two for a pair)."""
    built = _flip(into=baseline, source=target, keys=[k for g in groups for k in g.keys],
                  into_role="baseline")
    return _as_flip("apply", groups, built)


def revert_group(baseline: Profile, target: Profile, group: KeyGroup) -> Flip:
    """The target with the baseline's values of one group."""
    built = _flip(into=target, source=baseline, keys=list(group.keys), into_role="target")
    return _as_flip("revert", (group,), built)


def _as_flip(kind: Literal["apply", "revert"], groups: tuple[KeyGroup, ...], built: Profile | str) -> Flip:
    if isinstance(built, str):
        return Flip(kind, groups, None, built)
    return Flip(kind, groups, built)


def _flip(*, into: Profile, source: Profile, keys: list[str], into_role: str) -> Profile | str:
    """`into` with `source`'s values of `keys`, validated; or why that profile cannot exist."""
    data = into.model_dump(mode="json", exclude=set(_NOT_KEYS))
    theirs = source.model_dump(mode="json", exclude=set(_NOT_KEYS))
    for key in keys:
        section, _, field = key.partition(".")
        if not field:
            data[section] = copy.deepcopy(theirs.get(section))
            continue
        if data.get(section) is None:
            return f"the {into_role} has no {section} section to set {key} in"
        data[section][field] = copy.deepcopy((theirs.get(section) or {}).get(field))
    other = "target" if into_role == "baseline" else "baseline"
    data["description"] = f"experiment: the {into_role} with the {other}'s {', '.join(keys)}"
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"not a valid profile ({where}: {first['msg']})"
    return _inert(profile, keys) or profile


def _inert(profile: Profile, keys: list[str]) -> str:
    """Why a flipped profile, though valid, could not show what the flip changes (else '')."""
    if _sqlite(profile) and "database.engine" not in keys:
        moot = [key for key in keys if key in POSTGRES_ONLY]
        if moot:
            return f"{', '.join(moot)} has no effect on a sqlite database (only together with database.engine)"
    if profile.migrations and profile.migrations.run_in == "app" and profile.app is None:
        return "migrations run in the app image (run_in: app), and this profile would have no app"
    return ""


def _sqlite(profile: Profile) -> bool:
    """A SQLite file: a database, not a Postgres server."""
    return profile.database is not None and not profile.database.postgres
