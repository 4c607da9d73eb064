"""A resolved profile as YAML a person would write (`parity profiles show`): the user's units
(256m, 10m, 20/s), characters as they are (no \\u escapes), one line per value however long; it
loads back to the same profile."""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

import yaml
from pydantic import BaseModel, BeforeValidator

from parity.profile.models import Profile
from parity.profile.units import (
    format_duration,
    format_rate,
    format_size,
    parse_duration,
    parse_rate,
    parse_size,
)

# Each unit the models parse, and how a profile writes it back.
_WRITTEN: dict[Callable[[Any], Any], Callable[[Any], str]] = {
    parse_size: lambda v: format_size(v, as_written=True),
    parse_duration: lambda v: format_duration(v, as_written=True),
    parse_rate: format_rate,
}


class _Dumper(yaml.SafeDumper):
    """Lists of plain values on one line, as people write commands: [alembic, upgrade, head]."""

    def represent_plain_list(self, data: list[Any]) -> yaml.SequenceNode:
        """A list on one line when it holds no mappings or lists."""
        flow = all(not isinstance(item, dict | list) for item in data)
        return self.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _Dumper.represent_plain_list)


def profile_yaml(profile: Profile) -> str:
    """The profile as YAML text in the user's units (None values left out). `extends` is applied
    already, so it is a comment: the text loads back to this very profile on its own."""
    data = _written(profile, profile.model_dump(mode="json", exclude_none=True, by_alias=True, exclude={"extends"}))
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=2**31 - 1).rstrip()
    return f"# extends: {profile.extends} (applied)\n{text}" if profile.extends else text


def _written(model: BaseModel, dumped: dict[str, Any]) -> dict[str, Any]:
    """`dumped` (the model's JSON form) with its sizes, durations and rates in the user's units."""
    for name, field in type(model).model_fields.items():
        key = field.alias or name
        value = getattr(model, name)
        if key not in dumped or value is None:
            continue
        if isinstance(value, BaseModel):
            dumped[key] = _written(value, dumped[key])
        elif isinstance(value, list) and value and all(isinstance(item, BaseModel) for item in value):
            dumped[key] = [_written(item, text) for item, text in zip(value, dumped[key], strict=True)]
        elif (write := _writer(field.annotation, field.metadata)) is not None:
            dumped[key] = write(value)
    return dumped


def _writer(annotation: Any, metadata: list[Any]) -> Callable[[Any], str] | None:
    """How a field of this type is written back, if it is a unit (Size, Duration, Rate, or an
    optional one)."""
    for item in metadata:
        if isinstance(item, BeforeValidator) and item.func in _WRITTEN:
            return _WRITTEN[item.func]
    if typing.get_origin(annotation) is typing.Annotated:
        _, *extra = typing.get_args(annotation)
        return _writer(None, extra)
    for arg in typing.get_args(annotation) if typing.get_origin(annotation) in (typing.Union, _UnionType) else ():
        found = _writer(arg, [])
        if found is not None:
            return found
    return None


_UnionType = type(int | None)
