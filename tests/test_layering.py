"""Imports between the packages flow one way and close no circle: graph/ is the bottom layer,
api/ and workers/ sit on it, lab/ and infra/ serve the CLI, and nothing imports cli/.

The imports are read from the source (an AST walk), those inside functions included."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("graph", "api", "workers", "cli", "lab", "infra")
# package -> the packages it must not import, at module level or inside a function
FORBIDDEN = {
    "graph": {"api", "workers", "cli", "lab", "infra"},
    "api": {"cli", "lab"},
    "workers": {"cli", "lab"},
    "lab": {"cli"},
    "infra": {"api", "workers", "cli", "lab"},
    "cli": {"api"},
}


def module_files() -> dict[str, Path]:
    """Each module of the packages by dotted name (a package by its own name)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _type_checking(node: ast.AST) -> bool:
    """An `if TYPE_CHECKING:` block, whose body does not run."""
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(name: str, source: str, known: set[str]) -> list[tuple[str, bool]]:
    """The known modules that module `name` imports, each with whether the import runs when
    the module is imported (module level or a class body), not later in a function."""
    package = name if f"{name}.__init__" in known else name.rpartition(".")[0]
    found: list[tuple[str, bool]] = []

    def target(dotted: str) -> str | None:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    def visit(node: ast.AST, at_import: bool) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            at_import = False
        if isinstance(node, ast.If) and _type_checking(node):
            for child in node.body:
                visit(child, False)
            for child in node.orelse:
                visit(child, at_import)
            return
        if isinstance(node, ast.Import):
            found.extend((t, at_import) for alias in node.names
                         if (t := target(alias.name)))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                if (t := target(f"{base}.{alias.name}") or target(base)):
                    found.append((t, at_import))
        for child in ast.iter_child_nodes(node):
            visit(child, at_import)

    visit(ast.parse(source), True)
    return [(t, at_import) for t, at_import in found if t != name]


def import_graph(at_import_only: bool) -> dict[str, set[str]]:
    """Module -> the modules it imports (only those run at import time, if asked)."""
    files = module_files()
    known = set(files) | {f"{n}.__init__" for n, p in files.items() if p.name == "__init__.py"}
    return {name: {t for t, at_import in imports_of(name, path.read_text(), known)
                   if at_import or not at_import_only}
            for name, path in files.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return groups


def test_the_walk_sees_imports_inside_functions_and_finds_a_circle():
    known = {"lab", "lab.__init__", "lab.a", "lab.b", "graph", "graph.__init__", "graph.db"}
    source = "from graph import db\n\ndef f():\n    from . import b\n"
    assert imports_of("lab.a", source, known) == [("graph.db", True), ("lab.b", False)]
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_at_module_level():
    assert circles(import_graph(at_import_only=True)) == []


def test_no_import_circle_even_through_imports_inside_functions():
    assert circles(import_graph(at_import_only=False)) == []


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_flow_one_way(package):
    crossings = sorted(
        f"{name} imports {target}"
        for name, targets in import_graph(at_import_only=False).items()
        if name.split(".")[0] == package
        for target in targets if target.split(".")[0] in FORBIDDEN[package])
    assert crossings == []
