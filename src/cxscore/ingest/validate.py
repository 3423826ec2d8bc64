"""Validate the staged rows of one table in the engine: types, ranges, choices, dates, references, keys.

Two temp tables come out:

- `_cx_checked`: every row typed, with its file and record number and `_bad` (it broke a rule) and
  `_duplicate` (an identical copy of an earlier row of the same import) flags;
- `_cx_problems`: for the bad rows only, the list of problems and the raw row as JSON.

Most rows pass, so the first pass only computes cheap boolean conditions; the problem reports (strings,
structs, JSON) are built in a second pass over the few rows that failed.
"""

from __future__ import annotations

from collections.abc import Callable

from cxscore.ingest.options import ImportOptions
from cxscore.ingest.rules import Check, cleaned, column_checks, ordered_check, problem, typed, typed_value
from cxscore.ingest.scratch import scratch
from cxscore.ingest.sources import STAGE
from cxscore.ingest.sql import ident, literal
from cxscore.model import Table
from cxscore.store import Store

__all__ = ["CHECKED", "PROBLEMS", "KeyLookup", "validate"]

#: `(table, column, candidates) -> query`: the stored values of `table.column` (as `k`) among the values
#: the `candidates` query gives; see `cxscore.ingest.target.Target.reference_keys`.
KeyLookup = Callable[[str, str, str], str]

CHECKED = scratch("_cx_checked")
PROBLEMS = scratch("_cx_problems")


def validate(store: Store, table: Table, options: ImportOptions, present: set[str], keys: KeyLookup) -> None:
    """Build `_cx_checked` and `_cx_problems` from the staging view; `keys` looks up referenced keys."""
    # Only the columns the source has are typed and kept; the others are NULL (or keep their stored value).
    kept = [c for c in table.column_names if c in present]
    trimmed = ", ".join(f"{cleaned(c)} AS {ident('__v_' + c)}" for c in kept)
    converted = ", ".join(
        f"{typed_value(c, options)} AS {ident('__t_' + c.name)}" for c in table.columns if c.name in present
    )
    checks = [k for c in table.columns for k in column_checks(c, options, c.name in present)]
    checks += [ordered_check(o) for o in table.ordered if {o.earlier, o.later} <= present]
    joins, found, reference_checks = _references(table, present, keys)
    checks += reference_checks
    failing = " OR ".join(f"({k.condition}) IS TRUE" for k in checks) or "FALSE"
    columns = ", ".join(f"{typed(c)} AS {ident(c)}" for c in kept)
    kept_raw = ", ".join(f"CASE WHEN q._bad THEN q.{ident(c)} END AS {ident('__raw_' + c)}" for c in kept)
    flags = "".join(f", q.{ident(name)}" for name in found)
    lookups = "".join(f", {expression} AS {ident(name)}" for name, expression in found.items())
    # Inside out: type every value; look up references; test every rule's condition; keep the raw values of
    # failing rows only.
    store.execute(
        f"CREATE OR REPLACE TABLE {CHECKED} AS "
        f"SELECT q._file, q._line, {columns}, {kept_raw}{flags}, q._bad, FALSE AS _duplicate, "
        "NULL::VARCHAR AS _conflict "
        f"FROM (SELECT q.*, {failing} AS _bad FROM "
        f"(SELECT q.*{lookups} FROM (SELECT q.*, {converted} FROM "
        f"(SELECT q.*, {trimmed} FROM {STAGE} q) q) q {' '.join(joins)}) q) q"
    )
    _check_duplicates(store, table, kept)
    _report_problems(store, table, kept, checks, list(found))


def _references(
    table: Table, present: set[str], lookup: KeyLookup
) -> tuple[list[str], dict[str, str], list[Check]]:
    """Joins to the referenced keys, the flags that say whether each value was found, and the checks."""
    joins, checks, found = [], [], {}
    for i, column in enumerate(c for c in table.columns if c.references and c.name in present):
        assert column.references is not None
        ref_table, ref_column = column.references.split(".")
        candidates = f"SELECT DISTINCT nullif(trim({ident(column.name)}), '') FROM {STAGE}"
        keys = lookup(ref_table, ref_column, candidates)
        if ref_table == table.name:  # a row may point at another row of the same import
            keys += f" UNION SELECT nullif(trim({ident(ref_column)}), '') FROM {STAGE}"
        alias = f"r{i}"
        value = typed(column.name)
        joins.append(f"LEFT JOIN (SELECT DISTINCT k FROM ({keys})) {alias} ON {value} = {alias}.k")
        reason = (
            literal(f"{column.name}: '")
            + f" || {value} || "
            + literal(
                f"' is not in {ref_table}.{ref_column}; import it into {ref_table} first, "
                "then run `cxscore quarantine retry`"
            )
        )
        flag = f"__found_{i}"
        found[flag] = f"{alias}.k IS NOT NULL"
        checks.append(
            Check(f"{value} IS NOT NULL AND NOT q.{ident(flag)}", problem(column.name, value, reason))
        )
    return joins, found, checks


