"""The house's shape, read from the source: packages import downward only (no cycle between them,
deferred imports included), steps never import one another, and no function but a click command
takes more than six parameters."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import parity

ROOT = Path(parity.__file__).parent
MAX_PARAMETERS = 6


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, ast.parse(path.read_text(), str(path))


def _unit(module: str) -> str:
    """The node a module belongs to in the package graph: its subpackage (parity.env), or itself
    for a top-level module (parity.run)."""
    parts = module.split(".")
    if len(parts) > 2 or (len(parts) == 2 and (ROOT / parts[1]).is_dir()):
        return ".".join(parts[:2])
    return module


def _imported(tree: ast.Module) -> Iterator[str]:
    """Every parity module a module imports, at its top or inside a function (deferred)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("parity"):
            yield node.module
            for alias in node.names:
                yield f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.startswith("parity"))


def _existing(name: str, known: set[str]) -> str | None:
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def package_graph() -> dict[str, set[str]]:
    """Subpackage and top-level module -> the ones it imports."""
    modules = dict(_modules())
    graph: dict[str, set[str]] = {}
    for name, tree in modules.items():
        for target in filter(None, (_existing(t, set(modules)) for t in _imported(tree))):
            if _unit(target) != _unit(name) and target != "parity":
                graph.setdefault(_unit(name), set()).add(_unit(target))
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, as the path around it, or None."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_packages_import_downward_only_deferred_imports_included() -> None:
    graph = package_graph()
    assert "parity.env" in graph and "parity.steps" in graph  # the graph was read at all
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}}) is None


def test_no_step_imports_another_step() -> None:
    steps = {name for name, _ in _modules() if name.startswith("parity.steps.")}
    offending = {name: sorted(steps & {_existing(t, steps) or "" for t in _imported(tree)} - {name})
                 for name, tree in _modules() if name in steps}
    assert not {name: found for name, found in offending.items() if found}


def _parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    args = node.args
    names = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    count = len(names) + (args.vararg is not None) + (args.kwarg is not None)
    return count - (1 if names and names[0].arg in ("self", "cls") else 0)


def _is_click_command(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any("command" in ast.unparse(decorator) for decorator in node.decorator_list)


def test_no_function_but_a_click_command_takes_more_than_six_parameters() -> None:
    wide = [f"{name}.{node.name} ({_parameters(node)})" for name, tree in _modules() for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and _parameters(node) > MAX_PARAMETERS and not _is_click_command(node)]
    assert not wide


def test_the_step_context_has_no_field_typed_any_or_object() -> None:
    import dataclasses

    from parity.steps import StepContext

    loose = {f.name: f.type for f in dataclasses.fields(StepContext) if str(f.type) in ("Any", "object", "typing.Any")}
    assert not loose
