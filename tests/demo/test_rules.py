"""Every row of the demo company passes the data model's rules, checked with SQL built from the model."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from cxscore.model import TABLES, Kind, Table


def rule_queries(table: Table, now: dt.datetime) -> dict[str, str]:
    """One query per rule of `table`, each counting the rows that break it."""
    t = f'"{table.name}"'
    queries: dict[str, str] = {}
    for c in table.columns:
        col = f'"{c.name}"'
        if c.required:
            queries[f"{c.name} required"] = f"SELECT count(*) FROM {t} WHERE {col} IS NULL"
        if c.minimum is not None:
            queries[f"{c.name} >= {c.minimum}"] = f"SELECT count(*) FROM {t} WHERE {col} < {c.minimum}"
        if c.maximum is not None:
            queries[f"{c.name} <= {c.maximum}"] = f"SELECT count(*) FROM {t} WHERE {col} > {c.maximum}"
        if c.choices:
            allowed = ", ".join(f"'{x}'" for x in c.choices)
            queries[f"{c.name} in choices"] = f"SELECT count(*) FROM {t} WHERE {col} NOT IN ({allowed})"
        if c.references:
            other, key = c.references.split(".")
            queries[f"{c.name} references {c.references}"] = (
                f"SELECT count(*) FROM {t} a WHERE a.{col} IS NOT NULL AND NOT EXISTS "
                f'(SELECT 1 FROM "{other}" b WHERE b."{key}" = a.{col})'
            )
        if c.past:
            limit = (
                f"TIMESTAMP '{now:%Y-%m-%d %H:%M:%S}'"
                if c.kind is Kind.TIMESTAMP
                else f"DATE '{now:%Y-%m-%d}'"
            )
            queries[f"{c.name} in the past"] = f"SELECT count(*) FROM {t} WHERE {col} > {limit}"
    for o in table.ordered:
        queries[f"{o.earlier} <= {o.later}"] = f'SELECT count(*) FROM {t} WHERE "{o.earlier}" > "{o.later}"'
    key = ", ".join(f'"{k}"' for k in table.key)
    queries[f"key ({key}) unique and complete"] = (
        f"SELECT count(*) FROM (SELECT {key} FROM {t} GROUP BY ALL HAVING count(*) > 1) "
        f"UNION ALL SELECT count(*) FROM {t} WHERE " + " OR ".join(f'"{k}" IS NULL' for k in table.key)
    )
    return queries


@pytest.mark.parametrize("name", list(TABLES))
def test_every_table_is_filled_and_every_row_passes_the_model_rules(
    sql: duckdb.DuckDBPyConnection, name: str
) -> None:
    table = TABLES[name]
    assert sql.execute(f'SELECT count(*) FROM "{name}"').fetchone() > (0,)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    broken = {
        rule: bad
        for rule, query in rule_queries(table, now).items()
        if (bad := sum(row[0] for row in sql.execute(query).fetchall()))
    }
    assert broken == {}


def test_the_rule_queries_catch_broken_rows() -> None:
    """The checks above can fail: a store with one bad row of each kind is caught by each rule."""
    con = duckdb.connect()
    columns = ", ".join(f"{c.name} {c.kind.sql}" for c in TABLES["teams"].columns)
    con.execute(f"CREATE TABLE teams ({columns})")
    con.execute(
        "INSERT INTO teams VALUES ('T-1', NULL, 'T-404', 'juggling', NULL), ('T-1', 'x', NULL, 'sales', NULL)"
    )
    now = dt.datetime(2026, 1, 1)
    counts = {rule: con.execute(q).fetchall() for rule, q in rule_queries(TABLES["teams"], now).items()}
    broken = {rule for rule, rows in counts.items() if sum(r[0] for r in rows)}
    assert broken == {
        "name required",
        "function in choices",
        "parent_team_id references teams.team_id",
        'key ("team_id") unique and complete',
    }
