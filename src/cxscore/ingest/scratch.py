"""The scratch database where an import stages, types and checks rows before anything is stored.

It is a separate DuckDB file, attached to the import's workspace (the store's own connection on DuckDB,
an in-memory DuckDB beside a PostgreSQL store) for the length of one import and deleted afterwards.
Keeping the bulky intermediate tables out of the store's transaction lets DuckDB spill them to disk (data
written inside an open transaction stays in memory), so a 10-million-row import fits in a bounded memory;
only the final changes to the store happen in one short transaction.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cxscore.ingest.sql import literal
from cxscore.store import Store

__all__ = ["SCRATCH", "scratch", "scratch_database"]

SCRATCH = "cx_scratch"
#: Environment variable naming the folder for scratch files (default: the system's temporary folder).
SCRATCH_ENV = "CXSCORE_SCRATCH_DIR"


def scratch(name: str) -> str:
    """The qualified name of a scratch table.

    >>> scratch("_cx_checked")
    'cx_scratch._cx_checked'
    """
    return f"{SCRATCH}.{name}"


@contextmanager
def scratch_database(store: Store) -> Iterator[None]:
    """Attach a fresh scratch database to the workspace's connection; detach and delete it afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="cxscore-import-", dir=os.environ.get(SCRATCH_ENV)))
    store.execute(f"ATTACH {literal(str(folder / 'scratch.duckdb'))} AS {SCRATCH}")
    try:
        yield
    finally:
        store.execute(f"DETACH {SCRATCH}")
        shutil.rmtree(folder, ignore_errors=True)
