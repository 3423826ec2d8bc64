"""Load test of the web app: N concurrent signed-in users asking for team scorecard pages.

Starts `cxscore serve` on the project in its own process (as in production), adds a benchmark account
(executive; removed afterwards), signs in one session per user, and has every user request the team
scorecard page `--requests` times in a loop, each time for the next team of the list (so several users
ask for the same pages at once). First each team's page is asked once, one at a time (cold: computed,
or waiting for the server's start-up warm-up); then the users run concurrently (warm: cached). Reports
p50, p95 and p99 in milliseconds, and the machine's load average.

    cxscore demo --size large --project demo-large
    python benchmarks/web_load.py --project demo-large --users 20 --requests 30
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from cxscore.store import open_project
from cxscore.web.accounts import Accounts, create_tables

USER = "bench-load-"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _accounts(project: Path, password: str, users: int, add: bool) -> None:
    """One executive account per simulated user (bench-load-1, ...), or remove them."""
    store = open_project(project).store()
    try:
        create_tables(store)
        store.execute("DELETE FROM _users WHERE username LIKE ?", [USER + "%"])
        for number in range(users if add else 0):
            Accounts(store).add(f"{USER}{number}", "executive", password)
    finally:
        store.close()


def _teams(project: Path, limit: int) -> list[str]:
    store = open_project(project).store()
    try:
        rows = store.execute("SELECT team_id FROM teams WHERE parent_team_id IS NOT NULL ORDER BY team_id")
        return [r[0] for r in rows.fetchall()][:limit]
    finally:
        store.close()


def _sign_in(url: str, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=300.0)
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, form.text
    answer = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token.group(1)}
    )
    assert answer.status_code == 303, answer.text
    return client


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=30, help="requests per user")
    parser.add_argument("--teams", type=int, default=8, help="how many teams the users cycle through")
    parser.add_argument("--period", default="2025-Q4")
    args = parser.parse_args()

    password = secrets.token_urlsafe(16)
    _accounts(args.project, password, args.users, add=True)
    teams = _teams(args.project, args.teams)
    port = _port()
    env = {**os.environ, "CXSCORE_LOGIN_BURST": str(4 * args.users)}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "cxscore"),
            "serve",
            "--project",
            str(args.project),
            "--port",
            str(port),
        ],
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        while True:
            try:
                if httpx.get(f"{url}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() - started > 120:
                raise SystemExit("the server did not become ready in 120 s")
            time.sleep(0.2)
        ready = time.monotonic() - started
        clients = [_sign_in(url, f"{USER}{n}", password) for n in range(args.users)]
        seen: set[str] = set()
        cold: list[float] = []
        for team in teams:  # the first view of each team, one at a time (waits for the start-up warm-up)
            begin = time.perf_counter()
            first = clients[0].get(f"/teams/{team}?period={args.period}")
            assert first.status_code == 200, first.text[:500]
            cold.append(1000 * (time.perf_counter() - begin))
            seen.add(team)
        warm: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        barrier = threading.Barrier(args.users)

        def user(number: int) -> None:
            client = clients[number]
            barrier.wait()
            for i in range(args.requests):
                team = teams[(number + i) % len(teams)]
                begin = time.perf_counter()
                answer = client.get(f"/teams/{team}?period={args.period}")
                elapsed = 1000 * (time.perf_counter() - begin)
                with lock:
                    if answer.status_code != 200:
                        errors.append(f"{team}: {answer.status_code}")
                    elif team in seen:
                        warm.append(elapsed)
                    else:
                        seen.add(team)
                        cold.append(elapsed)

        load_before = os.getloadavg()
        began = time.perf_counter()
        threads = [threading.Thread(target=user, args=(n,)) for n in range(args.users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - began
        load_after = os.getloadavg()
        for client in clients:
            client.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        _accounts(args.project, password, args.users, add=False)

    print(
        f"{args.users} users x {args.requests} requests on {len(teams)} teams: {len(warm)} answers in "
        f"{wall:.1f} s ({len(warm) / wall:.0f}/s); errors: {len(errors)} {errors[:3]}"
    )
    print(
        f"load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f}; {os.cpu_count()} cores"
    )
    print(f"server ready {ready:.1f} s after start; the cold phase took {sum(cold) / 1000:.1f} s")
    print("| answers | n | p50 | p95 | p99 | max |")
    print("|---|---|---|---|---|---|")
    for name, values in (
        (f"warm ({args.users} concurrent users)", warm),
        ("cold (first view of each team, one at a time)", cold),
        ("all", cold + warm),
    ):
        if values:
            p50, p95, p99 = (statistics.median(values), _percentile(values, 0.95), _percentile(values, 0.99))
            cells = [name, str(len(values)), *(f"{v:.0f} ms" for v in (p50, p95, p99, max(values)))]
            print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
