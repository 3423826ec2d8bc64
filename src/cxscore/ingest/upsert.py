"""Store the good rows: insert new keys, update changed rows, leave identical rows alone.

Columns the source did not have keep their stored values, so a file with a few columns patches rows
instead of blanking the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxscore.ingest.sql import ident
from cxscore.ingest.validate import CHECKED
from cxscore.model import Table
from cxscore.store import Store

__all__ = ["Changes", "upsert"]

_CHANGES = "_cx_changes"


@dataclass(frozen=True)
class Changes:
    inserted: int
    updated: int
    unchanged: int


def upsert(store: Store, table: Table, present: set[str]) -> Changes:
    """Merge the good rows of `_cx_checked` into `table` by its natural key."""
    target = ident(table.name)
    on = " AND ".join(f"g.{ident(k)} = t.{ident(k)}" for k in table.key)
    merged = ", ".join(f"{'g' if c in present else 't'}.{ident(c)} AS {ident(c)}" for c in table.column_names)
    differs = " OR ".join(
        f"g.{ident(c)} IS DISTINCT FROM t.{ident(c)}" for c in table.column_names if c in present
    )
    first_key = ident(table.key[0])
    store.execute(
        f"CREATE OR REPLACE TABLE {_CHANGES} AS SELECT {merged}, "
        f"CASE WHEN t.{first_key} IS NULL THEN 'insert' WHEN {differs or 'FALSE'} THEN 'update' "
        f"ELSE 'same' END AS _action "
        f"FROM (SELECT * FROM {CHECKED} WHERE NOT _bad AND NOT _duplicate) g "
        f"LEFT JOIN {target} t ON {on}"
    )
    counts = dict(store.execute(f"SELECT _action, count(*) FROM {_CHANGES} GROUP BY _action").fetchall())
    if counts.get("update"):
        match = " AND ".join(f"{target}.{ident(k)} = c.{ident(k)}" for k in table.key)
        store.execute(f"DELETE FROM {target} USING {_CHANGES} c WHERE c._action = 'update' AND {match}")
    if counts.get("insert") or counts.get("update"):
        columns = ", ".join(ident(c) for c in table.column_names)
        store.execute(
            f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {_CHANGES} WHERE _action <> 'same'"
        )
    return Changes(
        inserted=int(counts.get("insert", 0)),
        updated=int(counts.get("update", 0)),
        unchanged=int(counts.get("same", 0)),
    )
