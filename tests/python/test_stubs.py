"""The hand-written stub gapcast/_core.pyi matches the compiled module: the same public
names, class members and parameter names (a small stand-in for mypy's stubtest)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import gapcast
from gapcast import _core

STUB = Path(gapcast.__file__).with_name("_core.pyi")


def _stub() -> tuple[dict[str, ast.AST], dict[str, dict[str, ast.AST]]]:
    tree = ast.parse(STUB.read_text())
    top: dict[str, ast.AST] = {}
    classes: dict[str, dict[str, ast.AST]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            top[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            top[node.target.id] = node
        elif isinstance(node, ast.ClassDef):
            top[node.name] = node
            classes[node.name] = {n.name: n for n in node.body if isinstance(n, ast.FunctionDef)}
    return top, classes


def _public(names) -> set[str]:
    return {n for n in names if not n.startswith("_")}


def _runtime_parameters(function) -> list[str]:
    """Parameter names from the signature line pybind11 writes first in every docstring."""
    first = function.__doc__.splitlines()[0]
    inside = first[first.index("(") + 1: first.rindex(") ->")]
    return [n for n in re.findall(r"(?:^|, )(\w+)(?=[:,]|$)", inside) if n != "self"]


def test_the_stub_is_shipped():
    assert STUB.exists()
    assert STUB.with_name("py.typed").exists()


def test_module_names_match():
    top, _ = _stub()
    runtime = _public(dir(_core)) | {"__version__"}
    assert set(top) == runtime


def test_class_members_match():
    _, classes = _stub()
    for name, members in classes.items():
        assert _public(members) == _public(dir(getattr(_core, name))), name


def test_parameter_names_match():
    top, classes = _stub()
    functions = [(getattr(_core, n), node) for n, node in top.items()
                 if isinstance(node, ast.FunctionDef)]
    for cls, members in classes.items():
        for n, node in members.items():
            attribute = getattr(getattr(_core, cls), n)
            if callable(attribute) and not isinstance(attribute, property):
                functions.append((attribute, node))
    assert len(functions) > 20
    for function, node in functions:
        stub = [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs
                if a.arg != "self"]
        assert stub == _runtime_parameters(function), node.name
