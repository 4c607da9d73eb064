"""Reading manifest files: YAML documents (several per file, as `helm template` and `kustomize
build` print them, List kinds unwrapped), with clear errors for what is not YAML."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from parity.errors import ProfileError

Document = dict[str, object]


def read_documents(paths: Iterable[Path]) -> list[tuple[Path, Document]]:
    """Every mapping document in the files, in order, each with its file; Lists unwrapped."""
    documents: list[tuple[Path, Document]] = []
    for path in paths:
        for document in _load_all(path):
            documents.extend((path, item) for item in _unwrap(document))
    return documents


def read_mapping(path: Path, what: str) -> Document:
    """One YAML mapping (a compose file): not YAML, or not a mapping, is a profile error."""
    loaded = list(_load_all(path))
    if len(loaded) != 1 or not isinstance(loaded[0], dict):
        raise ProfileError(f"{path}: not a {what} (expected one YAML mapping)",
                           f"pass the {what} itself, e.g. docker-compose.yml")
    return loaded[0]


def _load_all(path: Path) -> list[object]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"cannot read {path}: {exc}", "check the file name and that it is text") from None
    try:
        return [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise ProfileError(f"{where}: not YAML: {problem}",
                           "pass the rendered manifest (helm template ... > out.yaml, kustomize build ...)") from None
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not YAML: {exc}", "pass a YAML file") from None


def _unwrap(document: object) -> list[Document]:
    # `kubectl get -o yaml` prints a List (kind: List, or DeploymentList...) whose items are documents.
    if not isinstance(document, dict):
        return []
    kind = str(document.get("kind", ""))
    items = document.get("items")
    if kind.endswith("List") and isinstance(items, list):
        return [item for inner in items for item in _unwrap(inner)]
    return [document]


def mapping_at(document: object, *keys: str) -> Document:
    """The mapping at a key path, or an empty one (manifests omit what they leave at defaults)."""
    current = document
    for key in keys:
        current = current.get(key) if isinstance(current, dict) else None
    return current if isinstance(current, dict) else {}


def list_at(document: object, *keys: str) -> list[Document]:
    """The list of mappings at a key path, or an empty one."""
    *parents, last = keys
    value = mapping_at(document, *parents).get(last)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def sequence(value: object) -> list[object]:
    """A list as written, or an empty one (a missing or scalar field)."""
    return list(value) if isinstance(value, list) else []


def whole(value: object, where: str) -> int:
    """An integer field (replicas, a port, seconds), written as a number or a numeric string."""
    if isinstance(value, bool) or not str(value).strip().isdigit():
        raise ProfileError(f"{where}: {value!r} is not a whole number", "write a number there, e.g. 3")
    return int(str(value).strip())
