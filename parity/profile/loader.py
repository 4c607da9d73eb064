"""Profiles from YAML: positions for every key, `extends` merged, errors with file:line:col."""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from parity.errors import ProfileError
from parity.profile import providers
from parity.profile.models import Profile

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Position:
    """Where a key was written: file, 1-based line and column."""

    file: Path
    line: int
    column: int

    def __str__(self) -> str:
        return f"{_display(self.file)}:{self.line}:{self.column}"


@dataclass(frozen=True)
class LoadedProfile:
    """A profile with extends applied, and where each of its keys came from."""

    name: str
    profile: Profile
    files: tuple[Path, ...]
    positions: dict[KeyPath, Position] = field(default_factory=dict, compare=False)


def list_profiles(profiles_dir: Path) -> list[str]:
    """Names of the profiles in a directory (profiles/<name>.yaml or .yml)."""
    if not profiles_dir.is_dir():
        return []
    names = {p.stem for p in profiles_dir.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()}
    return sorted(names)


def load_profile(profiles_dir: Path, name: str) -> LoadedProfile:
    """Load one profile, following `extends`, and validate it against the format."""
    layers = _chain(profiles_dir, name, chain=())
    data = _fold(layers)
    positions = {key: at for layer in layers for key, at in layer.positions.items()}
    files = tuple(layer.file for layer in layers)
    data = _with_preset(layers, data, positions)
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(_explain(exc, data, positions, files[-1]), _FIX) from None
    return LoadedProfile(name=name, profile=profile, files=files, positions=positions)


def load_all(profiles_dir: Path) -> tuple[list[LoadedProfile], list[ProfileError]]:
    """Every profile in the directory: the ones that load, and the errors of the others."""
    loaded: list[LoadedProfile] = []
    errors: list[ProfileError] = []
    for name in list_profiles(profiles_dir):
        try:
            loaded.append(load_profile(profiles_dir, name))
        except ProfileError as exc:
            errors.append(exc)
    return loaded, errors


_FIX = "correct the profile (see the profile format in the README, or `parity profiles schema`)"


@dataclass(frozen=True)
class _Layer:
    """One profile file of an `extends` chain: what it says, and where."""

    data: dict[str, Any]
    positions: dict[KeyPath, Position]
    file: Path


def _chain(profiles_dir: Path, name: str, chain: tuple[str, ...]) -> list[_Layer]:
    """The files a profile is made of, the one it extends first (itself last)."""
    if name in chain:
        cycle = " -> ".join((*chain, name))
        raise ProfileError(f"profiles extend each other in a cycle: {cycle}", "remove one `extends`")
    path = _find_file(profiles_dir, name, chain)
    data, positions = parse_yaml(path)
    layer = _Layer(data, positions, path)
    parent = data.get("extends")
    if parent is None:
        return [layer]
    if not isinstance(parent, str) or not parent:
        raise ProfileError(
            f"{positions.get(('extends',), path)}: `extends` takes a profile name, got {parent!r}",
            "write e.g. `extends: base` for profiles/base.yaml",
        )
    return [*_chain(profiles_dir, parent, (*chain, name)), layer]


def _fold(layers: list[_Layer]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for layer in layers:
        merged = _merge(merged, layer.data)
    return merged


def _with_preset(layers: list[_Layer], data: dict[str, Any], positions: dict[KeyPath, Position]) -> dict[str, Any]:
    """The profile with its database.provider's preset laid under the file that names the
    provider: keys set there, or in a profile extending it, win over the preset; keys of the
    profiles it extends do not."""
    database = data.get("database")
    if not isinstance(database, dict):
        return data
    try:
        keys = providers.preset(database)
    except providers.PresetError as exc:
        where = positions.get(("database", exc.key)) or positions.get(("database", "provider"))
        raise ProfileError(f"{where}: {exc.message}" if where else exc.message, exc.fix) from None
    if not keys:
        return data
    naming = max(i for i, layer in enumerate(layers)
                 if isinstance(layer.data.get("database"), dict) and "provider" in layer.data["database"])
    preset_layer = _Layer({"database": keys}, {}, layers[naming].file)
    return _fold([*layers[:naming], preset_layer, *layers[naming:]])


def _find_file(profiles_dir: Path, name: str, chain: tuple[str, ...]) -> Path:
    for candidate in (profiles_dir / f"{name}.yaml", profiles_dir / f"{name}.yml"):
        if candidate.is_file():
            return candidate
    known = list_profiles(profiles_dir)
    where = f" (extended by {chain[-1]!r})" if chain else ""
    hint = difflib.get_close_matches(name, known, n=1)
    message = f"no profile {name!r}{where}: {_display(profiles_dir / (name + '.yaml'))} does not exist"
    if hint:
        message += f" — did you mean {hint[0]!r}?"
    fix = (
        f"known profiles: {', '.join(known)}"
        if known
        else f"create {_display(profiles_dir)}/{name}.yaml, or pass --project / --profiles-dir"
    )
    raise ProfileError(message, fix)


# Keys of which a section takes exactly one: a child that sets one replaces the parent's choice.
_ONE_OF = [{"build", "image"}, {"http", "tcp", "exec"}, {"env", "file", "value"}, {"rows", "seed", "restore"}]


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep merge: mappings merge key by key, everything else (lists too) is replaced."""
    merged = dict(base)
    for group in _ONE_OF:
        if group & set(over):
            for key in group - set(over):
                merged.pop(key, None)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def parse_yaml(path: Path) -> tuple[dict[str, Any], dict[KeyPath, Position]]:
    """Read a YAML mapping and the position of every key in it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"cannot read {_display(path)}: {exc}", "check the file") from None
    positions: dict[KeyPath, Position] = {}
    try:
        loader = yaml.SafeLoader(text)  # the reader rejects control characters already here
        try:
            node = loader.get_single_node()
            data = _build(loader, node, (), positions, path) if node is not None else {}
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{_display(path)}:{mark.line + 1}:{mark.column + 1}" if mark else _display(path)
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise ProfileError(f"{where}: invalid YAML: {problem}", "fix the YAML syntax there") from None
    except yaml.YAMLError as exc:
        raise ProfileError(f"{_display(path)}: invalid YAML: {exc}", "fix the YAML syntax") from None
    if data is None:
        return {}, positions
    if not isinstance(data, dict):
        raise ProfileError(
            f"{_display(path)}:1:1: a profile is a mapping of sections (database:, app:, ...), "
            f"not a {type(data).__name__}",
            "start the file with keys such as `database:`",
        )
    return data, positions


