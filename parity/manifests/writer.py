"""A profile file from a ManifestMapping: every key with a comment naming the field it came from,
then what could not be mapped and what parity supplies itself."""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from parity.manifests.mapping import ManifestMapping, Mapped

_SECTIONS = ("description", "extends", "database", "app", "secrets", "migrations")
Tree = dict[str, "Tree | Mapped"]


@dataclass(frozen=True)
class ProfileHeader:
    """What the profile says about itself: its name, what it extends, where it came from."""

    name: str
    extends: str | None
    command: str  # the command that wrote it, so the file says how to refresh it


def profile_text(mapping: ManifestMapping, header: ProfileHeader) -> str:
    """The profile's YAML text with a comment per key."""
    lines = [f"# profiles/{header.name}.yaml: written by `{header.command}`",
             f"# from {mapping.origin}. Each key names the manifest field it came from;",
             f"# `parity profiles drift --profile {header.name}` says when the two disagree."]
    lines.append(f"description: {_scalar(f'Imported from {mapping.origin}')}")
    if header.extends:
        lines.append(f"extends: {_scalar(header.extends)}")
    tree = _tree(mapping.profile_keys())
    for section in sorted(tree, key=lambda s: _SECTIONS.index(s) if s in _SECTIONS else len(_SECTIONS)):
        _emit(section, tree[section], 0, lines)
    if mapping.supplied:
        lines += ["", "# Supplied by parity, never copied from the manifest (DATABASE_URL always; the others",
                  "# through database.env above):"]
        lines += [f"#   {s.name}: {_comment(s.source)}" for s in mapping.supplied]
    if mapping.unmapped:
        lines += ["", "# Not mapped (production declares these; this profile cannot say them):"]
        lines += [f"#   {u.item}: {_comment(u.reason)}" for u in mapping.unmapped]
    return "\n".join(lines) + "\n"


def _tree(mapped: list[Mapped]) -> Tree:
    tree: Tree = {}
    for item in mapped:
        node = tree
        for part in item.key[:-1]:
            child = node.setdefault(part, {})
            assert isinstance(child, dict), f"{item.dotted} under a value"
            node = child
        node[item.key[-1]] = item
    return tree


def _emit(key: str, node: Tree | Mapped, depth: int, lines: list[str]) -> None:
    indent = "  " * depth
    if isinstance(node, Mapped):
        if node.value is None:  # a key left unset on purpose: say why, write nothing
            lines.append(f"{indent}# {key}: not set ({_comment(node.source)})")
        else:
            lines.append(f"{indent}{_scalar(key)}: {_scalar(node.text)}  # {_comment(node.source)}")
        return
    if all(isinstance(child, Mapped) and child.value is None for child in node.values()):
        lines.append(f"{indent}# {key}:")
        depth_lines: list[str] = []
        for child_key, child in node.items():
            _emit(child_key, child, 0, depth_lines)
        lines += [f"{indent}  {line}" for line in depth_lines]
        return
    lines.append(f"{indent}{_scalar(key)}:")
    for child_key, child in node.items():
        _emit(child_key, child, depth + 1, lines)


def _scalar(value: object) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=1 << 20, allow_unicode=True)
    return text.split("\n...")[0].strip()


def _comment(text: str) -> str:
    return " ".join(text.split())

