"""The layer rules of docs/architecture.md, read from the imports of every module.

protocol/ imports nothing of parley outside protocol/; chat/ imports no server, client or
protocol code and no socket or ssl; store/ imports no server, client or protocol code;
client/ imports no server, chat or store code; and no import cycle between modules
(imports under ``if TYPE_CHECKING:`` aside, as they never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import parley

PACKAGE = Path(parley.__file__).parent
RULES: dict[str, tuple[str, ...]] = {
    # anything of parley, except protocol itself and the stdlib-only `parley.records` (below)
    "protocol": ("parley.",),
    "chat": ("parley.server", "parley.client", "parley.protocol", "parley.store", "socket", "ssl"),
    "store": ("parley.server", "parley.client", "parley.protocol"),
    "client": ("parley.server", "parley.chat", "parley.store"),
}

SHARED = {"parley.records"}  # imports only the standard library: open to every layer


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_nodes(tree: ast.AST) -> set[ast.AST]:
    skipped: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skipped.update(ast.walk(child))
    return skipped


def imports(path: Path) -> set[str]:
    """Every module `path` imports at run time (absolute names, function bodies included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    names: set[str] = set()
    for node in ast.walk(tree):
        if node in skipped:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            assert node.module is not None
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                names.add(child if child in MODULES else node.module)
    return names


def _breaches(module: str) -> set[str]:
    layer = module.split(".")[1] if module.count(".") >= 1 else ""
    forbidden = RULES.get(layer)
    if forbidden is None:
        return set()
    found = set()
    for name in imports(MODULES[module]):
        if layer == "protocol" and (
            name in SHARED or name == "parley.protocol" or name.startswith("parley.protocol.")
        ):
            continue
        if any(
            name == f.rstrip(".") or name.startswith(f if f.endswith(".") else f + ".")
            for f in forbidden
        ):
            found.add(name)
    return found


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_module_keeps_to_its_layer(module: str) -> None:
    assert _breaches(module) == set()


def test_the_rules_catch_a_breach(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import socket\nfrom parley.server.app import ChatServer\n", encoding="utf-8")
    assert imports(bad) == {"socket", "parley.server.app"}


def test_no_import_cycles() -> None:
    graph = {
        module: {name for name in imports(path) if name in MODULES and name != module}
        for module, path in MODULES.items()
    }
    # A package's __init__ importing its own submodules is the usual re-export, not a cycle.
    for module, targets in graph.items():
        graph[module] = {t for t in targets if not (t.startswith(module + ".") and module in t)}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_shared_modules_import_only_the_standard_library() -> None:
    for module in SHARED:
        assert {name for name in imports(MODULES[module]) if name.startswith("parley")} == set()
