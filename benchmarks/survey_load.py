"""Survey collection under load: sustained submissions per second, latency, nothing lost, kill -9 safe.

Everything runs on 127.0.0.1 and stops by itself; requests are bounded by rate x duration (+ the retries).

1. A throwaway project gets one survey and `rate x duration` invitations with signed links.
2. The real server (`cxscore serve`) runs in a subprocess on the project's embedded DuckDB store.
3. Every link's page is fetched first (the form token a browser would get), then the submissions are sent
   on a fixed schedule (open loop: a slow answer does not slow the schedule) over keep-alive connections;
   2% are sent a second time, as a browser retrying would. Latency is measured from the scheduled time
   (so time spent waiting for a free connection counts) and from the actual send.
4. The server is stopped and the store opened: every acknowledged answer must be there exactly once.

With `--kill-after S`, the server is killed with SIGKILL S seconds into the load; the submissions not
acknowledged by then are sent again to a restarted server (as browsers would), and the same check runs.

    python benchmarks/survey_load.py                       # 500/s for 60 s
    python benchmarks/survey_load.py --rate 500 --duration 20 --kill-after 8
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import inspect
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

SURVEY = """\
id: pulse
name: Pulse NPS
trigger: manual
questions:
  - {id: nps, kind: nps, required: true, text: "How likely are you to recommend us?"}
comment: "Anything else?"
"""
SETTINGS = """\
name: survey-load
store: {database: cxscore.duckdb}
"""


def serve_command(root: Path, port: int, bare: bool) -> list[str]:
    """`cxscore serve` once the app mounts the survey endpoints itself; before that (or with --bare) this
    file's own launcher."""
    from cxscore.service import app

    if not bare and "from cxscore.surveys.http import" in inspect.getsource(app):
        cxscore = str(Path(sys.executable).with_name("cxscore"))
        return [cxscore, "serve", "--project", str(root), "--port", str(port)]
    return [
        sys.executable,
        __file__,
        "--serve",
        str(root),
        "--port",
        str(port),
        *(["--bare"] if bare else []),
    ]


def serve(root: Path, port: int, bare: bool) -> None:
    """What `cxscore serve` runs, with the survey endpoints installed; with `bare`, the survey endpoints
    alone on a FastAPI app holding the same state fields (no web-app pages or middleware)."""
    import threading
    from collections.abc import AsyncIterator
    from contextlib import asynccontextmanager

    import uvicorn
    from fastapi import FastAPI

    from cxscore.service.app import create_app
    from cxscore.store import open_project
    from cxscore.surveys.http import install

    project = open_project(root)
    if bare:

        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            for part in app.state.parts:
                part.start()
            yield
            for part in reversed(app.state.parts):
                part.close()
            app.state.survey_store.close()
            app.state.store.close()

        app = FastAPI(lifespan=lifespan)
        app.state.project, app.state.store = project, project.store()
        app.state.store_lock, app.state.parts = threading.RLock(), []
        app.state.survey_store = app.state.store.another_connection()
        app.state.survey_lock = threading.RLock()
    else:
        app = create_app(project)
    if not hasattr(app.state, "surveys"):
        install(app)
    gc.freeze()  # as `cxscore serve` does
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def prepare(root: Path, count: int, existing: int = 0) -> list[tuple[str, str]]:
    """A project with one survey and `count` invitations (after `existing` earlier invitations, half of
    them answered, as a company's store holds after a while); returns (invitation id, link token) pairs."""
    import pyarrow as pa

    from cxscore.store import init_project
    from cxscore.surveys.keys import Keys
    from cxscore.surveys.tokens import make_link, new_link_id

    init_project(root)
    (root / "cxscore.yaml").write_text(SETTINGS, encoding="utf-8")
    (root / "surveys").mkdir(exist_ok=True)
    (root / "surveys" / "pulse.yml").write_text(SURVEY, encoding="utf-8")
    key = Keys.of(root).link
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    expires = now + timedelta(days=7)
    ids = [new_link_id() for _ in range(count)]
    links = [(f"I-{i}", make_link(key, i, int(expires.replace(tzinfo=UTC).timestamp()))) for i in ids]
    from cxscore.store import open_project

    store = open_project(root).store()
    try:
        if existing:
            _history(store, existing, now)
        with store.transaction():
            invitations = [i for i, _ in links]
            store.load(
                "invitations",
                pa.table(
                    {
                        "invitation_id": invitations,
                        "survey_id": ["pulse"] * count,
                        "contact_id": [f"C-{n}" for n in range(count)],
                        "sent_at": [now] * count,
                        "trigger": ["manual"] * count,
                        "credited_team_id": ["T-1"] * count,
                    }
                ),
            )
            store.load(
                "_survey_links",
                pa.table(
                    {
                        "invitation_id": invitations,
                        "survey_id": ["pulse"] * count,
                        "language": ["en"] * count,
                        "expires_at": [expires] * count,
                        "mail_status": ["sent"] * count,
                    }
                ),
            )
    finally:
        store.close()
    return links


