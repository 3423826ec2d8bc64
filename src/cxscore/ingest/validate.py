"""Validate the staged rows of one table in the engine: types, ranges, choices, dates, references, keys.

The result is the temp table `_cx_checked`: the typed row, its file and record number, and the list of
`_problems` (empty when the row is good). Identical repeated rows are marked so only one is stored.
"""

from __future__ import annotations

from cxscore.ingest.options import ImportOptions
from cxscore.ingest.rules import column_problems, ordered_problem, problem, typed_value
from cxscore.ingest.sources import STAGE
from cxscore.ingest.sql import ident, literal
from cxscore.model import TABLES, Table
from cxscore.store import Store

__all__ = ["CHECKED", "validate"]

CHECKED = "_cx_checked"
_TYPED = "_cx_typed"


def validate(store: Store, table: Table, options: ImportOptions, present: set[str]) -> None:
    """Build `_cx_checked` from the staging table."""
    _type_and_check_columns(store, table, options, present)
    _check_references(store, table, present)
    _check_duplicates(store, table)


def _type_and_check_columns(store: Store, table: Table, options: ImportOptions, present: set[str]) -> None:
    typed = ", ".join(f"{typed_value(c, options)} AS {ident(c.name)}" for c in table.columns)
    checks = [p for c in table.columns for p in column_problems(c, options, c.name in present)]
    checks += [ordered_problem(o) for o in table.ordered if {o.earlier, o.later} <= present]
    problems = f"list_filter([{', '.join(checks)}], x -> x IS NOT NULL)" if checks else "[]"
    columns = ", ".join(f"t.{ident(c)}" for c in table.column_names)
    store.execute(
        f"CREATE OR REPLACE TEMP TABLE {_TYPED} AS "
        f"SELECT s._file, s._line, {columns}, {problems} AS _problems "
        f"FROM {STAGE} s, LATERAL (SELECT {typed}) t"
    )


def _check_references(store: Store, table: Table, present: set[str]) -> None:
    joins, checks = [], []
    for i, column in enumerate(c for c in table.columns if c.references and c.name in present):
        assert column.references is not None
        ref_table, ref_column = column.references.split(".")
        keys = f"SELECT {ident(ref_column)} AS k FROM {ident(ref_table)}"
        if ref_table == table.name:  # a row may point at another row of the same import
            keys += f" UNION SELECT {ident(ref_column)} FROM {_TYPED}"
        alias = f"r{i}"
        joins.append(
            f"LEFT JOIN (SELECT DISTINCT k FROM ({keys})) {alias} ON t.{ident(column.name)} = {alias}.k"
        )
        reason = (
            literal(f"{column.name}: '")
            + f" || t.{ident(column.name)} || "
            + literal(
                f"' is not in {ref_table}.{ref_column}; import it into {ref_table} first, "
                "then run `cxscore quarantine retry`"
            )
        )
        checks.append(
            f"CASE WHEN t.{ident(column.name)} IS NOT NULL AND {alias}.k IS NULL "
            f"THEN {problem(column.name, f't.{ident(column.name)}', reason)} END"
        )
    if not checks:
        return
    store.execute(
        f"CREATE OR REPLACE TEMP TABLE {_TYPED} AS SELECT t.* REPLACE "
        f"(list_concat(t._problems, list_filter([{', '.join(checks)}], x -> x IS NOT NULL)) AS _problems) "
        f"FROM {_TYPED} t {' '.join(joins)}"
    )


def _check_duplicates(store: Store, table: Table) -> None:
    """Mark rows whose key repeats: identical copies collapse to one, conflicting ones are all rejected."""
    key = ", ".join(ident(k) for k in table.key)
    values = ", ".join(ident(c) for c in table.column_names)
    repeated = store.execute(
        f"SELECT count(*) - count(DISTINCT ({key})) FROM {_TYPED} WHERE len(_problems) = 0"
    ).fetchone()[0]
    if not repeated:
        store.execute(
            f"CREATE OR REPLACE TEMP TABLE {CHECKED} AS SELECT *, FALSE AS _duplicate FROM {_TYPED}"
        )
        return
    key_text = " || ', ' || ".join(f"coalesce(CAST(t.{ident(k)} AS VARCHAR), '')" for k in table.key)
    reason = (
        literal(f"key ({', '.join(table.key)}) = (")
        + f" || {key_text} || "
        + literal(") appears on records ")
        + " || array_to_string(g.lines[1:5], ', ') || "
        + literal(" of this import with different values; keep one and re-import")
    )
    partition = ", ".join(["t._hash", *("t." + ident(k) for k in table.key)])
    conflict = problem(table.key[0], f"CAST(t.{ident(table.key[0])} AS VARCHAR)", reason)
    store.execute(
        f"CREATE OR REPLACE TEMP TABLE {CHECKED} AS "
        f"WITH h AS (SELECT *, hash({values}) AS _hash FROM {_TYPED}), "
        f"g AS (SELECT {key}, count(DISTINCT _hash) AS versions, list(_line ORDER BY _file, _line) AS lines "
        f"FROM h WHERE len(_problems) = 0 GROUP BY {key} HAVING count(*) > 1) "
        f"SELECT t.* EXCLUDE (_hash) REPLACE (CASE WHEN g.versions > 1 "
        f"THEN list_append(t._problems, {conflict}) ELSE t._problems END AS _problems), "
        f"(g.versions = 1 AND row_number() OVER (PARTITION BY {partition} "
        f"ORDER BY t._file, t._line) > 1) IS TRUE AS _duplicate "
        f"FROM h t LEFT JOIN g USING ({key})"
    )


def reference_tables(table: Table) -> list[str]:
    """The tables `table` refers to (for messages about import order)."""
    return sorted({c.references.split(".")[0] for c in table.columns if c.references} - {table.name})


assert all(t.key for t in TABLES.values())
