"""A problem found in a metric definition: where it is and what to do about it.

Parsing and validation collect every problem instead of stopping at the first, so that one run of
`cxscore metrics validate` lists everything to fix.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxscore.metrics.definition import Location

__all__ = ["Problem"]


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in a definition file, with its location and a message that says the fix.

    >>> str(Problem(Location("metrics/nps.yml", 4), "Unknown kind 'npss'. Use one of: nps, share."))
    "metrics/nps.yml:4: Unknown kind 'npss'. Use one of: nps, share."
    """

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"
