"""Regenerate the two lock files from their inputs, with hashes, from PyPI:

- requirements.in     → requirements.lock      what production installs (scripts/run.py);
- requirements-dev.in → requirements-dev.lock  tests, lint, browser, benchmarks and this lock tool,
  installed on top of the first by scripts/test.py, with the same versions of shared packages
  (requirements-dev.in starts with ``-c requirements.lock``).

The tool is uv (``uv pip compile --generate-hashes``), which requirements-dev.lock itself pins, so
run this from the development virtual environment (after ``python3 scripts/test.py`` once):

    .venv/bin/python scripts/lock.py                      # after adding or removing a dependency
    .venv/bin/python scripts/lock.py --upgrade-package django  # move one package to its newest version
    .venv/bin/python scripts/lock.py --upgrade             # move everything to the newest versions

Versions already in a lock are kept unless an upgrade is asked for. The resolution is universal
(one lock for Linux, macOS and Windows, Python 3.11 and newer), and every hash PyPI lists for a
pinned version is recorded, so pip's ``--require-hashes`` accepts whichever file it picks.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = (("requirements.in", "requirements.lock"), ("requirements-dev.in", "requirements-dev.lock"))
MIN_PYTHON = "3.11"  # pyproject's requires-python


def uv_binary() -> str:
    beside = Path(sys.executable).with_name("uv")
    found = str(beside) if beside.exists() else shutil.which("uv")
    if found is None:
        sys.exit("uv is not installed: run `python3 scripts/test.py` once (it installs requirements-dev.lock)")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upgrade", action="store_true", help="move every package to its newest version")
    parser.add_argument("--upgrade-package", action="append", default=[], metavar="NAME", help="move one package")
    args = parser.parse_args()
    uv = uv_binary()
    upgrade = ["--upgrade"] if args.upgrade else [f"--upgrade-package={name}" for name in args.upgrade_package]
    for source, lock in LOCKS:  # production first: the development lock is constrained by it
        print(f"==> {source} → {lock}", flush=True)
        cmd = [
            uv,
            "pip",
            "compile",
            source,
            f"--output-file={lock}",
            "--generate-hashes",
            "--universal",
            f"--python-version={MIN_PYTHON}",
            "--custom-compile-command=.venv/bin/python scripts/lock.py",
            "--quiet",
            *upgrade,
        ]
        if subprocess.run(cmd, cwd=ROOT).returncode != 0:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
