"""The metric engine: CX metric definitions (YAML), compiled to Ibis, credited as of each fact's date.

>>> from cxscore.metrics import load_catalog
>>> "nps" in load_catalog()
True
"""

from __future__ import annotations

from cxscore.metrics.api import compute
from cxscore.metrics.catalog import Catalog, load_catalog
from cxscore.metrics.definition import Aggregation, Attribution, Direction, Facts, Location, Metric
from cxscore.metrics.display import format_change, format_value
from cxscore.metrics.engine import MetricEngine
from cxscore.metrics.problems import Problem
from cxscore.metrics.query import GRAINS, Query
from cxscore.metrics.result import COLUMNS

__all__ = [
    "COLUMNS",
    "GRAINS",
    "Aggregation",
    "Attribution",
    "Catalog",
    "Direction",
    "Facts",
    "Location",
    "Metric",
    "MetricEngine",
    "Problem",
    "Query",
    "compute",
    "format_change",
    "format_value",
    "load_catalog",
]
