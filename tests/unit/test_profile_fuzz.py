"""Property: whatever bytes a profile holds, the loader either loads it or raises parity's own error."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parity.errors import ProfileError
from parity.profile.loader import load_profile

VALID = {
    "description": "prod",
    "database": {"version": "15", "ssl": "required", "superuser": False, "memory": "1g", "max_connections": 50,
                 "settings": {"timezone": "UTC"}},
    "app": {"build": ".", "memory": "512m", "read_only": True, "tmpfs": ["/tmp"], "user": "10001",
            "startup_probe": {"http": "/healthz", "period": "2s", "failure_threshold": 3}},
    "secrets": {"source": "files", "values": {"K": {"value": "v"}}},
    "migrations": {"command": ["alembic", "upgrade", "head"], "timeout": "5m"},
    "smoke": {"command": ["pytest"], "http": [{"name": "h", "path": "/"}]},
}

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                    st.text(max_size=12), st.sampled_from(["1g", "500ms", "off", "required", "10x", "-1s", ""]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=8)


def _paths(data: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    return found


@st.composite
def mutated_profiles(draw: st.DrawFn) -> str:
    """The valid profile with one value replaced by junk, a key renamed, or a key dropped."""
    data = yaml.safe_load(yaml.safe_dump(VALID))
    path = draw(st.sampled_from(_paths(data)[1:]))
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    action = draw(st.sampled_from(["replace", "rename", "drop"]))
    if action == "replace":
        parent[path[-1]] = draw(values)
    elif action == "rename":
        parent[str(path[-1]) + draw(st.text(min_size=1, max_size=3))] = parent.pop(path[-1])
    else:
        del parent[path[-1]]
    return yaml.safe_dump(data)


def _load(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        profiles = Path(tmp)
        (profiles / "p.yaml").write_text(text, encoding="utf-8")
        try:
            load_profile(profiles, "p")
        except ProfileError as exc:
            assert exc.message and "Traceback" not in exc.message


@settings(max_examples=int(os.environ.get("PARITY_FUZZ_EXAMPLES", "300")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_profiles())
def test_mutated_profiles_load_or_raise_a_profile_error(text: str) -> None:
    _load(text)


@settings(max_examples=int(os.environ.get("PARITY_FUZZ_EXAMPLES", "300")), deadline=None)
@given(st.text(max_size=200))
def test_random_text_loads_or_raises_a_profile_error(text: str) -> None:
    _load(text)


@settings(max_examples=int(os.environ.get("PARITY_FUZZ_EXAMPLES", "200")), deadline=None)
@given(values)
def test_random_yaml_documents_load_or_raise_a_profile_error(document: object) -> None:
    _load(yaml.safe_dump(document))
