"""The demo company: a realistic B2B software company over three years, with planted truths.

`generate` builds it into a project folder; `summarize` tells what a store holds and measures each
planted truth. Sizes go from `small` (seconds, for tests and `make demo`) to `large` (about 10 million
survey responses and 5 million cases, streamed into DuckDB in chunks).
"""

from __future__ import annotations

from cxscore.demo.company import build, generate
from cxscore.demo.sizes import SIZES, Size
from cxscore.demo.summary import DemoSummary, TruthMeasure, summarize
from cxscore.demo.truths import TRUTHS, PlantedTruth

__all__ = [
    "SIZES",
    "TRUTHS",
    "DemoSummary",
    "PlantedTruth",
    "Size",
    "TruthMeasure",
    "build",
    "generate",
    "summarize",
]
