"""Drift: the keys where a profile and the manifest it was imported from disagree, with both values."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

import yaml

from parity.manifests.mapping import ManifestMapping, Mapped
from parity.profile.models import Profile
from parity.profile.units import format_duration, format_size

_SIZES = {"app.memory"}
_DURATIONS = {"app.shutdown.termination_grace_period", "app.startup_probe.initial_delay",
              "app.startup_probe.period", "app.startup_probe.timeout"}


@dataclass(frozen=True)
class Drift:
    """One key where the profile and the manifest disagree."""

    key: str
    profile: str
    manifest: str
    source: str  # the manifest field

    def __str__(self) -> str:
        return f"{self.key}: profile {self.profile}, manifest {self.manifest} ({self.source})"


def drift(profile: Profile, mapping: ManifestMapping) -> list[Drift]:
    """Every mapped key whose value in the profile (extends applied, defaults filled) differs."""
    data = profile.model_dump(mode="json")
    found: list[Drift] = []
    for item in mapping.profile_keys():
        if item.dotted == "app.image" and _at(data, ("app", "build")):
            continue  # the profile builds the app: the image production runs is not compared
        ours, theirs = _effective(item, data, mapping)
        if _normal(item.dotted, ours) != _normal(item.dotted, theirs):
            found.append(Drift(item.dotted, _shown(item.dotted, ours), _shown(item.dotted, theirs), item.source))
    return found


def _effective(item: Mapped, data: dict[str, object], mapping: ManifestMapping) -> tuple[object, object]:
    """(profile's, manifest's) value of a key, each with the default that applies when unset."""
    key = item.dotted
    ours = _at(data, item.key)
    theirs = item.value
    if key == "app.replicas":  # unset is one container
        return ours or 1, theirs or 1
    if key == "app.startup_probe.port":  # unset is the app's port
        return ours or _at(data, ("app", "port")), theirs or mapping.get("app.port") or 8000
    if item.key[:2] == ("secrets", "values"):  # compared: that it exists, and how it is delivered
        delivered = _at(data, ("secrets", "source"))
        ours = None if ours is None else (_at(data, item.key + ("deliver",)) or delivered)
        theirs = theirs.get("deliver") if isinstance(theirs, dict) else theirs
        return (f"delivered as {ours}" if ours else None), f"delivered as {theirs}"
    return ours, theirs


def _at(data: object, path: tuple[str, ...]) -> object:
    for part in path:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _normal(key: str, value: object) -> object:
    if key.endswith("command") and isinstance(value, str):  # a command as a string is its words
        return shlex.split(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def _shown(key: str, value: object) -> str:
    if value is None:
        return "not set"
    if key in _SIZES and isinstance(value, int):
        return f"{format_size(value)} ({value:,} bytes)"
    if key in _DURATIONS and isinstance(value, int | float):
        return format_duration(float(value))
    if key.endswith("command") and isinstance(value, str):
        value = shlex.split(value)
    return yaml.safe_dump(value, default_flow_style=True, width=1 << 20).split("\n...")[0].strip()
