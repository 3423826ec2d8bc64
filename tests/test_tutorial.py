"""The tutorial runs as written: every ```bash block of docs/tutorial.md, in order, and its ```python block.

What stands in for the reader's machine: HOME is a temporary folder (so `~/acme` is made there), and the
commands start in a stand-in for the cloned `cxscore` folder whose `docs/` is this repository's. Skipped,
because a test cannot run them: the two blocks of step 1 (`git clone`, `make demo` and the demo company,
which take minutes), and `cxscore serve`, which runs until Ctrl-C: instead the test starts that command on
a free port, signs in as the accounts the tutorial made, fetches the pages the tutorial names and stops it.

`cxscore ...` commands run in this process through typer's runner (one start-up instead of forty, which
keeps the test to seconds); every other command (`cp`, `mkdir`, `cat > file <<'EOF'`) runs in bash. Each
command must exit with status 0, or 1 where the tutorial says it exits with status 1. The key numbers the
tutorial quotes are checked against what the commands print.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from cxscore.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"
CXSCORE = Path(sys.executable).parent / "cxscore"
BLOCK = re.compile(r"^```(bash|python)\n(.*?)^```", re.M | re.S)
SKIPPED_BLOCKS = ("make demo", "cd demo-company")  # step 1: needs the cloned repository and the demo


@dataclass(frozen=True)
class Ran:
    command: str
    output: str
    status: int

    @property
    def flat(self) -> str:
        """The output with every run of whitespace made one space (tables pad their cells)."""
        return " ".join(self.output.split())

    @property
    def text(self) -> str:
        """The output without table borders: a cell wrapped over lines reads as one sentence again."""
        return " ".join(self.output.replace("│", " ").split())


def blocks(text: str) -> list[tuple[str, str]]:
    """The tutorial's ```bash and ```python blocks, in order, as (language, code)."""
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(text)]


def commands(block: str) -> list[str]:
    """One shell command per entry: continuation lines joined, a here-document kept with its command.

    >>> commands("a \\\\\\n  b\\ncat > f <<'EOF'\\nx: 1\\nEOF\\n# note\\nc   # why\\n")
    ['a b', "cat > f <<'EOF'\\nx: 1\\nEOF", 'c   # why']
    """
    lines, found = block.splitlines(), []
    while lines:
        line = lines.pop(0)
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        while line.endswith("\\"):
            line = line[:-1].rstrip() + " " + lines.pop(0).strip()
        heredoc = re.search(r"<<'(\w+)'", line)
        if heredoc:
            body = []
            while lines[0] != heredoc.group(1):
                body.append(lines.pop(0))
            line = "\n".join([line, *body, lines.pop(0)])
        found.append(line)
    return found


