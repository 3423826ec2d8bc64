"""The building blocks of the canonical data model: column types, columns, cross-column checks, tables.

A table is declared once, here in code; the store creates it, the importer validates against it and
`docs/data-model.md` is generated from it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from cxscore.errors import ModelError

__all__ = ["Column", "Kind", "Ordered", "Sort", "Table"]


class Kind(enum.Enum):
    """The logical type of a column; each store maps it to its own physical type."""

    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    DATE = "date"
    TIMESTAMP = "timestamp"

    @property
    def sql(self) -> str:
        """The SQL type name (the same in DuckDB and PostgreSQL)."""
        return _SQL_TYPES[self]

    @property
    def ibis(self) -> str:
        """The Ibis type name."""
        return _IBIS_TYPES[self]

    @property
    def is_temporal(self) -> bool:
        return self in (Kind.DATE, Kind.TIMESTAMP)


_SQL_TYPES = {
    Kind.STRING: "VARCHAR",
    Kind.INTEGER: "BIGINT",
    Kind.FLOAT: "DOUBLE",
    Kind.BOOLEAN: "BOOLEAN",
    Kind.DATE: "DATE",
    Kind.TIMESTAMP: "TIMESTAMP",
}

_IBIS_TYPES = {
    Kind.STRING: "string",
    Kind.INTEGER: "int64",
    Kind.FLOAT: "float64",
    Kind.BOOLEAN: "boolean",
    Kind.DATE: "date",
    Kind.TIMESTAMP: "timestamp",
}


@dataclass(frozen=True)
class Column:
    """One column of a canonical table, with the rules every imported value must pass.

    `references` names another table's key column as ``"table.column"``; `past` forbids values after
    the moment of import (a case cannot be opened tomorrow); `choices` lists the allowed values. A
    `numbered` column is filled by the store when a row leaves it out: the next value of a sequence of
    its own, unique and increasing even with several writers (see `Engine.number_columns`).
    """

    name: str
    kind: Kind
    doc: str
    example: str
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    references: str | None = None
    past: bool = False
    numbered: bool = False

    def rules(self) -> str:
        """The column's rules in words, for the documentation."""
        parts = ["required" if self.required else "optional"]
        if self.minimum is not None or self.maximum is not None:
            low = "" if self.minimum is None else f"{self.minimum:g}"
            high = "" if self.maximum is None else f"{self.maximum:g}"
            parts.append(f"range [{low}, {high}]")
        if self.choices:
            parts.append("one of " + ", ".join(f"`{c}`" for c in self.choices))
        if self.references:
            parts.append(f"references `{self.references}`")
        if self.past:
            parts.append("not in the future")
        if self.numbered:
            parts.append("numbered by the store")
        return "; ".join(parts)


@dataclass(frozen=True)
class Ordered:
    """A cross-column check: `earlier` must not come after `later` when both are present."""

    earlier: str
    later: str

    def describe(self) -> str:
        return f"`{self.earlier}` <= `{self.later}`"


@dataclass(frozen=True)
class Sort:
    """One term of the order a table is listed in: a column, highest first or not, and where its empty
    values go. Always said in full: left out, PostgreSQL puts empty values first when descending and
    DuckDB last; and an index whose empty values go elsewhere than the listing's may not serve it at all
    (PostgreSQL reads `occurred_at DESC` off an index on `occurred_at`, but sorts the whole table for
    `occurred_at DESC NULLS LAST`). The index made from these terms has the listing's exact order.

    >>> Sort("seq", descending=True).sql()
    'seq DESC NULLS LAST'
    """

    column: str
    descending: bool = False
    nulls_last: bool = True

    def sql(self, quote: Callable[[str], str] | None = None) -> str:
        """The term as SQL, for an ORDER BY or an index; `quote` quotes the column name (if given)."""
        column = quote(self.column) if quote else self.column
        direction = "DESC" if self.descending else "ASC"
        return f"{column} {direction} NULLS {'LAST' if self.nulls_last else 'FIRST'}"


@dataclass(frozen=True)
class Table:
    """A canonical table: its columns, its natural key and its cross-column checks.

    `listed_by` is the order a page lists the table in, a few rows at a time (the audit page: newest
    first). Listings use `order_by`, and engines that look rows up through indexes keep one in that order,
    so a page reads its rows off the index instead of sorting the whole table.
    """

    name: str
    doc: str
    group: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    ordered: tuple[Ordered, ...] = ()
    listed_by: tuple[Sort, ...] = ()
    _by_name: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name = {c.name: c for c in self.columns}
        object.__setattr__(self, "_by_name", by_name)
        named = list(self.key) + [n for o in self.ordered for n in (o.earlier, o.later)]
        named += [s.column for s in self.listed_by]
        missing = [n for n in named if n not in by_name]
        if missing:
            raise ModelError(f"Table '{self.name}' names unknown columns {missing}.")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        """The column called `name`, or a ModelError that lists the columns there are."""
        try:
            return self._by_name[name]
        except KeyError:
            raise ModelError(
                f"Table '{self.name}' has no column '{name}' (has: {', '.join(self.column_names)})."
            ) from None

    def has_column(self, name: str) -> bool:
        return name in self._by_name

    def order_by(self, quote: Callable[[str], str] | None = None) -> str:
        """The terms of `listed_by` as SQL, for a listing's ORDER BY; `quote` quotes column names (if given).

        >>> from cxscore.web.tables import AUDIT_LOG
        >>> AUDIT_LOG.order_by()
        'occurred_at DESC NULLS LAST, seq DESC NULLS LAST'
        """
        return ", ".join(s.sql(quote) for s in self.listed_by)