def _report_problems(
    store: Store, table: Table, kept: list[str], checks: list[Check], flags: list[str]
) -> None:
    """Build the problem list and raw JSON of every bad row (a second pass over the few that failed)."""
    # Re-create the names the checks use: raw text as the column, typed value as `__t_<column>`.
    names = ", ".join(
        f"c.{ident('__raw_' + c)} AS {ident(c)}, nullif(trim(c.{ident('__raw_' + c)}), '') "
        f"AS {ident('__v_' + c)}, c.{ident(c)} AS {ident('__t_' + c)}"
        for c in kept
    )
    extra = "".join(f", c.{ident(f)}" for f in flags)
    reports = [k.case for k in checks]
    # A conflicting row shows its key (derived ones too), not an empty value.
    key_value = f"CAST(q.{ident('__t_' + table.key[0])} AS VARCHAR)"
    reports.append(
        f"CASE WHEN q._conflict IS NOT NULL THEN {problem(table.key[0], key_value, 'q._conflict')} END"
    )
    raw = ", ".join(f"{ident(c)} := q.{ident(c)}" for c in kept)
    store.execute(
        f"CREATE OR REPLACE TABLE {PROBLEMS} AS "
        f"SELECT q._file, q._line, list_filter([{', '.join(reports)}], x -> x IS NOT NULL) AS _problems, "
        f"CAST(to_json(struct_pack({raw})) AS VARCHAR) AS _raw "
        f"FROM (SELECT c._file, c._line, c._conflict, {names}{extra} FROM {CHECKED} c WHERE c._bad) q"
    )


def _check_duplicates(store: Store, table: Table, kept: list[str]) -> None:
    """Mark rows whose key repeats: identical copies collapse to one, conflicting ones are all rejected."""
    key = ", ".join(ident(k) for k in table.key)
    repeated = store.execute(
        f"SELECT count(*) - count(DISTINCT ({key})) FROM {CHECKED} WHERE NOT _bad"
    ).fetchone()[0]
    if not repeated:
        return
    values = ", ".join(ident(c) for c in kept)
    key_text = " || ', ' || ".join(f"coalesce(CAST(t.{ident(k)} AS VARCHAR), '')" for k in table.key)
    conflict = (
        literal(f"key ({', '.join(table.key)}) = (")
        + f" || {key_text} || "
        + literal(") appears on records ")
        + " || array_to_string(g.lines[1:5], ', ') || "
        + literal(" of this import with different values; keep one and re-import")
    )
    partition = ", ".join(["t._hash", *("t." + ident(k) for k in table.key)])
    # Rows that now fail had no raw values kept: fetch them from the staged rows (rare: conflicts only).
    raw = ", ".join(
        f"CASE WHEN g.versions > 1 THEN s.{ident(c)} ELSE t.{ident('__raw_' + c)} END "
        f"AS {ident('__raw_' + c)}"
        for c in kept
    )
    store.execute(
        f"CREATE OR REPLACE TABLE {CHECKED} AS "
        f"WITH h AS (SELECT *, hash({values}) AS _hash FROM {CHECKED}), "
        f"g AS (SELECT {key}, count(DISTINCT _hash) AS versions, list(_line ORDER BY _file, _line) AS lines "
        f"FROM h WHERE NOT _bad GROUP BY {key} HAVING count(*) > 1) "
        f"SELECT t.* EXCLUDE (_hash, _bad, _duplicate, _conflict) REPLACE ({raw}), "
        "t._bad OR g.versions > 1 IS TRUE AS _bad, "
        f"(g.versions = 1 AND row_number() OVER (PARTITION BY {partition} "
        "ORDER BY t._file, t._line) > 1) IS TRUE AS _duplicate, "
        f"CASE WHEN g.versions > 1 THEN {conflict} END AS _conflict "
        f"FROM h t LEFT JOIN g USING ({key}) "
        f"LEFT JOIN {STAGE} s ON g.versions > 1 AND s._file = t._file AND s._line = t._line"
    )
