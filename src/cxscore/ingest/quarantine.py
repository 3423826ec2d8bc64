"""The quarantine: rejected rows with every reason, kept whole until a retry stores them.

A quarantined row is identified by its table, file, record number and content, so importing the same bad
file twice does not quarantine it twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxscore.ingest.scratch import scratch
from cxscore.ingest.sources import Malformed
from cxscore.ingest.sql import ident, literal
from cxscore.ingest.validate import CHECKED, PROBLEMS
from cxscore.model import Table
from cxscore.store import Store

__all__ = [
    "MALFORMED_START",
    "QUARANTINE",
    "REJECTED",
    "QuarantinedRow",
    "apply_quarantine",
    "list_rows",
    "prepare_quarantine",
    "resolve_stored",
]

QUARANTINE = "_quarantine"
#: How the raw JSON of a malformed line starts: such rows cannot be retried as they are.
MALFORMED_START = '{"_malformed_line":'


@dataclass(frozen=True)
class QuarantinedRow:
    quarantine_id: str
    table_name: str
    file: str
    line: int
    column_name: str | None
    value: str | None
    reason: str
    status: str


REJECTED = scratch("_cx_rejected")
_MALFORMED = scratch("_cx_malformed")


def prepare_quarantine(store: Store, table: Table, import_id: str, lines: list[Malformed]) -> int:
    """Build, in the scratch database, the quarantine rows of this import: every row with problems and
    every malformed source line. Return how many."""
    store.execute(
        f"CREATE OR REPLACE TABLE {REJECTED} AS SELECT "
        f"{literal(table.name + ':')} || md5(_file || chr(31) || _line || chr(31) || _raw) AS quarantine_id, "
        f"{literal(import_id)} AS import_id, {literal(table.name)} AS table_name, _file AS file, "
        "_line AS line, CAST(_problems[1].c AS VARCHAR) AS column_name, "
        "CAST(_problems[1].v AS VARCHAR) AS value, "
        "array_to_string(list_transform(_problems, x -> x.r), '; ') AS reason, "
        "_raw AS raw, 'open' AS status, now()::TIMESTAMP AS quarantined_at "
        f"FROM {PROBLEMS}"
    )
    if lines:
        # Lines the parser could not split into columns cannot be retried as they are.
        store.execute(
            f"CREATE OR REPLACE TABLE {_MALFORMED} (file VARCHAR, line BIGINT, text VARCHAR, reason VARCHAR)"
        )
        store.con.con.executemany(
            f"INSERT INTO {_MALFORMED} VALUES (?, ?, ?, ?)",
            [(m.file, m.line, m.text, m.reason) for m in lines],
        )
        store.execute(
            f"INSERT INTO {REJECTED} SELECT "
            f"{literal(table.name + ':')} || md5(file || chr(31) || line || chr(31) || text), "
            f"{literal(import_id)}, {literal(table.name)}, file, line, NULL, text, "
            "reason || '; fix the line in the file and import it again', "
            "CAST(to_json(struct_pack(_malformed_line := text)) AS VARCHAR), 'open', now()::TIMESTAMP "
            f"FROM {_MALFORMED}"
        )
    return int(store.execute(f"SELECT count(*) FROM {REJECTED}").fetchone()[0])


def apply_quarantine(store: Store) -> None:
    """Store the prepared quarantine rows; a row quarantined before (same file, record and content) is
    replaced, not repeated."""
    store.execute(f"DELETE FROM {QUARANTINE} WHERE quarantine_id IN (SELECT quarantine_id FROM {REJECTED})")
    store.execute(f"INSERT INTO {QUARANTINE} BY NAME SELECT * FROM {REJECTED}")


def resolve_stored(store: Store, table: Table) -> int:
    """Mark open quarantined rows of `table` resolved when a row with the same key was just stored."""
    open_rows = store.execute(
        f"SELECT count(*) FROM {QUARANTINE} WHERE status = 'open' AND table_name = {literal(table.name)}"
    ).fetchone()[0]
    if not open_rows:
        return 0
    stored = " AND ".join(
        f"trim(json_extract_string(q.raw, {literal('$.' + k)})) = CAST(c.{ident(k)} AS VARCHAR)"
        for k in table.key
    )
    return int(
        store.execute(
            f"UPDATE {QUARANTINE} q SET status = 'resolved' FROM {CHECKED} c "
            f"WHERE q.table_name = {literal(table.name)} AND q.status = 'open' "
            f"AND NOT c._bad AND {stored}"
        ).fetchone()[0]
    )


def list_rows(
    store: Store, table: str | None = None, status: str = "open", limit: int = 50
) -> list[QuarantinedRow]:
    """Quarantined rows, newest first."""
    where = [f"status = {literal(status)}"] if status != "all" else []
    if table:
        where.append(f"table_name = {literal(table)}")
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = store.execute(
        "SELECT quarantine_id, table_name, file, line, column_name, value, reason, status "
        f"FROM {QUARANTINE} {clause} ORDER BY quarantined_at DESC, file, line LIMIT {int(limit)}"
    ).fetchall()
    return [
        QuarantinedRow(str(r[0]), str(r[1]), str(r[2]), int(r[3]), r[4], r[5], str(r[6]), str(r[7]))
        for r in rows
    ]


def count_rows(store: Store, table: str | None = None) -> dict[str, int]:
    """How many open rows each table has in the quarantine."""
    where = f"AND table_name = {literal(table)}" if table else ""
    rows = store.execute(
        f"SELECT table_name, count(*) FROM {QUARANTINE} WHERE status = 'open' {where} GROUP BY 1 ORDER BY 1"
    ).fetchall()
    return {str(name): int(n) for name, n in rows}


def drop_rows(store: Store, table: str) -> int:
    """Mark the open rows of `table` as dropped."""
    with store.transaction():
        n = count_rows(store, table).get(table, 0)
        store.execute(
            f"UPDATE {QUARANTINE} SET status = 'dropped' "
            f"WHERE status = 'open' AND table_name = {literal(table)}"
        )
    return n
