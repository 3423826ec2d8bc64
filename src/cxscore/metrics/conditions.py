"""The filter language: small, structured, safe conditions on columns; never Python `eval`.

A condition is a mapping ``{column: csat, ge: 4}`` with one operator, ``{any: [...]}``,
``{all: [...]}``, ``{not: {...}}``, or a list meaning all of its items. Parsing (`parse`), checking
against a table (`check`) and compiling to Ibis (`to_ibis`) live together here because they are
one concept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from cxscore.metrics.definition import AllOf, AnyOf, Comparison, Condition, Location, Not
from cxscore.metrics.problems import Problem
from cxscore.model import Kind, Table

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = ["OPERATORS", "check", "columns", "parse", "to_ibis"]

#: Operator name -> what it means; the keys are the words users write.
OPERATORS: dict[str, str] = {
    "eq": "equals",
    "ne": "differs from",
    "lt": "is less than",
    "le": "is at most",
    "gt": "is greater than",
    "ge": "is at least",
    "in": "is one of (a list)",
    "not_in": "is none of (a list)",
    "between": "is between two values, both included (a list of two)",
    "is_null": "is empty (true) or not empty (false)",
}

_HINT = "Write e.g. {column: csat, ge: 4}, {any: [...]}, {not: {...}} or a list of conditions."


def parse(node: Any, location: Location, problems: list[Problem]) -> Condition | None:
    """Parse a YAML node into a condition, adding a problem (and returning None) when it is malformed."""
    line = Location(location.file, getattr(node, "line", location.line))
    if isinstance(node, list):
        items = [parse(item, line, problems) for item in node]
        return AllOf(tuple(i for i in items if i is not None), line)
    if not isinstance(node, dict):
        problems.append(Problem(line, f"A condition must be a mapping or a list, not {node!r}. {_HINT}"))
        return None
    for word, build in (("any", AnyOf), ("all", AllOf)):
        if word in node:
            inner = parse(node[word], line, problems)
            parts = inner.conditions if isinstance(inner, AllOf) else ()
            return build(parts, line)
    if "not" in node:
        inner = parse(node["not"], line, problems)
        return Not(inner, line) if inner is not None else None
    return _comparison(node, line, problems)


def _comparison(node: dict[str, Any], line: Location, problems: list[Problem]) -> Condition | None:
    ops = [k for k in node if k != "column"]
    unknown = [k for k in ops if k not in OPERATORS]
    if "column" not in node or unknown or len(ops) != 1:
        what = f"unknown operator {unknown[0]!r}" if unknown else f"{len(ops)} operators"
        if "column" not in node:
            what = "no 'column'"
        problems.append(
            Problem(
                line,
                f"Bad condition {dict(node)!r}: {what}. A condition names one column and one operator "
                f"({', '.join(OPERATORS)}). {_HINT}",
            )
        )
        return None
    return Comparison(str(node["column"]), ops[0], node[ops[0]], line)


def columns(condition: Condition | None) -> Iterator[str]:
    """Every column a condition reads."""
    if isinstance(condition, Comparison):
        yield condition.column
    elif isinstance(condition, AllOf | AnyOf):
        for part in condition.conditions:
            yield from columns(part)
    elif isinstance(condition, Not):
        yield from columns(condition.condition)


def check(condition: Condition | None, table: Table, metric: str, problems: list[Problem]) -> None:
    """Add a problem for every unknown column and every value that cannot be compared with its column."""
    if isinstance(condition, AllOf | AnyOf):
        for part in condition.conditions:
            check(part, table, metric, problems)
    elif isinstance(condition, Not):
        check(condition.condition, table, metric, problems)
    elif isinstance(condition, Comparison):
        _check_comparison(condition, table, metric, problems)


def _check_comparison(c: Comparison, table: Table, metric: str, problems: list[Problem]) -> None:
    if not table.has_column(c.column):
        problems.append(
            Problem(
                c.location,
                f"Metric '{metric}' filters on column '{c.column}' but table '{table.name}' has no such "
                f"column (has: {', '.join(table.column_names)}). Fix the column name.",
            )
        )
        return
    column = table.column(c.column)
    values = _values(c)
    if values is None:
        problems.append(Problem(c.location, _shape_message(c)))
        return
    for value in values:
        reason = _value_problem(value, column.kind, column.choices, c.op)
        if reason:
            problems.append(
                Problem(
                    c.location,
                    f"Metric '{metric}': {c.column} {c.op} {value!r}: {reason}. Fix the value.",
                )
            )


def _values(c: Comparison) -> list[object] | None:
    """The values to compare with, or None when the operator wants another shape."""
    if c.op in ("in", "not_in"):
        return list(c.value) if isinstance(c.value, list) and c.value else None
    if c.op == "between":
        return list(c.value) if isinstance(c.value, list) and len(c.value) == 2 else None
    if c.op == "is_null":
        return [] if isinstance(c.value, bool) else None
    return None if isinstance(c.value, list | dict) or c.value is None else [c.value]


def _shape_message(c: Comparison) -> str:
    wants = {
        "in": "a non-empty list, e.g. [email, phone]",
        "not_in": "a non-empty list, e.g. [email, phone]",
        "between": "a list of two values, e.g. [1, 5]",
        "is_null": "true or false",
    }.get(c.op, "one value (not a list, a mapping or empty)")
    return f"Condition on '{c.column}': operator '{c.op}' takes {wants}, not {c.value!r}. Fix the value."


def _value_problem(value: object, kind: Kind, choices: tuple[str, ...], op: str) -> str | None:
    numeric = kind in (Kind.INTEGER, Kind.FLOAT)
    if numeric and (isinstance(value, bool) or not isinstance(value, int | float)):
        return f"the column holds numbers, {value!r} is not one"
    if kind is Kind.BOOLEAN and not isinstance(value, bool):
        return "the column holds true/false"
    if kind.is_temporal and not isinstance(value, dt.date):
        return "the column holds dates; write a date such as 2025-01-31 (no quotes)"
    if kind is Kind.STRING and not isinstance(value, str):
        return "the column holds text; quote the value"
    if choices and op in ("eq", "ne", "in", "not_in") and value not in choices:
        return f"not one of the allowed values ({', '.join(choices)})"
    return None


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "eq": lambda col, v: col == v,
    "ne": lambda col, v: col != v,
    "lt": lambda col, v: col < v,
    "le": lambda col, v: col <= v,
    "gt": lambda col, v: col > v,
    "ge": lambda col, v: col >= v,
    "in": lambda col, v: col.isin(v),
    "not_in": lambda col, v: col.notin(v),
    "between": lambda col, v: col.between(v[0], v[1]),
    "is_null": lambda col, v: col.isnull() if v else col.notnull(),
}


def to_ibis(condition: Condition, table: ir.Table) -> ir.BooleanValue:
    """The condition as an Ibis boolean expression on `table`.

    SQL's three-valued logic is made two-valued: a comparison with an empty value is false, so that
    `not` of it is true, as a reader of the YAML expects.
    """
    if isinstance(condition, AllOf | AnyOf):
        import ibis

        parts = [to_ibis(p, table) for p in condition.conditions]
        if not parts:
            return ibis.literal(True)
        result = parts[0]
        for part in parts[1:]:
            result = (result & part) if isinstance(condition, AllOf) else (result | part)
        return result
    if isinstance(condition, Not):
        return ~to_ibis(condition.condition, table)
    expr = _COMPARE[condition.op](table[condition.column], condition.value)
    return expr if condition.op == "is_null" else expr.fill_null(False)
