"""A new app's tests are collected without being named anywhere (docs/adding-a-domain.md)."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

from django.apps import apps
from django.conf import settings

PYTEST = tomllib.loads((Path(settings.BASE_DIR) / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"][
    "ini_options"
]


def project_apps() -> list[Path]:
    root = Path(settings.BASE_DIR).resolve()
    return [Path(c.path).resolve() for c in apps.get_app_configs() if Path(c.path).resolve().parent == root]


def test_collection_starts_at_the_project_root():
    assert PYTEST["testpaths"] == ["."]


def test_no_app_folder_is_skipped_by_collection():
    folders = [p.name for p in project_apps()] + [f"{p.name}/tests" for p in project_apps()]
    skipped = [
        f for f in folders if any(fnmatch(part, pat) for part in f.split("/") for pat in PYTEST["norecursedirs"])
    ]
    assert not skipped, f"norecursedirs hides the tests of {skipped}"
    assert {"core", "funds", "programmes"} <= {p.name for p in project_apps()}  # the project's own apps are seen
