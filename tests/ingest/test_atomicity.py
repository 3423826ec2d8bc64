"""An import is one transaction: a failure, or a process killed with SIGKILL, half-way leaves the store as
it was (on DuckDB and on PostgreSQL: the project fixture runs each test on both)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from cxscore.ingest import import_files
from cxscore.store import Project, Store

CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from cxscore.ingest import import_files
    from cxscore.store import open_project

    project, source, marker = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])

    def on_step(step: str) -> None:
        # Staging, validation and the quarantine are written by now; the upsert is next.
        if step == "storing":
            marker.write_text("storing")
            time.sleep(60)

    import_files(open_project(project).store(), "responses", [source], progress=on_step)
    """
)


class Interrupted(Exception):
    """Raised by the test half-way through an import."""


def interrupt_when_storing(step: str) -> None:
    # The rejected rows were written into the store's transaction just before this step.
    if step == "storing":
        raise Interrupted(step)


def test_a_failure_while_storing_leaves_the_store_as_before(store: Store, tmp_path: Path) -> None:
    first = tmp_path / "first.csv"
    first.write_text("response_id,responded_at,nps\nR1,2025-01-01,9\nR2,2025-01-01,11\n", encoding="utf-8")
    import_files(store, "responses", [first])
    second = tmp_path / "second.csv"
    second.write_text(
        "response_id,responded_at,nps\nR1,2025-01-01,3\nR3,2025-01-02,8\nR4,2025-01-02,12\n", encoding="utf-8"
    )
    before = [store.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("responses", "_quarantine")]
    with pytest.raises(Interrupted):
        import_files(store, "responses", [second], progress=interrupt_when_storing)
    after = [store.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("responses", "_quarantine")]
    assert after == before
    assert store.count("_imports") == 1
    result = import_files(store, "responses", [second])
    assert (result.inserted, result.updated, result.quarantined) == (1, 1, 1)
    assert store.count("_imports") == 2


@pytest.mark.slow
def test_kill_during_import_leaves_store_as_before(project: Project, tmp_path: Path) -> None:
    before = tmp_path / "before.csv"
    before.write_text("response_id,responded_at,nps\nR0,2025-01-01,9\n", encoding="utf-8")
    source = tmp_path / "big.csv"
    with source.open("w", encoding="utf-8") as handle:
        handle.write("response_id,responded_at,nps\n")
        handle.writelines(f"R{i},2025-01-02 10:00:00,{i % 12}\n" for i in range(1, 200_001))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "cxscore.cli.main",
            "import",
            "responses",
            str(before),
            "-p",
            str(project.root),
        ],
        check=True,
        capture_output=True,
    )
    marker = tmp_path / "marker"
    log = tmp_path / "child.log"
    with log.open("wb") as output:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(project.root), str(source), str(marker)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert child.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "the import never reached the storing step"
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL

    store = project.store()
    try:
        assert store.execute("SELECT response_id, nps FROM responses").fetchall() == [("R0", 9)]
        assert store.count("_quarantine") == 0
        assert store.count("_imports") == 1
        result_after = import_files(store, "responses", [source])
        assert result_after.inserted + result_after.quarantined == 200_000
    finally:
        store.close()
