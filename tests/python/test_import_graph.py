"""The package's modules import each other without a circle.

Every import of a gapcast module counts, wherever it is written: at the top of a module,
inside a function (a "lazy" import), under ``if TYPE_CHECKING:``, or through
``importlib.import_module``. A lazy import only delays a circle until run time, and a
type-only one still makes two modules know each other; with none, the modules form layers
that can be read from the bottom up. The source tree is parsed, so the test needs no build.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "python" / "gapcast"

#: Imports of gapcast modules inside a function: allowed only to keep an optional, heavy
#: dependency (matplotlib) out of `import gapcast`, never to hide a circle.
LAZY_ALLOWED = {
    ("gapcast", "gapcast.report_build"),  # gapcast.report(): matplotlib
    ("gapcast", "gapcast.plotting"),  # gapcast.plotting on first use: matplotlib
    ("gapcast.discover", "gapcast.discovery_plots"),  # Discovery.plot*(): matplotlib
    ("gapcast.sensitivity", "gapcast.sensitivity_plots"),  # Sensitivity.plot_*(): matplotlib
}


def _modules() -> dict[str, Path | None]:
    """Module name -> source file; None for compiled modules (known by their stubs), which
    import nothing of the package."""
    out: dict[str, Path | None] = {f"gapcast.{p.stem}": None for p in PACKAGE.glob("*.pyi")}
    for path in sorted(PACKAGE.glob("*.py")):
        name = "gapcast" if path.stem == "__init__" else f"gapcast.{path.stem}"
        out[name] = path
    return out


def _target(name: str, known: dict[str, Path | None]) -> str | None:
    """The gapcast module that importing `name` runs, or None outside the package."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def _imports(module: str, path: Path,
             known: dict[str, Path | None]) -> list[tuple[str, bool, int]]:
    """(imported module, inside a function, line) for every gapcast import of a module."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[str, bool, int]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                       ast.Lambda))
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    # Every module here sits directly in the package gapcast.
                    base = "gapcast" + (f".{base}" if base else "")
                if base == "gapcast":
                    # `from . import x`: the submodule x if there is one, else the package.
                    names = [f"gapcast.{a.name}" if f"gapcast.{a.name}" in known else "gapcast"
                             for a in child.names]
                else:
                    names = [base]
            elif (isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute)
                  and child.func.attr == "import_module" and child.args
                  and isinstance(child.args[0], ast.Constant)):
                text = child.args[0].value
                names = ["gapcast" + text if text.startswith(".") else text]
            for name in names:
                target = _target(name, known)
                if target is not None and target != module:
                    found.append((target, in_function, child.lineno))
            visit(child, nested)

    visit(tree, False)
    return found


def _graph() -> tuple[dict[str, set[str]], list[tuple[str, str, int]]]:
    known = _modules()
    graph: dict[str, set[str]] = {m: set() for m in known}
    lazy = []
    for module, path in known.items():
        if path is None:
            continue
        for target, in_function, line in _imports(module, path, known):
            graph[module].add(target)
            if in_function:
                lazy.append((module, target, line))
    return graph, lazy


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle, as the list of modules around it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_package_has_its_modules():
    graph, _ = _graph()
    assert {"gapcast", "gapcast._core", "gapcast.results", "gapcast.plotting",
            "gapcast.report_build"} <= set(graph)
    assert "gapcast.results" in graph["gapcast"]


def test_gapcast_modules_import_each_other_without_a_circle():
    graph, _ = _graph()
    cycle = _cycle(graph)
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_lazy_imports_only_keep_heavy_dependencies_out():
    _, lazy = _graph()
    unexpected = [f"{m} imports {t} inside a function (line {line})" for m, t, line in lazy
                  if (m, t) not in LAZY_ALLOWED]
    assert unexpected == []


def test_the_checker_finds_a_circle(tmp_path):
    # The check itself: a lazy import that closes a circle is found.
    graph = {"gapcast": {"gapcast.a"}, "gapcast.a": {"gapcast.b"}, "gapcast.b": {"gapcast.a"}}
    assert _cycle(graph) == ["gapcast.a", "gapcast.b", "gapcast.a"]
    (tmp_path / "a.py").write_text("def f():\n    from .b import g\n")
    (tmp_path / "b.py").write_text("from typing import TYPE_CHECKING\n"
                                   "if TYPE_CHECKING:\n    from . import a\n")
    known: dict[str, Path | None] = {"gapcast.a": tmp_path / "a.py",
                                     "gapcast.b": tmp_path / "b.py"}
    assert _imports("gapcast.a", known["gapcast.a"], known) == [("gapcast.b", True, 2)]
    assert _imports("gapcast.b", known["gapcast.b"], known) == [("gapcast.a", False, 3)]