def _history(store: Any, existing: int, now: datetime) -> None:
    """`existing` earlier invitations of the survey with their links (used), and an answer to every other
    one, written by the engine (DuckDB) in one statement each."""
    store.execute(
        "INSERT INTO invitations (invitation_id, survey_id, contact_id, sent_at, trigger, credited_team_id) "
        "SELECT 'I-old-' || md5(CAST(i AS VARCHAR)), 'pulse', 'C-old-' || CAST(i % 100000 AS VARCHAR), "
        "CAST(? AS TIMESTAMP) - INTERVAL 30 DAY, 'manual', 'T-1' FROM range(?) t(i)",
        [now, existing],
    )
    store.execute(
        "INSERT INTO _survey_links (invitation_id, survey_id, language, expires_at, mail_status, used_at) "
        "SELECT invitation_id, survey_id, 'en', sent_at + INTERVAL 7 DAY, 'sent', "
        "CASE WHEN hash(invitation_id) % 2 = 0 THEN sent_at + INTERVAL 1 DAY END FROM invitations "
        "WHERE invitation_id LIKE 'I-old-%'"
    )
    store.execute(
        "INSERT INTO responses (response_id, survey_id, invitation_id, responded_at, nps, team_id) "
        "SELECT 'R-old-' || substr(invitation_id, 7), survey_id, invitation_id, used_at, 8, 'T-1' "
        "FROM _survey_links WHERE used_at IS NOT NULL"
    )


# -- a small HTTP/1.1 client: keep-alive connections, no per-request overhead of a full client --------------


class Connection:
    """One keep-alive connection from its own loopback address (127.0.0.N), as from one customer's browser:
    the per-address rate limits stay on, and no address sends more than rate / connections per second."""

    def __init__(self, port: int, number: int) -> None:
        self.port = port
        self.local = (f"127.0.{2 + number // 250}.{2 + number % 250}", 0)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: bytes = b"", timeout: float = 10.0
    ) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(
                "127.0.0.1", self.port, local_addr=self.local
            )
        assert self.reader is not None
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nAccept: application/json\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        try:
            self.writer.write(head.encode() + body)
            return await asyncio.wait_for(self._response(), timeout)
        except BaseException:
            self.close()
            raise

    async def _response(self) -> tuple[int, bytes]:
        assert self.reader is not None
        header = await self.reader.readuntil(b"\r\n\r\n")
        lines = header.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Results:
    acked: dict[str, str] = field(default_factory=dict)  # invitation id -> the ack body
    latencies: list[float] = field(default_factory=list)  # from the scheduled time
    service: list[float] = field(default_factory=list)  # from the actual send
    errors: dict[str, int] = field(default_factory=dict)
    unacked: list[int] = field(default_factory=list)
    retries_same: int = 0
    retries_differ: int = 0


async def fetch_forms(
    port: int, links: list[tuple[str, str]], concurrency: int
) -> tuple[list[str], list[float]]:
    """GET every link's page (JSON twin) for its form token, as a browser would first."""
    tokens = [""] * len(links)
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(len(links)):
        queue.put_nowait(number)

    async def worker(number: int) -> None:
        connection = Connection(port, number)
        while not queue.empty():
            number = queue.get_nowait()
            started = time.perf_counter()
            status, body = await connection.request("GET", f"/s/{links[number][1]}")
            latencies.append(time.perf_counter() - started)
            if status != 200:
                raise RuntimeError(f"GET of link {number} answered {status}: {body[:200]!r}")
            tokens[number] = json.loads(body)["form_token"]
        connection.close()

    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return tokens, latencies


