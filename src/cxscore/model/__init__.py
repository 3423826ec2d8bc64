"""The canonical data model: every table cxscore stores, declared once.

>>> table("responses").column("nps").maximum
10
>>> "cases" in TABLES
True
"""

from __future__ import annotations

from cxscore.errors import ModelError
from cxscore.model import (
    contracts,
    customers,
    events,
    journey,
    organisation,
    products,
    sales,
    support,
    surveys,
)
from cxscore.model.schema import Column, Kind, Ordered, Sort, Table

__all__ = ["TABLES", "Column", "Kind", "Ordered", "Sort", "Table", "table"]

#: Every canonical table by name, in an order where referenced tables come first.
TABLES: dict[str, Table] = {
    t.name: t
    for group in (
        organisation,
        customers,
        products,
        contracts,
        journey,
        support,
        events,
        surveys,
        sales,
    )
    for t in group.TABLES
}


def table(name: str) -> Table:
    """The canonical table called `name`, or a ModelError listing the tables there are."""
    try:
        return TABLES[name]
    except KeyError:
        raise ModelError(f"There is no table '{name}'. Tables: {', '.join(TABLES)}.") from None
