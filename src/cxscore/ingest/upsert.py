"""Store the good rows: insert new keys, update changed rows, leave identical rows alone.

Columns the source did not have keep their stored values, so a file with a few columns patches rows
instead of blanking the rest. Only changed rows are rewritten; a first import is a single bulk insert.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxscore.ingest.sql import ident
from cxscore.ingest.validate import CHECKED
from cxscore.model import Table
from cxscore.store import Store

__all__ = ["Changes", "upsert"]

_CHANGES = "_cx_changes"
_GOOD = f"(SELECT * FROM {CHECKED} WHERE NOT _bad AND NOT _duplicate)"


@dataclass(frozen=True)
class Changes:
    inserted: int
    updated: int
    unchanged: int


def upsert(store: Store, table: Table, present: set[str]) -> Changes:
    """Merge the good rows of `_cx_checked` into `table` by its natural key."""
    target = ident(table.name)
    columns = ", ".join(ident(c) for c in table.column_names)
    new_values = ", ".join(
        f"g.{ident(c)}" if c in present else f"NULL AS {ident(c)}" for c in table.column_names
    )
    on = " AND ".join(f"g.{ident(k)} = t.{ident(k)}" for k in table.key)
    empty = not store.execute(f"SELECT EXISTS (SELECT 1 FROM {target})").fetchone()[0]
    if empty:
        inserted = store.execute(
            f"INSERT INTO {target} ({columns}) SELECT {new_values} FROM {_GOOD} g"
        ).fetchone()[0]
        return Changes(inserted=int(inserted), updated=0, unchanged=0)
    differs = " OR ".join(
        f"g.{ident(c)} IS DISTINCT FROM t.{ident(c)}" for c in table.column_names if c in present
    )
    differs = differs or "FALSE"
    matched, updated = store.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {differs}) FROM {_GOOD} g JOIN {target} t ON {on}"
    ).fetchone()
    if updated:
        merged = ", ".join(
            f"{'g' if c in present else 't'}.{ident(c)} AS {ident(c)}" for c in table.column_names
        )
        store.execute(
            f"CREATE OR REPLACE TABLE {_CHANGES} AS "
            f"SELECT {merged} FROM {_GOOD} g JOIN {target} t ON {on} WHERE {differs}"
        )
    # New keys first, while the changed rows are still in place to be matched.
    inserted = store.execute(
        f"INSERT INTO {target} ({columns}) SELECT {new_values} FROM {_GOOD} g ANTI JOIN {target} t ON {on}"
    ).fetchone()[0]
    if updated:
        match = " AND ".join(f"{target}.{ident(k)} = c.{ident(k)}" for k in table.key)
        store.execute(f"DELETE FROM {target} USING {_CHANGES} c WHERE {match}")
        store.execute(f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {_CHANGES}")
    return Changes(inserted=int(inserted), updated=int(updated), unchanged=int(matched) - int(updated))
