"""Role scorecards: weighted customer and financial metrics per role, evaluated against goals with intervals.

>>> from cxscore.metrics import load_catalog
>>> cards = load_scorecards(None, frozenset(m.name for m in load_catalog()))
>>> cards.for_function("support").name
'support_agent'
"""

from __future__ import annotations

from cxscore.scorecards.definition import (
    CUSTOMER_SHARE_WARNING,
    Category,
    Item,
    Scorecard,
    Scorecards,
    default_category,
    load_scorecards,
)

__all__ = [
    "CUSTOMER_SHARE_WARNING",
    "Category",
    "Item",
    "Scorecard",
    "Scorecards",
    "default_category",
    "load_scorecards",
]
