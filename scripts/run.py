"""Set everything up and serve Gonghui on http://127.0.0.1:8000 with the demo district (SQLite).

Usage: python3 scripts/run.py [--port 8000] [--members N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from bootstrap import ROOT, VENV_PYTHON, bootstrap, manage, say


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", default="8000")
    parser.add_argument("--members", default=None, help="size of the demo roster (default: the demo's own)")
    args = parser.parse_args()

    bootstrap()
    say("migrating the database")
    manage("migrate", "--no-input", "-v", "0")
    say("loading the demo district (idempotent)")
    manage("demo", *(["--members", args.members] if args.members else []))
    say("starting the background task worker")
    worker = subprocess.Popen([str(VENV_PYTHON), "manage.py", "db_worker"], cwd=ROOT)
    say(f"serving on http://127.0.0.1:{args.port}/ (Ctrl+C stops)")
    try:
        subprocess.run(
            [str(VENV_PYTHON), "manage.py", "runserver", f"127.0.0.1:{args.port}", "--noreload"],
            cwd=ROOT,
            check=False,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    except KeyboardInterrupt:
        pass
    finally:
        worker.terminate()


if __name__ == "__main__":
    sys.exit(main())
