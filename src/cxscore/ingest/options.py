"""How to read a source: column mapping, constants, date conventions, CSV dialect.

Options are plain data so an import can be repeated exactly (they are stored with the import and reused
when quarantined rows are retried).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from cxscore.errors import MappingError

__all__ = ["ImportOptions", "parse_assignments", "parse_columns"]


@dataclass(frozen=True)
class ImportOptions:
    """Everything that changes how source rows become canonical rows.

    `mapping` maps a table column to a source column (`{"nps": "NPS_SCORE"}`); unmapped table columns are
    matched by name, ignoring case, spaces and punctuation, to the file columns not mapped elsewhere.
    `constants` set a column to one value for every row. `day_first` reads 03/04/2025 as 3 April;
    `month_first` as 4 March; without either, such dates are rejected as ambiguous. `date_format` is an
    explicit strptime format for every date and timestamp column.
    `key_from_content` derives a missing natural key from a hash of the row's values, so re-importing the
    same file is still idempotent (but a corrected row gets a new key). `key_from` derives it from the named
    file columns only (those that identify a row and stay when it is corrected, such as the time and the
    comment), so a corrected file updates its rows.
    """

    mapping: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    day_first: bool = False
    month_first: bool = False
    date_format: str | None = None
    key_from_content: bool = False
    key_from: tuple[str, ...] = ()
    delimiter: str = ","
    encoding: str = "utf-8"

    def __post_init__(self) -> None:
        if self.day_first and self.month_first:
            raise MappingError("Pass either --day-first or --month-first, not both.")
        if self.key_from_content and self.key_from:
            raise MappingError(
                "Pass either --key-from-content (every value) or --key-from COLUMNS (those columns), "
                "not both."
            )
        object.__setattr__(self, "key_from", tuple(self.key_from))  # a list from JSON, kept hashable

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> ImportOptions:
        data: dict[str, Any] = json.loads(text) if text else {}
        return cls(**data)


def parse_assignments(items: list[str], option: str) -> dict[str, str]:
    """Parse repeated `column=value` command-line items into a dict.

    >>> parse_assignments(["nps=NPS_SCORE", "comment=text"], "--map")
    {'nps': 'NPS_SCORE', 'comment': 'text'}
    """
    result: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise MappingError(
                f"{option} {item!r} is not of the form COLUMN=VALUE. Example: {option} nps=NPS_SCORE"
            )
        result[name.strip()] = value.strip()
    return result


def parse_columns(items: list[str]) -> tuple[str, ...]:
    """File column names from repeated and comma-separated command-line items (`--key-from`).

    >>> parse_columns(["When,Stage", " Comment "])
    ('When', 'Stage', 'Comment')
    """
    return tuple(c.strip() for item in items for c in item.split(",") if c.strip())
