"""What the pages share: reading and checking filters (period, team, person, metric, product, segment),
the choices the filter forms offer, and the display of a number with its interval and sample size."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from cxscore.errors import ConfigError, NotFoundError
from cxscore.metrics import format_change, format_value
from cxscore.scorecards.period import Period, first_year

if TYPE_CHECKING:
    from cxscore.metrics import Metric
    from cxscore.web.views import Snapshot

__all__ = [
    "DIMENSIONS",
    "dimension_values",
    "interval_text",
    "metric_of",
    "period_choices",
    "period_of",
    "person_of",
    "team_of",
]

#: The dimensions pages can filter on, with the column of the metric's facts that holds them.
DIMENSIONS = ("product", "segment")


def period_of(snap: Snapshot, text: str | None) -> Period:
    """The period asked for (a quarter or a year), or the latest complete quarter."""
    if not text:
        return snap.latest_quarter
    try:
        chosen = Period.parse(text)
    except ConfigError:
        raise ConfigError(
            f"period={text!r} is not a quarter or a year. Write e.g. {snap.latest_quarter.label} or "
            f"{snap.latest_quarter.year}."
        ) from None
    first = min(int(c[:4]) for c in period_choices(snap))
    if chosen.start > snap.latest_quarter.end or chosen.year < first:
        raise NotFoundError(
            f"period={text!r} has no data: the data runs from {first} to {snap.latest_quarter.label}. "
            f"Pick a period in that range."
        )
    return chosen


def period_choices(snap: Snapshot) -> list[str]:
    """Years and quarters offered by the filters: the three years up to the latest complete quarter, from
    the year of the first answer or case on (a year before any data would only say "insufficient data")."""

    def compute() -> list[str]:
        latest = snap.latest_quarter
        first = first_year(snap.store)
        oldest = max(latest.year - 2, first if first is not None and first <= latest.year else latest.year)
        found = []
        for year in range(latest.year, oldest - 1, -1):
            last = latest.quarter if year == latest.year and latest.quarter else 4
            found += [f"{year}-Q{q}" for q in range(last, 0, -1)] + [str(year)]
        return found

    return snap.cached(("period_choices",), compute)


def team_of(snap: Snapshot, team_id: str) -> str:
    """The team's name; NotFoundError listing a few teams when there is no such team."""
    teams = snap.teams
    found = teams.loc[teams["team_id"] == team_id, "name"]
    if found.empty:
        some = ", ".join(sorted(teams["team_id"].astype(str))[:12])
        raise NotFoundError(f"There is no team '{team_id}'. Teams include: {some}. See them all at /teams.")
    return str(found.iloc[0])


def person_of(snap: Snapshot, person_id: str) -> str:
    people = snap.people
    found = people.loc[people["person_id"] == person_id, "name"]
    if found.empty:
        raise NotFoundError(
            f"There is no person '{person_id}' in the people table. Person ids look like P-00044; "
            "a team's scorecard lists its people."
        )
    return str(found.iloc[0])


def metric_of(snap: Snapshot, name: str) -> Metric:
    catalog = snap.evaluator.results.engine.catalog
    if name not in catalog:
        names = ", ".join(sorted(m.name for m in catalog))
        raise NotFoundError(f"There is no metric '{name}'. Metrics: {names}.")
    return catalog.get(name)


def metric_options(snap: Snapshot, first: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """The metric filter's choices: labels shown, names sent; `first` ones at the top."""
    catalog = snap.evaluator.results.engine.catalog
    found = sorted(
        catalog, key=lambda m: (m.name not in first, first.index(m.name) if m.name in first else 0, m.label)
    )
    return [{"value": m.name, "label": m.label} for m in found]


def dimension_values(snap: Snapshot, dimension: str) -> list[str]:
    """The values a product or segment filter offers (from the products and accounts tables)."""

    def compute() -> list[str]:
        store = snap.store
        if dimension == "product":
            frame = store.table("products").select("product_id").execute()
            return sorted(str(v) for v in frame["product_id"].dropna().unique())
        frame = store.table("accounts").select("segment").distinct().execute()
        return sorted(str(v) for v in frame["segment"].dropna().unique())

    return snap.cached(("dimension", dimension), compute)


def check_dimension(snap: Snapshot, dimension: str, value: str | None) -> str | None:
    if not value:
        return None
    allowed = dimension_values(snap, dimension)
    if value not in allowed:
        raise NotFoundError(
            f"{dimension}={value!r} is not a {dimension} of the data. Use one of: {', '.join(allowed)}."
        )
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as dicts with string keys."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def number(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def interval_text(lower: float | None, upper: float | None, spec: str) -> str:
    if lower is None or upper is None:
        return ""
    return f"{format_value(lower, spec)} to {format_value(upper, spec)}"


def display(metric: Metric, row: dict[str, Any]) -> dict[str, str]:
    """The texts of one result: value, interval, n, change (shares in points); insufficient data as such."""
    spec = metric.format
    value, n = number(row.get("value")), row.get("n")
    insufficient = bool(row.get("insufficient")) or value is None
    return {
        "value_text": "insufficient data" if insufficient else format_value(value, spec),
        "interval_text": ""
        if insufficient
        else interval_text(number(row.get("lower")), number(row.get("upper")), spec),
        "n_text": f"n = {int(n):,}" if n is not None and not pd.isna(n) else "n = 0",
        "change_text": "" if row.get("change") is None else format_change(number(row.get("change")), spec),
    }


def day_of(period: Period) -> dt.date:
    return period.end
