"""Store the good rows: insert new keys, update changed rows, leave identical rows alone.

Columns the source did not have keep their stored values, so a file with a few columns patches rows
instead of blanking the rest. Only changed rows are rewritten; a first import is a single bulk insert.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxscore.ingest.scratch import scratch
from cxscore.ingest.sql import ident
from cxscore.ingest.validate import CHECKED
from cxscore.model import Table
from cxscore.store import Store

__all__ = ["GOOD", "Changes", "Plan", "apply_upsert", "plan_upsert"]

_CHANGES = scratch("_cx_changes")
#: The rows to store: those that broke no rule, each key once.
GOOD = f"(SELECT * FROM {CHECKED} WHERE NOT _bad AND NOT _duplicate)"


@dataclass(frozen=True)
class Changes:
    inserted: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class Plan:
    """What an upsert will do, worked out before the store's transaction starts."""

    first_load: bool
    matched: int
    updated: int


def plan_upsert(store: Store, table: Table, present: set[str]) -> Plan:
    """Count the good rows that match stored keys and those that differ, and keep the changed rows (merged
    with the stored columns the source lacks) in the scratch database."""
    target = ident(table.name)
    if not store.execute(f"SELECT EXISTS (SELECT 1 FROM {target})").fetchone()[0]:
        return Plan(first_load=True, matched=0, updated=0)
    on = " AND ".join(f"g.{ident(k)} = t.{ident(k)}" for k in table.key)
    differs = " OR ".join(
        f"g.{ident(c)} IS DISTINCT FROM t.{ident(c)}" for c in table.column_names if c in present
    )
    differs = differs or "FALSE"
    matched, updated = store.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {differs}) FROM {GOOD} g JOIN {target} t ON {on}"
    ).fetchone()
    merged = ", ".join(f"{'g' if c in present else 't'}.{ident(c)} AS {ident(c)}" for c in table.column_names)
    store.execute(
        f"CREATE OR REPLACE TABLE {_CHANGES} AS "
        f"SELECT {merged} FROM {GOOD} g JOIN {target} t ON {on} WHERE {differs}"
    )
    return Plan(first_load=False, matched=int(matched), updated=int(updated))


def apply_upsert(store: Store, table: Table, present: set[str], plan: Plan) -> Changes:
    """Write the planned changes into `table` (inside the store's transaction)."""
    target = ident(table.name)
    columns = ", ".join(ident(c) for c in table.column_names)
    new_values = ", ".join(
        f"g.{ident(c)}" if c in present else f"NULL AS {ident(c)}" for c in table.column_names
    )
    if plan.first_load:
        inserted = store.execute(
            f"INSERT INTO {target} ({columns}) SELECT {new_values} FROM {GOOD} g"
        ).fetchone()[0]
        return Changes(inserted=int(inserted), updated=0, unchanged=0)
    on = " AND ".join(f"g.{ident(k)} = t.{ident(k)}" for k in table.key)
    # New keys first, while the changed rows are still in place to be matched.
    inserted = store.execute(
        f"INSERT INTO {target} ({columns}) SELECT {new_values} FROM {GOOD} g ANTI JOIN {target} t ON {on}"
    ).fetchone()[0]
    if plan.updated:
        match = " AND ".join(f"{target}.{ident(k)} = c.{ident(k)}" for k in table.key)
        store.execute(f"DELETE FROM {target} USING {_CHANGES} c WHERE {match}")
        store.execute(f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {_CHANGES}")
    return Changes(inserted=int(inserted), updated=plan.updated, unchanged=plan.matched - plan.updated)
