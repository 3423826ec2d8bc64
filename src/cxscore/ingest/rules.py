"""The validation rules: SQL that turns a staged text value into a typed value or a stated problem.

Each rule yields, per row, either NULL (fine) or a problem `{c: column, v: value as read, r: reason}`. The
reason names the column, the value and the fix, so a user can act on the quarantine without reading code.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxscore.ingest.options import ImportOptions
from cxscore.ingest.sql import ident, literal
from cxscore.model import Column, Kind, Ordered

__all__ = [
    "BOOLEAN_WORDS",
    "Check",
    "column_checks",
    "ordered_check",
    "problem",
    "text",
    "typed",
    "typed_value",
]

BOOLEAN_WORDS = {
    "true": True,
    "t": True,
    "yes": True,
    "y": True,
    "1": True,
    "false": False,
    "f": False,
    "no": False,
    "n": False,
    "0": False,
}
_DAY_FIRST = ("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%y", "%d.%m.%y")
_MONTH_FIRST = ("%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y")
_TIMES = ("", " %H:%M", " %H:%M:%S")
_AMBIGUOUS = r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}( .*)?$"


def text(column: str) -> str:
    """The staged value, trimmed, with blanks as NULL (computed once per value as `__v_<name>`)."""
    return f"q.{ident('__v_' + column)}"


def cleaned(column: str) -> str:
    """SQL that computes `text(column)` from the raw staged value."""
    return f"nullif(trim(q.{ident(column)}), '')"


def typed(column: str) -> str:
    """The typed value, as computed by `typed_value` into the column `__t_<name>`."""
    return f"q.{ident('__t_' + column)}"


def problem(column: str, value_sql: str, reason_sql: str) -> str:
    """A problem struct in SQL."""
    return f"struct_pack(c := {literal(column)}, v := {value_sql}, r := {reason_sql})"


def typed_value(column: Column, options: ImportOptions) -> str:
    """SQL that converts the staged text of `column` to its kind, or NULL when it cannot."""
    v = text(column.name)
    match column.kind:
        case Kind.STRING if column.choices:
            return f"lower(regexp_replace({v}, '[ -]+', '_', 'g'))"
        case Kind.STRING:
            return v
        case Kind.INTEGER:
            number = f"try_cast({v} AS DOUBLE)"
            return (
                f"CASE WHEN isfinite({number}) AND {number} = round({number}) "
                f"AND abs({number}) < 9e15 THEN CAST({number} AS BIGINT) END"
            )
        case Kind.FLOAT:
            number = f"try_cast({v} AS DOUBLE)"
            return f"CASE WHEN isfinite({number}) THEN {number} END"
        case Kind.BOOLEAN:
            cases = " ".join(f"WHEN {literal(w)} THEN {str(b).upper()}" for w, b in BOOLEAN_WORDS.items())
            return f"CASE lower({v}) {cases} END"
        case Kind.DATE:
            return f"CAST({_moment(v, options)} AS DATE)"
        case Kind.TIMESTAMP:
            return _moment(v, options)


def _moment(v: str, options: ImportOptions) -> str:
    """A timestamp from text: an explicit format, else ISO 8601 (with any UTC offset), else slashed dates."""
    if options.date_format:
        parsed = f"try_strptime({v}, {literal(options.date_format)})"
        # strptime gives TIMESTAMPTZ when the format has %z; store every moment in UTC without a zone.
        if "%z" in options.date_format or "%Z" in options.date_format:
            return f"({parsed} AT TIME ZONE 'UTC')"
        return parsed
    # A zone-aware parse is several times slower than a plain one, so only values that carry a UTC offset or
    # a Z after the date take it (a plain TIMESTAMP cast would silently drop the offset).
    has_zone = (
        f"(contains(substr({v}, 11), '+') OR contains(substr({v}, 11), '-') OR ends_with(upper({v}), 'Z'))"
    )
    iso = (
        f"(CASE WHEN {has_zone} THEN try_cast({v} AS TIMESTAMPTZ) AT TIME ZONE 'UTC' "
        f"ELSE try_cast({v} AS TIMESTAMP) END)"
    )
    formats = _DAY_FIRST if options.day_first else _MONTH_FIRST if options.month_first else ()
    if not formats:
        return iso
    listed = ", ".join(literal(f + t) for f in formats for t in _TIMES)
    return f"coalesce({iso}, try_strptime({v}, [{listed}]))"


@dataclass(frozen=True)
class Check:
    """One rule on one row: a boolean SQL `condition` that is true when the row breaks it, and the
    `problem` struct to report then. Keeping them apart lets the engine test the cheap conditions on every
    row and build problem reports only for the rows that fail."""

    condition: str
    problem: str

    @property
    def case(self) -> str:
        return f"CASE WHEN {self.condition} THEN {self.problem} END"


def column_checks(column: Column, options: ImportOptions, present: bool) -> list[Check]:
    """Every rule of one column, over the staged row `q` (raw and typed values side by side)."""
    if not present:
        return []
    name = column.name
    v = text(name)
    value = typed(name)
    checks = []
    if column.required:
        reason = literal(f"{name} is required but empty; fill it in")
        checks.append(Check(f"{v} IS NULL", problem(name, "NULL::VARCHAR", reason)))
    if column.kind is not Kind.STRING or column.choices:
        reason = _parse_reason(column, v, options)
        checks.append(Check(f"{v} IS NOT NULL AND {value} IS NULL", problem(name, v, reason)))
    if column.minimum is not None:
        checks.append(_bound(column, value, v, "<", column.minimum, "below the minimum"))
    if column.maximum is not None:
        checks.append(_bound(column, value, v, ">", column.maximum, "above the maximum"))
    if column.choices:
        allowed = ", ".join(literal(c) for c in column.choices)
        reason = (
            literal(f"{name}: ") + f" || {v} || " + literal(f" is not one of {', '.join(column.choices)}")
        )
        checks.append(Check(f"{value} NOT IN ({allowed})", problem(name, v, reason)))
    if column.past:
        now = "current_date + 1" if column.kind is Kind.DATE else "now()::TIMESTAMP + INTERVAL 1 DAY"
        reason = literal(f"{name}: ") + f" || {v} || " + literal(" is in the future; check the date or clock")
        checks.append(Check(f"{value} > {now}", problem(name, v, reason)))
    return checks


def ordered_check(rule: Ordered) -> Check:
    """The cross-column rule `earlier <= later`."""
    a, b = typed(rule.earlier), typed(rule.later)
    reason = (
        literal(f"{rule.later} (")
        + f" || CAST({b} AS VARCHAR) || "
        + literal(f") is before {rule.earlier} (")
        + f" || CAST({a} AS VARCHAR) || "
        + literal("); fix one of the two")
    )
    return Check(f"{b} < {a}", problem(rule.later, f"CAST({b} AS VARCHAR)", reason))


def _bound(column: Column, value: str, v: str, op: str, limit: float, words: str) -> Check:
    reason = literal(f"{column.name}: ") + f" || {v} || " + literal(f" is {words} {limit:g}")
    return Check(f"{value} {op} {limit!r}", problem(column.name, v, reason))


def _parse_reason(column: Column, v: str, options: ImportOptions) -> str:
    expected = {
        Kind.STRING: "text",
        Kind.INTEGER: "a whole number",
        Kind.FLOAT: "a number (use a dot for decimals)",
        Kind.BOOLEAN: "true/false (or yes/no, 1/0)",
        Kind.DATE: "a date like 2025-03-31",
        Kind.TIMESTAMP: "a date and time like 2025-03-31 14:05:00",
    }[column.kind]
    if options.date_format and column.kind.is_temporal:
        expected = f"a date matching --date-format {options.date_format}"
    base = literal(f"{column.name}: '") + f" || {v} || " + literal(f"' is not {expected}")
    if column.kind.is_temporal and not (options.day_first or options.month_first or options.date_format):
        hint = literal(" (day and month order is ambiguous: pass --day-first or --month-first)")
        return f"{base} || CASE WHEN regexp_matches({v}, {literal(_AMBIGUOUS)}) THEN {hint} ELSE '' END"
    return base
