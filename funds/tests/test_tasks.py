"""The cycle's compute body lives beside its task: ``funds.services`` imports ``funds.tasks``, never
the other way round, and neither hides the import inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

FUNDS = Path(__file__).resolve().parent.parent


def _imports(module: str) -> list[tuple[str, bool]]:
    """(imported module, whether the import sits inside a function) for every import of a funds module."""
    tree = ast.parse((FUNDS / f"{module}.py").read_text(encoding="utf-8"))
    nested = {
        id(node)
        for fn in ast.walk(tree)
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(fn)
    }
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.module, id(node) in nested))
        elif isinstance(node, ast.Import):
            out.extend((alias.name, id(node) in nested) for alias in node.names)
    return out


def test_tasks_never_import_services():
    assert not [name for name, _ in _imports("tasks") if name.startswith("funds.services")]


def test_services_import_tasks_at_module_level():
    task_imports = [inside for name, inside in _imports("services") if name == "funds.tasks"]
    assert task_imports == [False]