class Shell:
    """Runs the tutorial's commands one after the other, like a reader's terminal."""

    def __init__(self, home: Path, start: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.home, self.cwd, self.monkeypatch = home, start, monkeypatch
        self.ran: list[Ran] = []
        self.runner = CliRunner()

    def run(self, command: str) -> Ran:
        words = shlex.split(command.split("\n")[0], comments=True)
        if words[0] == "cd":
            self.cwd = (self.cwd / self.expand(words[1])).resolve()
            ran = Ran(command, "", 0)
        elif words[0] == "cxscore" and "\n" not in command and not {"|", "&&", ";"} & set(words):
            ran = self.cxscore(command, [self.expand(w) for w in words[1:]])
        else:
            ran = self.bash(command)
        expected = 1 if "exits with status 1" in command else 0
        assert ran.status == expected, f"`{command}` exited with {ran.status}:\n{ran.output}"
        self.ran.append(ran)
        return ran

    def expand(self, word: str) -> str:
        return str(self.home) + word[1:] if word == "~" or word.startswith("~/") else word

    def cxscore(self, command: str, args: list[str]) -> Ran:
        target = None
        if ">" in args:
            at = args.index(">")
            target, args = self.cwd / args[at + 1], args[:at]
        self.monkeypatch.chdir(self.cwd)
        result = self.runner.invoke(app, args)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        if target is not None:
            target.write_text(result.stdout, encoding="utf-8")
        return Ran(command, result.output, result.exit_code)

    def bash(self, command: str) -> Ran:
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", command],
            cwd=self.cwd,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        return Ran(command, done.stdout + done.stderr, done.returncode)

    def env(self) -> dict[str, str]:
        path = f"{CXSCORE.parent}{os.pathsep}{os.environ.get('PATH', '')}"
        return {**os.environ, "HOME": str(self.home), "PATH": path, "COLUMNS": "200"}

    def outputs(self, start: str) -> list[Ran]:
        return [r for r in self.ran if r.command.startswith(start)]


@contextlib.contextmanager
def served(shell: Shell, command: str) -> Iterator[str]:
    """`cxscore serve` as the tutorial runs it, on a free port of 127.0.0.1 instead of 8000; stopped after."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    words = [str(CXSCORE), *shlex.split(command, comments=True)[1:], "--port", str(port)]
    env = {**shell.env(), "CXSCORE_WARM_UP": "0"}
    server = subprocess.Popen(words, cwd=shell.cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/login", timeout=5).status_code == 200:
                    break
            assert time.monotonic() < deadline, "cxscore serve did not answer in 60 s"
            time.sleep(0.2)
        yield url
    finally:
        server.send_signal(signal.SIGINT)  # what Ctrl-C does
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stdout:
            server.stdout.close()


def sign_in(url: str, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60.0, follow_redirects=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    answer = client.post("/login", data={"username": username, "password": password, "csrf_token": token[1]})
    assert answer.status_code == 200 and "Sign out" in answer.text, answer.text
    return client


def visit_the_web_app(shell: Shell, command: str, text: str) -> None:
    """Step 9: the pages the tutorial names, signed in with the passwords `cxscore users add` printed."""
    passwords = {}
    for ran in shell.outputs("cxscore users add"):
        name = shlex.split(ran.command)[3]
        found = re.search(r"Password \(shown once\): (\S+)", ran.output)
        assert found, ran.output
        passwords[name] = found[1]
    for path in ("/teams/T-SUP-EU?period=2025", "/api/teams/T-SUP-EU?period=2025", "/me", "/people/P-011"):
        assert path in text
    with served(shell, command) as url:
        with contextlib.closing(sign_in(url, "lena", passwords["lena"])) as lena:
            page = lena.get("/teams/T-SUP-EU?period=2025")
            assert page.status_code == 200
            assert "About 11 of the 144 answers moving from detractor or passive to promoter" in page.text
            twin = lena.get("/api/teams/T-SUP-EU?period=2025").json()
            nps = next(m for m in twin["scorecard"]["metrics"] if m["metric"] == "nps")
            assert (nps["n"], round(nps["value"]), nps["goal"]) == (144, 28, 36.0)
        with contextlib.closing(sign_in(url, "aisha", passwords["aisha"])) as aisha:
            assert "Aisha Khan" in aisha.get("/me").text
            assert aisha.get("/people/P-011").status_code == 403


def run_python(shell: Shell, code: str) -> Ran:
    shell.monkeypatch.chdir(shell.cwd)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, str(TUTORIAL), "exec"), {})
    return Ran(code, printed.getvalue(), 0)


def test_the_sample_files_are_what_make_sample_writes(tmp_path: Path) -> None:
    """The committed exports are what the script writes (its docstring says what is planted in them)."""
    script = ROOT / "docs" / "tutorial" / "make_sample.py"
    spec = importlib.util.spec_from_file_location("make_sample", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    committed = ROOT / "docs" / "tutorial" / "exports"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in committed.iterdir())
    for written in tmp_path.iterdir():  # CRLF, as the csv module writes; a checkout may have made them LF
        same = [f.read_bytes().replace(b"\r\n", b"\n") for f in (written, committed / written.name)]
        assert same[0] == same[1], written.name


def test_the_tutorial_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = TUTORIAL.read_text(encoding="utf-8")
    checkout = tmp_path / "cxscore"
    checkout.mkdir()
    (checkout / "docs").symlink_to(ROOT / "docs")
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("COLUMNS", "200")  # wide tables, so names and numbers stay on one line
    shell = Shell(tmp_path / "home", checkout, monkeypatch)
    skipped, python = 0, []
    for language, code in blocks(text):
        if language == "python":
            python.append(run_python(shell, code))
        elif any(marker in code for marker in SKIPPED_BLOCKS):
            skipped += 1
        else:
            for command in commands(code):
                if command.startswith("cxscore serve"):
                    visit_the_web_app(shell, command, text)
                else:
                    shell.run(command)
    assert skipped == 2, "only step 1's two blocks (the clone and the demo company) may be skipped"
    assert len(python) == 1 and "T-SUP-EU" in python[0].output
    check_imports(shell)
    check_numbers(shell)


def counts(ran: Ran) -> tuple[int, ...]:
    """read, inserted, updated, unchanged, duplicates, quarantined of an import's summary."""
    row = re.search(r"│ (\d+) +│ (\d+) +│ (\d+) +│ (\d+) +│ (\d+) +│ (\d+) +│", ran.output)
    assert row, ran.output
    return tuple(int(n) for n in row.groups())


def check_imports(shell: Shell) -> None:
    first, again, corrected = shell.outputs("cxscore import responses")
    assert counts(first) == (543, 541, 0, 0, 0, 2)
    assert counts(again) == (543, 0, 0, 541, 0, 2)  # the same file again: nothing changes
    assert "exports/nps-corrected.csv" in corrected.command
    assert counts(corrected) == (543, 1, 1, 541, 0, 0)  # the fixed 11 is inserted, one answer updated
    assert "1 previously quarantined row(s) are now stored and marked resolved" in corrected.flat
    rejected, after = [r for r in shell.ran if r.command == "cxscore quarantine"]
    assert "nps: 11 is above the maximum 10" in rejected.flat
    assert "person_id: 'P-016' is not in people.person_id" in rejected.flat
    assert "1 now stored, 1 still quarantined" in shell.outputs("cxscore quarantine retry")[0].flat
    assert "No open rows in the quarantine" in after.flat
    kept = shell.outputs("cxscore quarantine --status all")[0].flat
    assert "(nps = '11') [resolved]" in kept and "(person_id = 'P-016') [resolved]" in kept
    memberships = shell.outputs("cxscore import memberships exports/memberships.csv")[0]
    assert counts(memberships) == (14, 14, 0, 0, 0, 0)


def check_numbers(shell: Shell) -> None:
    by_team = shell.outputs("cxscore metrics show nps --by team --grain year")[0].flat
    assert "│ T-SUP-EU │ Support Europe │ 2025 │ +28 │ 144 │ +15 to +41 │ +36 │ <0.001 │" in by_team
    assert "│ T-SUP-APAC │ Support Asia-Pacific │ 2025 │ +29 * │ 7 │ -32 to +72 │" in by_team
    assert "│ T-SUP-US │ Support Americas │ 2025 │ +13 │ 121 │ -0 to +26 │ -1 │ 0.876 │" in by_team
    quarters = shell.outputs("cxscore metrics show nps --by team --grain quarter")[0].flat
    assert "│ T-SUP-US │ Support Americas │ 2025-Q2 │ +11 │ 44 │ -12 to +33 │ -20 │ 0.246 │" in quarters
    assert "2025-Q3 │ -4 * │ 23 │" in quarters and "2025-Q4 │ +9 * │ 22 │" in quarters
    stages = shell.outputs("cxscore metrics show nps --by touchpoint")[0].flat
    for stage, year, value in [("Onboarding", 2024, -24), ("Onboarding", 2025, -11), ("Support", 2024, 17)]:
        assert f"│ company │ {stage} │ {year} │ {value:+d} │" in stages
    assert "│ company │ Support │ 2025 │ +34 │" in stages
    exported = (shell.home / "acme" / "nps-by-segment.csv").read_text(encoding="utf-8")
    assert exported.startswith("metric,scope,scope_id,segment,period")
    assert "All 30 metric definitions are valid" in shell.outputs("cxscore metrics validate")[0].flat
    detractors = shell.outputs("cxscore metrics show detractor_rate")[0].flat
    assert "│ 2025 │ 20.8% │ 144 │ 15.0% to 28.2% │ -17.4 pts │ 0.002 │" in detractors
    team = shell.outputs("cxscore scorecard show --team T-SUP-EU")[0].flat
    assert "Weighted score 0.55" in team and "likely not met" in team
    assert "+36 for Support Europe (T-SUP-EU) in 2026" in shell.outputs("cxscore goals show nps")[0].flat
    ranking = shell.outputs("cxscore rank nps --by person")[0].flat
    assert "Left out: Ines Duarte (P-016), +100: n=1 is under the minimum sample of 30." in ranking
    assert "│ 1 │ 1 │ Marco Rossi (P-011) │ +41 (+16 to +58) │ 32 │ +28 (+14 to +43) │ 54% │" in ranking
    assert "│ 8 │ 1 │ Luis Ortega (P-021) │" in ranking  # one band: nobody can be told apart
    awards = shell.outputs("cxscore awards")[0].flat
    assert "AWARDED Support Europe (T-SUP-EU)" in awards and "probability 98.9%" in awards
    assert "0 of 2 team(s) with enough answers are surely beyond the bar" in awards
    summary = shell.outputs("cxscore payouts --period 2025-Q4 --summary")[0].flat
    assert "│ Marco Rossi (P-011) │ T-SUP-EU │ 600.00 │" in summary
    assert "│ Luis Ortega (P-021) │ T-SUP-US │ 0.00 │" in summary
    marco = shell.outputs("cxscore payouts --period 2025-Q4 --person P-011")[0].text
    assert "nps of team T-SUP-EU: +31 (n=42, 95% CI +6 to +51); 600.00 EUR at +30" in marco
    current = shell.outputs("cxscore plans check --plan current")[0].flat
    assert "in 37 of 37 person-periods (median n 8)" in current and "reliability 0.27" in current
    whatif = shell.outputs("cxscore plans whatif")[0].flat
    assert "8,400.00 under current" in whatif and "7,420.82 under proposed" in whatif
    proposed = shell.outputs("cxscore plans check --plan proposed")[0].flat
    assert "42.81 EUR per point" in proposed and "reliability 0.42" in proposed and "USD" not in proposed
    diagnosis = shell.outputs("cxscore diagnose")[0].flat
    assert "The gap, 15, is within noise (-3 to +34): there is nothing to explain." in diagnosis
    drivers = shell.outputs("cxscore drivers")[0].flat
    assert "│ 1 │ touchpoint │ 0.0933 │" in drivers
    assert "Onboarding: -11.24 (n=89, -48.94 vs the rest)" in drivers
    verbatims = shell.outputs("cxscore verbatims")[0].text
    assert "Onboarding 50 -0.18 NPS -8 (n=50)" in verbatims  # the touchpoint with the lowest sentiment
    assert re.search(r"invoice / [^│]*? -0\.\d\d NPS -", verbatims), verbatims  # an unhappy invoice topic
