"""A fair leaderboard from one period's results: shrunk estimates, P(beats the next), tie bands, exclusions.

The ranking is a pure function of a results frame (the rows `cxscore.compute` returns for one period and
one group of peers), so it can be tested on hand-made numbers and reused by the award programs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxscore.metrics.definition import BOUNDS
from cxscore.rewards.noise import sampling_variance
from cxscore.rewards.posterior import (
    DRAWS,
    Posterior,
    beta_posterior,
    dirichlet_posterior,
    draws_for,
    normal_posterior,
)

__all__ = ["Entry", "Exclusion", "Ranking", "industry_nps_score", "posterior_of", "rank_frame"]


@dataclass(frozen=True)
class Entry:
    """One ranked scope. `rank` and `band` come from the shrunk estimate; `naive_rank` from the raw value."""

    rank: int
    band: int
    """Entries of one band cannot be told apart from the band's first entry at the ranking's confidence."""
    scope_id: str
    name: str
    value: float
    n: int
    lower: float
    upper: float
    shrunk: float
    shrunk_lower: float
    shrunk_upper: float
    beats_next: float | None
    """Probability that this entry's true value is better than the next entry's (None for the last)."""
    chance_best: float
    """Probability that this entry is truly the best of the ranked entries."""
    naive_rank: int
    industry_score: float | None
    """NPS - 160 / sqrt(n), a popular industry rule of thumb (NPS only)."""
    industry_rank: int | None
    case_mix_adjustment: float | None = None
    """With case-mix adjustment: what was added to the raw value (the company's value minus the value
    expected from this scope's mix of cases); the shrunk values are of the adjusted value."""


@dataclass(frozen=True)
class Exclusion:
    """A scope left out of the ranking, with the reason."""

    scope_id: str
    name: str
    value: float
    n: int
    reason: str


@dataclass(frozen=True)
class Ranking:
    """A leaderboard of one metric, scope kind and period."""

    metric: str
    scope: str
    period: str
    direction: str
    model: str
    prior: str
    level: float
    confidence: float
    min_n: int
    value_format: str
    """The metric's Python format spec for values, e.g. `.1%`."""
    adjusted_for: str | None
    entries: tuple[Entry, ...]
    excluded: tuple[Exclusion, ...]

    def rows(self) -> list[dict[str, Any]]:
        """One flat dict per ranked entry, then one per exclusion (rank None), for tables, CSV and JSON."""
        ranked = [
            {"metric": self.metric, "period": self.period, **asdict(e), "reason": ""} for e in self.entries
        ]
        left_out = [
            {"metric": self.metric, "period": self.period, "rank": None, **asdict(x)} for x in self.excluded
        ]
        return ranked + left_out

    def to_dict(self) -> dict[str, Any]:
        """Everything, for JSON: the settings, the prior, the entries and the exclusions."""
        return asdict(self)

    def entry(self, scope_id: str) -> Entry | None:
        return next((e for e in self.entries if e.scope_id == scope_id), None)


def industry_nps_score(nps: float, n: int) -> float:
    """The popular rule of thumb NPS - 160 / sqrt(n): a small sample is docked up to a conservative
    margin (the largest possible NPS standard deviation, 100 points, times 1.6, about one-sided 95%).

    >>> industry_nps_score(50.0, 100)
    34.0
    """
    return float(nps - 160.0 / np.sqrt(n))


def rank_frame(
    frame: pd.DataFrame,
    *,
    metric: str,
    scope: str,
    period: str,
    kind: str,
    higher_is_better: bool = True,
    min_n: int = 1,
    names: Mapping[str, str] | None = None,
    level: float = 0.95,
    confidence: float = 0.95,
    seed: int = 0,
    draws: int = DRAWS,
    value_format: str = ".4g",
    bounds: tuple[float, float] | None = None,
) -> Ranking:
    """Rank the rows of `frame` (one per scope: `scope_id`, `value`, `n`, `lower`, `upper`, and the
    sufficient statistics `successes` or `promoters`/`detractors`) on their shrunk estimates.

    The prior is learned from every row with data, including those under `min_n`; only rows with at least
    `min_n` are ranked. `kind` is the metric's aggregation (`share`, `nps`, `mean`, ...). `bounds` is the
    range of the metric's values (`Metric.bounds`), which the shrunk intervals are clipped to; without it,
    the kind's (`RANGES`), which cannot tell a gross revenue retention (at most 1) from a net one. A column
    `case_mix_adjustment` (see `cxscore.rewards.casemix`) makes the ranking use raw value + adjustment
    (beta-binomial for shares, the normal model otherwise), while the naive rank stays on the raw value.

    >>> frame = pd.DataFrame({"scope_id": ["a", "b", "c", "d"], "value": [1.0, 0.9, 0.7, 0.8],
    ...     "n": [5, 200, 150, 100], "successes": [5, 180, 105, 80], "lower": 0.0, "upper": 1.0})
    >>> board = rank_frame(frame, metric="csat", scope="team", period="2025-Q4", kind="share", min_n=3)
    >>> [(e.scope_id, e.naive_rank, e.band) for e in board.entries]
    [('b', 2, 1), ('a', 1, 1), ('d', 3, 2), ('c', 4, 3)]
    """
    names = names or {}
    # Sorted by id, so the seeded draws and the order of ties do not depend on the order of the rows.
    frame = frame[frame["n"] > 0].sort_values("scope_id", kind="stable").reset_index(drop=True)
    adjusted = "case_mix_adjustment" in frame.columns
    posterior, usable = posterior_of(
        _adjusted(frame) if adjusted else frame, kind, level, seed, draws, shifted=adjusted, bounds=bounds
    )
    enough = usable & (frame["n"].to_numpy() >= min_n)
    excluded = tuple(
        _exclusion(row, names, min_n, bool(usable[i]))
        for i, row in frame.iterrows()
        if not enough[int(i)]  # type: ignore[call-overload]
    )
    sign = 1.0 if higher_is_better else -1.0
    chosen = np.flatnonzero(enough)
    order = chosen[np.argsort(-sign * posterior.values[chosen], kind="stable")]
    entries = _entries(frame.iloc[order], posterior, order, sign, kind, names, confidence)
    return Ranking(
        metric=metric,
        scope=scope,
        period=period,
        direction="higher" if higher_is_better else "lower",
        model=posterior.model,
        prior=posterior.prior,
        level=level,
        confidence=confidence,
        min_n=min_n,
        value_format=value_format,
        adjusted_for=str(frame.attrs.get("adjusted_for", "case mix")) if adjusted else None,
        entries=entries,
        excluded=excluded,
    )


def _adjusted(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with value and interval shifted by the case-mix adjustment. A share keeps the
    beta-binomial model with its successes shifted by adjustment x n (clipped to 0..n; fractional counts
    are fine for the beta-binomial likelihood); NPS counts cannot be shifted so simply, and drop to the
    normal model (`posterior_of(..., shifted=True)`), the unshifted counts giving the sampling variance."""
    shift = frame["case_mix_adjustment"]
    moved = frame.assign(
        value=frame["value"] + shift, lower=frame["lower"] + shift, upper=frame["upper"] + shift
    )
    if "successes" in frame.columns:
        moved["successes"] = np.clip(frame["successes"] + shift * frame["n"], 0.0, frame["n"])
    return moved


#: The range of each kind of value, which the normal model's intervals are clipped to when the metric's
#: own bounds are not given (a mean and a percentile can be anything a metric defines; a retention's is
#: a net one's, as the kind alone cannot tell a gross one).
RANGES: dict[str, tuple[float, float]] = {aggregation.value: range_ for aggregation, range_ in BOUNDS.items()}


def posterior_of(
    frame: pd.DataFrame,
    kind: str,
    level: float,
    seed: int,
    draws: int,
    *,
    shifted: bool = False,
    bounds: tuple[float, float] | None = None,
) -> tuple[Posterior, Any]:
    """The posterior of every row and a mask of rows that have one (a mean from one answer has none).
    `draws` per row are capped for large families (see `draws_for`). `shifted`: the values were moved
    by a case-mix adjustment, so NPS counts no longer match them and NPS takes the normal model.
    `bounds`: the metric's range (`Metric.bounds`) the normal model's intervals are clipped to (default:
    the kind's, `RANGES`)."""
    n = frame["n"].to_numpy(dtype=np.float64)
    draws = draws_for(len(frame), draws)
    if kind == "nps" and not shifted and {"promoters", "detractors"} <= set(frame.columns):
        post = dirichlet_posterior(frame["promoters"], frame["detractors"], n, level, seed, draws)
        return post, np.ones(len(frame), dtype=bool)
    if "successes" in frame.columns and kind in ("share", "retention"):
        return beta_posterior(frame["successes"], n, level, seed, draws), np.ones(len(frame), dtype=bool)
    # Anything else: the normal model, with each value's sampling variance from its own statistics.
    variance = sampling_variance(frame, kind, level)
    usable = np.isfinite(variance) & (variance > 0) & np.isfinite(frame["value"].to_numpy(dtype=np.float64))
    post = normal_posterior(
        np.where(usable, frame["value"], np.nan),
        np.where(usable, variance, 1.0),
        level,
        seed,
        draws,
        bounds=RANGES.get(kind) if bounds is None else bounds,
    )
    return post, usable


def _exclusion(row: pd.Series, names: Mapping[str, str], min_n: int, usable: bool) -> Exclusion:
    n = int(row["n"])
    reason = f"n={n} is under the minimum sample of {min_n}" if usable else f"no interval from n={n}"
    scope_id = str(row["scope_id"])
    return Exclusion(scope_id, names.get(scope_id, scope_id), float(row["value"]), n, reason)


def _entries(
    rows: pd.DataFrame,
    posterior: Posterior,
    order: Any,
    sign: float,
    kind: str,
    names: Mapping[str, str],
    confidence: float,
) -> tuple[Entry, ...]:
    draws = sign * posterior.draws[order]
    beats = [float(np.mean(draws[i] > draws[i + 1])) for i in range(len(order) - 1)] + [None]
    best = np.bincount(np.argmax(draws, axis=0), minlength=len(order)) / draws.shape[1] if len(order) else []
    bands = _bands(draws, confidence)
    raw = sign * rows["value"].to_numpy(dtype=np.float64)
    naive = _ranks(raw)
    industry = (
        [industry_nps_score(float(v), int(n)) for v, n in zip(rows["value"], rows["n"], strict=True)]
        if kind == "nps"
        else None
    )
    industry_ranks = _ranks(np.array(industry)) if industry is not None else None
    return tuple(
        Entry(
            rank=i + 1,
            band=bands[i],
            scope_id=str(row["scope_id"]),
            name=names.get(str(row["scope_id"]), str(row["scope_id"])),
            value=float(row["value"]),
            n=int(row["n"]),
            lower=float(row["lower"]),
            upper=float(row["upper"]),
            shrunk=float(posterior.values[k]),
            shrunk_lower=float(posterior.lower[k]),
            shrunk_upper=float(posterior.upper[k]),
            beats_next=beats[i],
            chance_best=float(best[i]),
            naive_rank=int(naive[i]),
            industry_score=None if industry is None else industry[i],
            industry_rank=None if industry_ranks is None else int(industry_ranks[i]),
            case_mix_adjustment=float(row["case_mix_adjustment"]) if "case_mix_adjustment" in row else None,
        )
        for i, (k, (_, row)) in enumerate(zip(order, rows.iterrows(), strict=True))
    )


def _bands(draws: Any, confidence: float) -> list[int]:
    """Tie bands: an entry joins the band of the entries above it unless the band's first entry beats it
    with at least `confidence`; then it opens the next band. `draws`: sorted best first, larger is better."""
    bands, leader = [1], 0
    for i in range(1, draws.shape[0]):
        if float(np.mean(draws[leader] > draws[i])) >= confidence:
            leader = i
            bands.append(bands[-1] + 1)
        else:
            bands.append(bands[-1])
    return bands[: draws.shape[0]]


def _ranks(values: Any) -> Any:
    """Competition ranks (1 = largest; equal values share the better rank)."""
    ordered = -np.asarray(values, dtype=np.float64)
    return pd.Series(ordered).rank(method="min").to_numpy(dtype=np.int64)