def answer_body(form_token: str, number: int) -> bytes:
    rng = random.Random(number)
    score = rng.choices(range(11), weights=[2, 1, 1, 1, 2, 3, 4, 8, 14, 22, 20])[0]
    form = {"form_token": form_token, "nps": str(score)}
    if rng.random() < 0.3:
        form["comment"] = f"Answer {number}: " + rng.choice(["quick", "slow support", "great product", "ok"])
    return urlencode(form).encode()


async def submit_all(
    port: int,
    links: list[tuple[str, str]],
    tokens: list[str],
    numbers: list[int],
    rate: float,
    connections: int,
    results: Results,
    stop_at: float | None = None,
) -> None:
    """Send the submissions `numbers` at `rate` per second; 2% are sent twice (a retry)."""
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for number in range(connections):
        pool.put_nowait(Connection(port, number))
    start = time.perf_counter() + 0.2

    async def one(number: int, scheduled: float, retry: bool) -> None:
        connection = await pool.get()
        sent = time.perf_counter()
        try:
            status, body = await connection.request(
                "POST", f"/s/{links[number][1]}", answer_body(tokens[number], number)
            )
        except (TimeoutError, OSError, asyncio.IncompleteReadError) as error:
            results.errors[type(error).__name__] = results.errors.get(type(error).__name__, 0) + 1
            if not retry:
                results.unacked.append(number)
            return
        finally:
            pool.put_nowait(connection)
        done = time.perf_counter()
        invitation = links[number][0]
        if status != 200:
            results.errors[str(status)] = results.errors.get(str(status), 0) + 1
            if not retry:
                results.unacked.append(number)
            return
        if retry:
            same = results.acked.get(invitation) in (None, body.decode())
            results.retries_same += same
            results.retries_differ += not same
        else:
            results.latencies.append(done - scheduled)
            results.service.append(done - sent)
        results.acked.setdefault(invitation, body.decode())

    tasks = []
    for index, number in enumerate(numbers):
        scheduled = start + index / rate
        delay = scheduled - time.perf_counter()
        if stop_at is not None and scheduled >= stop_at:
            results.unacked += numbers[index:]
            break
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(number, scheduled, False)))
        if number % 50 == 7:  # 2%: the browser sends the same form again
            tasks.append(asyncio.create_task(one(number, scheduled, True)))
    await asyncio.gather(*tasks)
    while not pool.empty():
        pool.get_nowait().close()


