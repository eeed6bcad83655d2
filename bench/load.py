"""Load test (issue 16 item 6): gunicorn (production profile) + PostgreSQL + one background worker on
this machine, driven by locust through its library API, headless, on 127.0.0.1 only, bounded in users
and time. Prints requests/s, p50/p95/p99 per kind of request and the error rate at each user count.

Run:  .venv/bin/python bench/load.py                         # 10, 25, 50 users, 40 s each
      .venv/bin/python bench/load.py --users 50 --seconds 20 --reuse   # keep the demo database

The data: ``manage.py demo`` on a scratch PostgreSQL database (``--database``, default gonghui_load,
dropped and rebuilt unless ``--reuse``). The mix, per simulated person (weights in brackets):

- officer (6): the member list page by page, filtered (status, migrant, join year, union subtree),
  searched by a full ID number, a member's details, the xlsx export of a filtered list; the appeals
  list and an appeal's details — signed in as 组织部 (zuzhi) or 权益保障部 (quanyi);
- worker (3): the portal home, submitting a request (GET form, POST), opening it, rating a request
  that has feedback (the first rating counts; later ones are refused with a message, both 302) —
  signed in as 职工 张伟 (zhigong);
- finance (1): the cycles list, a cycle's details, recomputing a cycle (POST; the background worker
  computes it) and polling its progress — signed in as 财务 孙丽 (caiwu).

Think time 0.5-2 s between a person's steps. An error is any status ≥ 400, a refused connection, or
a POST that did not redirect. Reference (issue 16): 50 users, 0 errors, p95 ≤ 500 ms on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Gonghui@2026"  # orgs.demo.DEMO_PASSWORD
DATA_KEY = "Z29uZ2h1aS1sb2FkLWtleS0zMi1ieXRlcy1sb25nISE="  # base64 of 32 bytes, this scratch DB only
SECRET = "load-" + "s" * 60
P95_GOAL_MS = 500

# What the load test needs from the demo data, printed as JSON by a Django shell in the server's
# environment (the ID numbers are encrypted at rest; the shell holds the key).
GATHER = """
import json
from members.models import Person, Membership
from appeals.models import Appeal
from funds.models import Cycle
people = list(Person.objects.filter(memberships__status=Membership.Status.ACTIVE).order_by("pk")[:200])
print("GATHER" + json.dumps({
    "people": [p.pk for p in people],
    "id_numbers": [p.id_number for p in people if p.id_number][:100],
    "appeals": list(Appeal.objects.order_by("pk").values_list("pk", flat=True)[:200]),
    "own_appeals": list(Appeal.objects.filter(worker__user__username="zhigong").values_list("pk", flat=True)),
    "cycles": list(Cycle.objects.order_by("pk").values_list("pk", flat=True)),
    "recomputable": list(Cycle.objects.filter(state__in=["computed", "reviewed"])
        .values_list("pk", flat=True)),
}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(database_url: str, static_root: str) -> dict[str, str]:
    return {
        **os.environ,
        "GONGHUI_PROFILE": "production",
        "DEBUG": "false",
        "SECRET_KEY": SECRET,
        "GONGHUI_DATA_KEY": DATA_KEY,
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": "https://127.0.0.1",
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
        "GONGHUI_TRUSTED_PROXY_COUNT": "1",
    }


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout


def prepare(database_url: str, env: dict[str, str], reuse: bool) -> dict:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not (reuse and exists):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
            reuse = False
    if not reuse:
        t = time.perf_counter()
        _manage(env, "migrate", "-v", "0")
        _manage(env, "demo", "--quiet")
        print(f"demo data built in {time.perf_counter() - t:.0f} s")
    _manage(env, "collectstatic", "--noinput", "-v", "0")
    out = _manage(env, "shell", "-c", GATHER)
    return json.loads(out.split("GATHER", 1)[1])


def start_server(env: dict[str, str], port: int, log: Path) -> list[subprocess.Popen]:
    with log.open("w") as sink:
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "gonghui.wsgi",
                "--config",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--queue-name", "*"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    import http.client

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return [web, worker]
        except OSError:
            time.sleep(0.3)
    stop([web, worker])
    sys.exit("gunicorn did not answer in 60 s:\n" + log.read_text()[-3000:])


def stop(processes: list[subprocess.Popen]) -> None:
    for p in processes:
        p.send_signal(signal.SIGTERM)
    for p in processes:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()


def run_locust(port: int, data: dict, levels: list[int], seconds: int, warmup: int) -> list[dict]:
    # locust patches the standard library for gevent on import: only here, after the subprocesses
    import gevent
    from locust import HttpUser, between, events, task
    from locust.env import Environment

    base_headers = {"X-Forwarded-Proto": "https", "Referer": "https://127.0.0.1/"}

    class Person(HttpUser):
        abstract = True
        host = f"http://127.0.0.1:{port}"
        wait_time = between(0.5, 2)
        usernames: tuple[str, ...] = ()

        def on_start(self) -> None:
            self.client.headers.update(base_headers)
            self.client.get("/accounts/login/", name="login")
            self._insecure_cookies()
            self.username = random.choice(self.usernames)
            self.post(
                "/accounts/login/",
                {"username": self.username, "password": PASSWORD},
                name="login",
            )

        def _insecure_cookies(self) -> None:
            # the production cookies are Secure (TLS ends at nginx); send them over this plain socket
            for cookie in self.client.cookies:
                cookie.secure = False

        def get(self, path: str, name: str) -> str:
            with self.client.get(path, name=name, catch_response=True) as r:
                if r.status_code >= 400:
                    r.failure(f"HTTP {r.status_code}")
                text = r.text
            self._insecure_cookies()
            return text

        def post(self, path: str, fields: dict, name: str) -> None:
            fields = {**fields, "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")}
            with self.client.post(path, data=fields, name=name, allow_redirects=False, catch_response=True) as r:
                if r.status_code != 302:
                    r.failure(f"HTTP {r.status_code}, expected a redirect")
            self._insecure_cookies()

    class Officer(Person):
        weight = 6
        usernames = ("zuzhi", "quanyi", "admin")

        @task(4)
        def browse(self) -> None:
            self.get(f"/members/?page={random.randint(1, 5)}", "members list")

        @task(3)
        def filtered(self) -> None:
            query = random.choice(
                [
                    "status=left",
                    "migrant=true",
                    f"join_year={random.randint(2015, 2025)}",
                    "status=active&migrant=false",
                ]
            )
            self.get(f"/members/?{query}", "members filtered")

        @task(3)
        def by_id(self) -> None:
            self.get(f"/members/?q={random.choice(data['id_numbers'])}", "members search by ID")

        @task(3)
        def detail(self) -> None:
            self.get(f"/members/{random.choice(data['people'])}/", "member detail")

        @task(1)
        def export(self) -> None:
            self.get(f"/members/?join_year={random.randint(2015, 2025)}&export=xlsx", "members export")

        @task(2)
        def appeals(self) -> None:
            if self.username == "zuzhi":  # 组织部 does not handle appeals
                return
            self.get("/appeals/", "appeals list")
            self.get(f"/appeals/{random.choice(data['appeals'])}/", "appeal detail")

    class Worker(Person):
        weight = 3
        usernames = ("zhigong",)

        @task(2)
        def home(self) -> None:
            self.get("/portal/", "portal home")

        @task(2)
        def submit(self) -> None:
            form = self.get("/portal/appeals/new/", "portal new (form)")
            categories = re.findall(r'<option value="(\d+)"', form)
            if not categories:
                return
            self.post(
                "/portal/appeals/new/",
                {
                    "category": random.choice(categories),
                    "title": "压测：工资拖欠反映",
                    "description": "负载测试提交的诉求，用于测量提交路径的响应时间。",
                    "preferred_contact": "phone",
                    "contact_phone": "13800138000",
                },
                "portal submit (POST)",
            )

        @task(1)
        def rate(self) -> None:
            if data["own_appeals"]:
                pk = random.choice(data["own_appeals"])
                self.get(f"/portal/appeals/{pk}/", "portal appeal detail")
                self.post(f"/portal/appeals/{pk}/rate/", {"rating": "5", "comment": "满意"}, "portal rate (POST)")

    class Finance(Person):
        weight = 1
        usernames = ("caiwu",)

        @task(2)
        def cycles(self) -> None:
            self.get("/funds/cycles/", "cycles list")
            self.get(f"/funds/cycles/{random.choice(data['cycles'])}/", "cycle detail")

        @task(1)
        def recompute(self) -> None:
            if data["recomputable"]:
                pk = random.choice(data["recomputable"])
                self.post(f"/funds/cycles/{pk}/recompute/", {}, "cycle recompute (POST)")
                for _ in range(3):
                    self.get(f"/funds/cycles/{pk}/progress/", "cycle progress")
                    gevent.sleep(0.5)

    results = []
    for users in levels:
        env = Environment(user_classes=[Officer, Worker, Finance], events=events)
        runner = env.create_local_runner()
        runner.start(users, spawn_rate=max(5, users / 5))
        gevent.sleep(warmup)  # everyone signed in before measuring
        env.stats.reset_all()
        started = time.monotonic()
        gevent.sleep(seconds)
        elapsed = time.monotonic() - started
        stats = env.stats
        kinds = {}
        for (name, _method), entry in sorted(stats.entries.items()):
            if name == "login" or not entry.num_requests:
                continue
            kinds[name] = {
                "n": entry.num_requests,
                "errors": entry.num_failures,
                "p50": entry.get_response_time_percentile(0.5),
                "p95": entry.get_response_time_percentile(0.95),
                "p99": entry.get_response_time_percentile(0.99),
            }
        total = stats.total
        results.append(
            {
                "users": users,
                "rps": total.num_requests / elapsed,
                "requests": total.num_requests,
                "errors": total.num_failures,
                "p50": total.get_response_time_percentile(0.5),
                "p95": total.get_response_time_percentile(0.95),
                "p99": total.get_response_time_percentile(0.99),
                "kinds": kinds,
                "failures": [f"{e.name}: {e.error} ×{e.occurrences}" for e in stats.errors.values()][:10],
            }
        )
        runner.quit()
        gevent.sleep(1)
    return results


def report(results: list[dict]) -> None:
    for r in results:
        rate = 100 * r["errors"] / r["requests"] if r["requests"] else 0.0
        print(
            f"\n== {r['users']} users: {r['rps']:.1f} requests/s, {r['requests']} requests, "
            f"errors {r['errors']} ({rate:.2f} %), p50 {r['p50']:.0f} ms, p95 {r['p95']:.0f} ms, p99 {r['p99']:.0f} ms"
        )
        print(f"   {'kind':<26}{'n':>6}{'err':>5}{'p50':>7}{'p95':>7}{'p99':>7}  (ms)")
        for name, k in r["kinds"].items():
            print(f"   {name:<26}{k['n']:>6}{k['errors']:>5}{k['p50']:>7.0f}{k['p95']:>7.0f}{k['p99']:>7.0f}")
        for line in r["failures"]:
            print("   failure:", line)
    last = results[-1]
    verdict = "met" if last["errors"] == 0 and last["p95"] <= P95_GOAL_MS else "NOT met"
    print(
        f"\nreference (issue 16): 50 users, 0 errors, p95 ≤ {P95_GOAL_MS} ms — at {last['users']} users: "
        f"{last['errors']} errors, p95 {last['p95']:.0f} ms → {verdict}"
    )
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="10,25,50", help="comma-separated concurrent users (≤ 200)")
    parser.add_argument("--seconds", type=int, default=40, help="measured seconds per level (≤ 300)")
    parser.add_argument("--warmup", type=int, default=10, help="seconds to sign everyone in first")
    parser.add_argument("--database", default="gonghui_load", help="scratch PostgreSQL database (rebuilt)")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--reuse", action="store_true", help="keep the database if it exists")
    args = parser.parse_args()
    levels = [int(u) for u in args.users.split(",")]
    if not all(1 <= u <= 200 for u in levels) or not 1 <= args.seconds <= 300:
        sys.exit("users must be 1..200 and seconds 1..300: the load test is bounded")
    database_url = f"{args.pg}/{args.database}"
    with tempfile.TemporaryDirectory(prefix="gonghui-load-") as tmp:
        env = _env(database_url, str(Path(tmp) / "static"))
        print("uptime before:", subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip())
        data = prepare(database_url, env, args.reuse)
        port = _free_port()
        processes = start_server(env, port, Path(tmp) / "server.log")
        try:
            results = run_locust(port, data, levels, args.seconds, args.warmup)
        finally:
            stop(processes)
        server_log = (Path(tmp) / "server.log").read_text()
        tracebacks = server_log.count("Traceback")
        print(f"server log: {tracebacks} tracebacks")
        if tracebacks:
            print(server_log[server_log.index("Traceback") - 300 :][:3000])
    report(results)


if __name__ == "__main__":
    main()
