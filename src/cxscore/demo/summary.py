"""What a demo company holds: rows per table, the dates it covers, and the planted truths as measured."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cxscore.demo.calendar import END, START
from cxscore.demo.truths import TRUTHS, PlantedTruth
from cxscore.model import TABLES
from cxscore.store import Store

__all__ = ["DemoSummary", "TruthMeasure", "summarize"]


@dataclass(frozen=True)
class TruthMeasure:
    """A planted truth with its value measured on the generated data."""

    truth: PlantedTruth
    measured: str


@dataclass(frozen=True)
class DemoSummary:
    """The generated company in numbers; the CLI prints it and the web app can show it."""

    rows: dict[str, int]
    first_day: str
    last_day: str
    truths: tuple[TruthMeasure, ...]
    size: str | None = None
    seed: int | None = None
    seconds: float | None = None

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON (the web app's twin of the printed tables)."""
        return {
            "size": self.size,
            "seed": self.seed,
            "seconds": self.seconds,
            "first_day": self.first_day,
            "last_day": self.last_day,
            "rows": dict(self.rows),
            "total_rows": self.total_rows,
            "truths": [
                {
                    "number": m.truth.number,
                    "title": m.truth.title,
                    "ids": m.truth.ids,
                    "planted": m.truth.planted,
                    "measured": m.measured,
                }
                for m in self.truths
            ],
        }


def summarize(
    store: Store, size: str | None = None, seed: int | None = None, seconds: float | None = None
) -> DemoSummary:
    """Count every canonical table and measure each planted truth on what the store holds."""
    raw = store.con.con
    rows = {name: int(raw.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]) for name in TABLES}
    measured = tuple(TruthMeasure(t, _measure(store, t)) for t in TRUTHS)
    return DemoSummary(rows, START.isoformat(), END.isoformat(), measured, size, seed, seconds)


def _measure(store: Store, truth: PlantedTruth) -> str:
    value = store.con.con.execute(truth.measure).fetchone()
    return "" if value is None or value[0] is None else str(value[0])