def start_server(root: Path, port: int, log: Path, bare: bool) -> subprocess.Popen[bytes]:
    with log.open("ab") as handle:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(serve_command(root, port, bare), stdout=handle, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}; see {log}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start within 60 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def check_store(root: Path, acked: dict[str, str]) -> dict[str, int]:
    """Every acknowledged answer stored exactly once; no invitation answered twice."""
    from cxscore.store import open_project

    store = open_project(root).store()
    try:
        counts = dict(
            store.execute(
                "SELECT invitation_id, count(*) FROM responses WHERE invitation_id IS NOT NULL GROUP BY 1"
            ).fetchall()
        )
        used = store.execute("SELECT count(*) FROM _survey_links WHERE used_at IS NOT NULL").fetchone()[0]
        followups = store.execute("SELECT count(*) FROM followups").fetchone()[0]
    finally:
        store.close()
    return {
        "acknowledged": len(acked),
        "stored": sum(counts.values()),
        "acknowledged_and_stored": sum(1 for i in acked if counts.get(i) == 1),
        "lost": sum(1 for i in acked if i not in counts),
        "duplicates": sum(n - 1 for n in counts.values() if n > 1),
        "links_used": int(used),
        "followups_opened": int(followups),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(args: argparse.Namespace) -> dict[str, object]:
    count = int(args.rate * args.duration)
    with tempfile.TemporaryDirectory(prefix="cxscore-survey-load-") as folder:
        root = Path(folder) / "project"
        links = prepare(root, count, args.existing)
        port = free_port()
        log = Path(folder) / "server.log"
        server = start_server(root, port, log, args.bare)
        try:
            began = time.perf_counter()
            tokens, page_latencies = asyncio.run(fetch_forms(port, links, args.connections))
            pages_seconds = time.perf_counter() - began
            results = Results()
            loop_started = time.perf_counter()
            stop_at = loop_started + 0.2 + args.kill_after if args.kill_after else None
            killed_at: float | None = None
            if args.kill_after:
                # Kill the server from a timer while the load runs; then send the unacknowledged again.
                def kill() -> None:
                    nonlocal killed_at
                    killed_at = time.perf_counter()
                    os.kill(server.pid, signal.SIGKILL)

                import threading

                timer = threading.Timer(args.kill_after + 0.2, kill)
                timer.start()
                asyncio.run(
                    submit_all(
                        port,
                        links,
                        tokens,
                        list(range(count)),
                        args.rate,
                        args.connections,
                        results,
                        stop_at=stop_at + 0.5 if stop_at else None,
                    )
                )
                timer.join()
                server.wait()
                acked_before = len(results.acked)
                unacked = sorted(
                    set(results.unacked) - {i for i, (inv, _) in enumerate(links) if inv in results.acked}
                )
                server = start_server(root, port, log, args.bare)
                retry = Results()
                retry.acked = results.acked
                asyncio.run(submit_all(port, links, tokens, unacked, args.rate, args.connections, retry))
                submitted_seconds = time.perf_counter() - loop_started
                extra = {
                    "killed_after_s": round((killed_at or 0) - loop_started, 2),
                    "acknowledged_before_kill": acked_before,
                    "sent_again_after_restart": len(unacked),
                    "errors_during_kill": results.errors,
                    "errors_after_restart": retry.errors,
                    "unacknowledged_at_end": len(retry.unacked),
                }
            else:
                asyncio.run(
                    submit_all(port, links, tokens, list(range(count)), args.rate, args.connections, results)
                )
                submitted_seconds = time.perf_counter() - loop_started
                extra = {"errors": results.errors, "unacknowledged": len(results.unacked)}
        finally:
            if server.poll() is None:
                stop_server(server)
        check = check_store(root, results.acked)
        log_text = log.read_text(encoding="utf-8", errors="replace")[-2000:]
    load = os.getloadavg()
    return {
        "rate_target": args.rate,
        "existing_invitations": args.existing,
        "duration_target_s": args.duration,
        "submissions_scheduled": count,
        "submitting_took_s": round(submitted_seconds, 2),
        "achieved_per_s": round(len(results.latencies) / max(submitted_seconds - 0.2, 1e-9), 1),
        "latency_ms_from_schedule": summary_ms(results.latencies),
        "latency_ms_service": summary_ms(results.service),
        "page_fetch": {
            "pages": len(page_latencies),
            "seconds": round(pages_seconds, 1),
            **summary_ms(page_latencies),
        },
        "retries_same_ack": results.retries_same,
        "retries_different_ack": results.retries_differ,
        **extra,
        **check,
        "load_average_after": [round(x, 2) for x in load],
        "server_log_tail": log_text.strip()[-500:],
        "server": "survey endpoints alone (--bare)" if args.bare else "the whole app (create_app)",
        "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
    }


def summary_ms(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "n": len(values),
        "p50": round(1000 * statistics.median(values), 1),
        "p90": round(1000 * percentile(values, 0.90), 1),
        "p99": round(1000 * percentile(values, 0.99), 1),
        "max": round(1000 * max(values), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=500.0, help="submissions per second")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--connections", type=int, default=64, help="keep-alive connections")
    parser.add_argument(
        "--kill-after", type=float, default=0.0, help="SIGKILL the server after this many seconds"
    )
    parser.add_argument(
        "--existing",
        type=int,
        default=0,
        help="earlier invitations (half answered) already in the store, as after a while in production",
    )
    parser.add_argument(
        "--bare",
        action="store_true",
        help="serve the survey endpoints alone, without the web app's middleware",
    )
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.bare)
        return
    if args.rate * args.duration > 200_000:
        parser.error("at most 200,000 submissions per run (rate x duration); the benchmark is bounded")
    print("load average before:", [round(x, 2) for x in os.getloadavg()], file=sys.stderr)
    print(json.dumps(run(args), indent=2))


if __name__ == "__main__":
    main()