def _build(
    loader: yaml.SafeLoader, node: yaml.Node, path: KeyPath, positions: dict[KeyPath, Position], file: Path
) -> Any:
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolves `<<: *anchor` merge keys
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise yaml.constructor.ConstructorError(
                    None, None, "keys must be plain names", key_node.start_mark
                )
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            mark = key_node.start_mark
            positions[(*path, key)] = Position(file, mark.line + 1, mark.column + 1)
            result[key] = _build(loader, value_node, (*path, key), positions, file)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            mark = item.start_mark
            positions[(*path, index)] = Position(file, mark.line + 1, mark.column + 1)
            items.append(_build(loader, item, (*path, index), positions, file))
        return items
    return loader.construct_object(node, deep=True)


def _explain(
    exc: ValidationError, data: dict[str, Any], positions: dict[KeyPath, Position], fallback: Path
) -> str:
    lines: list[tuple[tuple[str, int, int], str]] = []
    for error in exc.errors():
        loc = _data_path(data, tuple(error["loc"]))
        position = _nearest_position(loc, positions)
        where = str(position) if position else _display(fallback)
        order = (str(position.file), position.line, position.column) if position else ("", 0, 0)
        dotted = ".".join(str(p) for p in loc) or "(top level)"
        if error["type"] == "extra_forbidden":
            key = str(loc[-1])
            allowed = _allowed_keys(loc[:-1])
            section = ".".join(str(p) for p in loc[:-1]) or "the profile"
            message = f"unknown key {key!r} in {section}"
            hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            if hint:
                message += f" — did you mean {hint[0]!r}?"
            elif allowed:
                message += f" (allowed: {', '.join(allowed)})"
        elif error["type"] == "missing":
            message = f"{dotted}: this key is required"
        else:
            message = f"{dotted}: {_plain(error['msg'])}"
        lines.append((order, f"{where}: {message}"))
    return "\n".join(dict.fromkeys(text for _, text in sorted(lines)))


def _plain(message: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def _data_path(data: Any, loc: tuple[Any, ...]) -> KeyPath:
    """The part of a pydantic error location that names real keys (drops union tags)."""
    path: list[str | int] = []
    current = data
    for part in loc:
        if isinstance(current, dict) and part in current or isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            path.append(part)
            current = current[part]
        elif isinstance(current, dict) and isinstance(part, str) and not _is_tag(part):
            path.append(part)  # a key that is missing: keep it for the message
            current = None
    return tuple(path)


def _is_tag(part: str) -> bool:
    # pydantic names union members in locations, e.g. "list[str]", "function-after[...]".
    return any(ch in part for ch in "[]-") or part in {"str", "int", "float", "bool"}


def _nearest_position(loc: KeyPath, positions: dict[KeyPath, Position]) -> Position | None:
    for end in range(len(loc), 0, -1):
        if loc[:end] in positions:
            return positions[loc[:end]]
    return None


def _allowed_keys(loc: KeyPath) -> list[str]:
    """The keys a section accepts, found by walking the models along a key path."""
    model: type[BaseModel] | None = Profile
    pending_container = False
    for part in loc:
        if model is None:
            return []
        if pending_container:  # a dict key or list index inside a container of models
            pending_container = False
            continue
        info = model.model_fields.get(str(part))
        if info is None:
            return []
        model, pending_container = _inner_model(info.annotation)
    if model is None or pending_container:
        return []
    return list(model.model_fields)


def _inner_model(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The model inside an annotation (Optional, list, dict unwrapped) and whether it was in a container."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _inner_model(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            model, contained = _inner_model(arg)
            if model is not None:
                return model, contained
        return None, False
    if origin in (list, dict):
        model, _ = _inner_model(typing.get_args(annotation)[-1])
        return model, model is not None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
