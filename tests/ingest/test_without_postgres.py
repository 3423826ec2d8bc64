"""The embedded store imports without the `postgres` extra: psycopg is loaded only for a PostgreSQL store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

#: Runs an import into a new DuckDB project in a Python where importing psycopg fails, as in an install
#: without `cxscore[postgres]`.
SCRIPT = """
import builtins, pathlib, sys
real = builtins.__import__
def without_psycopg(name, *args, **kwargs):
    if name.split(".")[0] == "psycopg":
        raise ImportError("No module named 'psycopg'")
    return real(name, *args, **kwargs)
builtins.__import__ = without_psycopg
from cxscore.ingest import import_files
from cxscore.store import init_project
folder = pathlib.Path(sys.argv[1])
(folder / "people.csv").write_text("person_id,name\\nP1,Ada\\n", encoding="utf-8")
store = init_project(folder / "co").store()
print(import_files(store, "people", [folder / "people.csv"]).inserted)
store.close()
"""


def test_an_import_into_duckdb_does_not_need_psycopg(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"
