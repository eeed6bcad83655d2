"""The api app depends on orgs, never the reverse: no orgs module imports ``api``."""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

ORGS = Path(apps.get_app_config("orgs").path)


def imported_modules(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


def test_orgs_code_does_not_import_the_api_app() -> None:
    assert apps.is_installed("api")
    sources = [p for p in ORGS.rglob("*.py") if "tests" not in p.parts]
    assert any(p.name == "permissions.py" for p in sources)  # the permission the api app uses lives here
    offending = {
        str(p.relative_to(ORGS.parent)): found
        for p in sources
        if (found := sorted(m for m in imported_modules(p) if m == "api" or m.startswith("api.")))
    }
    assert offending == {}
