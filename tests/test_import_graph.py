"""The package's import graph: no cycles, and no module reaches into another's private names.

STYLE.md: "no module imports another's `_private` name; the import graph has no cycles". Every
import counts, at module level or inside a function. Importing ``ganzoo.a.b`` also runs the
package ``ganzoo.a``'s ``__init__``, so that is an edge too, except from inside ``ganzoo.a``.
"""

from __future__ import annotations

import ast
import os

import pytest

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "ganzoo")


def module_files(root: str = ROOT) -> dict[str, str]:
    """``{dotted module name: path}`` for every .py file under ``root``."""
    modules = {}
    base = os.path.dirname(root)
    for folder, _, files in os.walk(root):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                dotted = os.path.relpath(path, base)[:-3].replace(os.sep, ".")
                modules[dotted[: -len(".__init__")] if dotted.endswith(".__init__") else dotted] = path
    return modules


def _package_of(module: str, path: str) -> str:
    return module if path.endswith("__init__.py") else module.rpartition(".")[0]


def _absolute(node: ast.ImportFrom, module: str, path: str) -> str:
    if not node.level:
        return node.module or ""
    parts = _package_of(module, path).split(".")
    base = parts[: len(parts) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    """The module an expression such as ``data_lib.registry`` names, through import aliases."""
    if isinstance(node, ast.Name):
        return aliases.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _dotted(node.value, aliases)
        return None if owner is None else f"{owner}.{node.attr}"
    return None


def imports_of(module: str, path: str, modules: dict[str, str]):
    """(imported ganzoo modules, bound names -> module, private names imported, private attribute uses)."""
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    targets: set[str] = set()
    aliases: dict[str, str] = {}
    private: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "ganzoo":
                    targets.add(alias.name)
                    if alias.asname:
                        aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(node, module, path)
            if source.split(".")[0] != "ganzoo":
                continue
            for alias in node.names:
                full = f"{source}.{alias.name}"
                if full in modules:
                    targets.add(full)
                    aliases[alias.asname or alias.name] = full
                else:
                    targets.add(source)
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        private.append(f"{path}:{node.lineno}: from {source} import {alias.name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            owner = _dotted(node.value, aliases)
            if owner in modules:
                private.append(f"{path}:{node.lineno}: {owner}.{node.attr}")
    return {t for t in targets if t in modules}, private


def import_graph(modules: dict[str, str]) -> tuple[dict[str, set[str]], list[str]]:
    graph: dict[str, set[str]] = {}
    private: list[str] = []
    for module, path in modules.items():
        targets, found = imports_of(module, path, modules)
        private += found
        edges = set()
        for target in targets:
            parts = target.split(".")
            for i in range(2, len(parts) + 1):
                node = ".".join(parts[:i])
                inside = module == node or module.startswith(node + ".")
                if node in modules and node != module and (node == target or not inside):
                    edges.add(node)
        graph[module] = edges
    return graph, private


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_ganzoo_import_graph_has_no_cycle():
    graph, _ = import_graph(module_files())
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_no_module_imports_or_reads_another_modules_private_names():
    _, private = import_graph(module_files())
    assert private == [], "private names used across modules:\n" + "\n".join(private)


def _write(root, files: dict[str, str]) -> str:
    for name, text in files.items():
        path = os.path.join(root, "ganzoo", *name.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return os.path.join(root, "ganzoo")


def test_checker_finds_a_cycle_through_an_import_inside_a_function(tmp_path):
    root = _write(tmp_path, {
        "__init__.py": "",
        "a.py": "from ganzoo import b\n",
        "b.py": "def f():\n    from ganzoo.a import thing\n",
    })
    graph, _ = import_graph(module_files(root))
    assert find_cycle(graph) in (["ganzoo.a", "ganzoo.b", "ganzoo.a"], ["ganzoo.b", "ganzoo.a", "ganzoo.b"])


def test_checker_finds_private_imports_and_private_attributes_of_modules(tmp_path):
    root = _write(tmp_path, {
        "__init__.py": "",
        "low.py": "_helper = 1\n",
        "m/__init__.py": "",
        "m/x.py": "from ganzoo.low import _helper\nfrom ganzoo import low\nlow._helper\n",
        "m/z.py": "import ganzoo.m as pkg\npkg.x.y._ok = 1\n",
    })
    _, private = import_graph(module_files(root))
    assert len(private) == 2 and "import _helper" in private[0] and "ganzoo.low._helper" in private[1]


def test_checker_allows_a_package_that_imports_its_own_submodules(tmp_path):
    root = _write(tmp_path, {
        "__init__.py": "",
        "m/__init__.py": "from ganzoo.m.x import X\n",
        "m/x.py": "from ganzoo.m.y import Y\nX = Y\n",
        "m/y.py": "Y = 1\n",
    })
    graph, _ = import_graph(module_files(root))
    assert find_cycle(graph) is None


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__])
