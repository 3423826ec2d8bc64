"""Webhook rows through the importer on any store the survey service runs on.

The importer (`cxscore.ingest`) validates, quarantines and upserts in DuckDB SQL, so on DuckDB a
delivery is imported into the store directly. On PostgreSQL it is imported into a scratch in-memory
DuckDB store holding what the validation needs from the real one: the keys the delivery's rows refer
to (accounts, contacts, cases, ...), the stored responses with the same ids (so a retry counts as
unchanged) and the open quarantined rows that name them (so a corrected row resolves them). What the
import changed there (the responses, the quarantined rows, the import's log) then replaces the same
rows in the real store, in one transaction. A delivery is a handful of rows, so the scratch store is
small.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from functools import reduce
from pathlib import Path
from typing import Any

from cxscore.ingest import ImportOptions, import_files
from cxscore.ingest.importer import ImportResult
from cxscore.model import table as model_table
from cxscore.store import Store

__all__ = ["import_responses"]

_RESPONSES = model_table("responses")


def import_responses(store: Store, path: Path, rows: Sequence[dict[str, Any]]) -> ImportResult:
    """Import the file `path` (holding `rows`) into `responses`, as `cxscore import responses` would."""
    if store.backend == "duckdb":
        return import_files(store, "responses", [path], ImportOptions())
    scratch = Store.duckdb()
    try:
        scratch.create_schema()
        _copy_references(store, scratch, rows)
        ids = sorted({str(r["response_id"]).strip() for r in rows if r.get("response_id")})
        _copy_rows(store, scratch, "responses", "response_id", ids)
        _copy_open_quarantine(store, scratch, ids)
        result = import_files(scratch, "responses", [path], ImportOptions())
        with store.transaction():
            _replace(scratch, store, "responses", "response_id")
            _replace(scratch, store, "_quarantine", "quarantine_id")
            _replace(scratch, store, "_imports", "import_id")
        return result
    finally:
        scratch.close()


def _copy_references(store: Store, scratch: Store, rows: Sequence[dict[str, Any]]) -> None:
    """The keys the rows refer to, each from its table (only the key column: validation needs no more)."""
    for column in _RESPONSES.columns:
        if column.references is None:
            continue
        table, key = column.references.split(".")
        values = sorted({str(r[column.name]).strip() for r in rows if r.get(column.name) is not None})
        if table != "responses":
            _copy_rows(store, scratch, table, key, values, only_key=True)


def _copy_open_quarantine(store: Store, scratch: Store, ids: Sequence[str]) -> None:
    """The open quarantined responses that may carry these ids: a row stored now resolves them."""
    if not ids:
        return
    quarantine = store.table("_quarantine")
    mentions = reduce(operator.or_, [quarantine.raw.contains(i) for i in ids])
    found = quarantine.filter(
        (quarantine.status == "open") & (quarantine.table_name == "responses") & mentions
    )
    scratch.load("_quarantine", found.to_pyarrow())


def _copy_rows(
    source: Store, target: Store, table: str, key: str, values: Sequence[str], only_key: bool = False
) -> None:
    if not values:
        return
    found = source.table(table)
    found = found.filter(found[key].isin(list(values)))
    if only_key:
        found = found.select(key).distinct()
    target.load(table, found.to_pyarrow())


def _replace(scratch: Store, store: Store, table: str, key: str) -> None:
    """Put the scratch store's rows of `table` in place of the real store's rows with the same keys."""
    rows = scratch.table(table).to_pyarrow()
    keys = sorted({str(k) for k in rows.column(key).to_pylist() if k is not None})
    if not keys:
        return
    marks = ", ".join("?" for _ in keys)
    store.execute(
        f"DELETE FROM {store.engine.quote(table)} WHERE {store.engine.quote(key)} IN ({marks})", keys
    )
    store.load(table, rows)
