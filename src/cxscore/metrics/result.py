"""Results: the engine's sufficient statistics become values with intervals, comparisons and flags.

Python only touches aggregated rows here (and, for percentiles, the order statistics that bound them):
one row per scope x dimensions x period. Every interval comes from `cxscore.stats`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd

from cxscore import stats
from cxscore.errors import ConfigError
from cxscore.metrics.definition import Aggregation, Metric
from cxscore.metrics.query import PER_YEAR, Query

__all__ = ["COLUMNS", "additive", "evaluate", "period_ordinal", "period_ordinals"]

#: The columns of every result, in order (dimension columns come after `scope_id`).
COLUMNS = (
    "metric",
    "scope",
    "scope_id",
    "period",
    "grain",
    "value",
    "n",
    "lower",
    "upper",
    "level",
    "method",
    "previous_value",
    "change",
    "p_value",
    "last_year_value",
    "last_year_change",
    "last_year_p_value",
    "insufficient",
)

#: Sufficient statistics that add up across periods (for rolling windows), per aggregation.
ADDITIVE: dict[Aggregation, tuple[str, ...]] = {
    Aggregation.NPS: ("n", "promoters", "detractors"),
    Aggregation.SHARE: ("n", "successes"),
    Aggregation.MEAN: ("n", "total", "total_squares"),
    Aggregation.SUM: ("n", "total", "total_squares"),
    Aggregation.COUNT: ("n",),
    Aggregation.RATIO: ("n", "numerator", "numerator_n", "denominator"),
    Aggregation.RATE: ("n", "numerator", "numerator_n", "denominator"),
    Aggregation.RETENTION: ("n", "successes"),  # logo retention; revenue retention: _REVENUE
    Aggregation.PERCENTILE: (),
}
_REVENUE = ("n", "starting", "ending", "starting_squares", "ending_squares", "cross")


def additive(metric: Metric) -> tuple[str, ...]:
    """The sufficient statistics of `metric` that add up across periods (none for percentiles)."""
    return _REVENUE if _is_revenue(metric) else ADDITIVE[metric.aggregation]


def _is_revenue(metric: Metric) -> bool:
    return metric.retention is not None and metric.retention.mode != "logo"


_EPOCH_MONDAY = dt.date(1970, 1, 5).toordinal()


def period_ordinal(day: dt.date, grain: str) -> int:
    """A whole number per period, consecutive periods differing by one.

    >>> period_ordinal(dt.date(2025, 4, 1), "quarter") - period_ordinal(dt.date(2025, 1, 1), "quarter")
    1
    """
    if grain == "week":
        return (day.toordinal() - _EPOCH_MONDAY) // 7
    if grain == "month":
        return day.year * 12 + day.month - 1
    if grain == "quarter":
        return day.year * 4 + (day.month - 1) // 3
    return day.year


def period_ordinals(days: npt.NDArray[np.datetime64], grain: str) -> npt.NDArray[np.int64]:
    """`period_ordinal` of many days at once (numpy days, no Python loop over the rows).

    >>> days = np.array(["2025-01-01", "2025-04-01"], dtype="datetime64[D]")
    >>> ordinals = period_ordinals(days, "quarter").tolist()
    >>> ordinals == [period_ordinal(dt.date(2025, m, 1), "quarter") for m in (1, 4)]
    True
    """
    count = days.astype("int64")  # days since 1970-01-01
    if grain == "week":
        return (count - (_EPOCH_MONDAY - dt.date(1970, 1, 1).toordinal())) // 7
    months = days.astype("datetime64[M]").astype("int64") + 1970 * 12  # year * 12 + month - 1
    if grain == "month":
        return months
    if grain == "quarter":
        return months // 3
    return months // 12


def evaluate(metric: Metric, query: Query, keys: tuple[str, ...], statistics: pd.DataFrame) -> pd.DataFrame:
    """Values, intervals, comparisons and the insufficient-data flag for every row of `statistics`.

    `statistics` has the group `keys` (scope_id, dimensions, period) and the metric's sufficient
    statistics; percentiles bring `lower`/`upper` already (from their order statistics).
    """
    frame = statistics.copy()
    days = pd.to_datetime(frame["period"]).to_numpy(dtype="datetime64[D]")
    frame["period"] = days.astype(object)  # datetime.date values, as everywhere else
    frame["_ordinal"] = period_ordinals(days, query.grain)
    groups = [k for k in keys if k != "period"]
    if query.window > 1:
        frame = _rolling(metric, frame, groups, query.window)
    frame = _values(metric, frame, query.level)
    frame = _compare(metric, frame, groups, query.window, "previous", "p_value", "change")
    frame = _compare(
        metric, frame, groups, PER_YEAR[query.grain], "last_year", "last_year_p_value", "last_year_change"
    )
    if query.start is not None:
        frame = frame[frame["period"] >= _period_start(query.start, query.grain)]
    frame = frame.assign(
        metric=metric.name,
        scope=query.scope,
        grain=query.grain if query.window == 1 else f"{query.window} {query.grain}s rolling",
        level=query.level,
        insufficient=frame["n"] < metric.min_n,
    )
    extra = [c for c in frame.columns if c not in COLUMNS and c not in keys and not c.startswith("_")]
    ordered = [*COLUMNS[:3], *[k for k in keys if k not in ("scope_id", "period")], *COLUMNS[3:], *extra]
    frame["n"] = frame["n"].astype("int64")
    order = frame[[*groups, "_ordinal"]].sort_values([*groups, "_ordinal"]).index  # as by period
    return frame.loc[order, ordered].reset_index(drop=True)


def _period_start(day: dt.date, grain: str) -> dt.date:
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return dt.date(day.year, 1, 1)


def _rolling(metric: Metric, frame: pd.DataFrame, groups: list[str], window: int) -> pd.DataFrame:
    columns = list(additive(metric))
    if not columns:
        raise ConfigError(
            f"Metric '{metric.name}' ({metric.aggregation.value}) cannot be computed over rolling windows: "
            "its statistic does not add up across periods. Use a longer grain instead (e.g. quarter)."
        )
    pieces = []
    for lag in range(window):
        shifted = frame[[*groups, "_ordinal", *columns]].copy()
        shifted["_ordinal"] += lag
        pieces.append(shifted)
    stacked = pd.concat(pieces, ignore_index=True)
    summed = stacked.groupby([*groups, "_ordinal"], dropna=False, as_index=False)[columns].sum()
    anchors = frame[[*groups, "_ordinal", "period"]]
    return anchors.merge(summed, on=[*groups, "_ordinal"], how="left")


def _values(metric: Metric, frame: pd.DataFrame, level: float) -> pd.DataFrame:
    kind = metric.aggregation
    compute = _revenue if _is_revenue(metric) else _VALUES[kind]
    value, (lower, upper), method = compute(frame, level)
    if metric.retention is not None and metric.retention.mode == "gross":
        upper = np.minimum(upper, 1.0)  # gross retention cannot exceed 100%
    return frame.assign(value=value, lower=lower, upper=upper, method=method.value)


def _divide(top: pd.Series, bottom: pd.Series) -> np.ndarray:
    top_values = top.to_numpy(dtype="float64")
    bottom_values = bottom.to_numpy(dtype="float64")
    safe = np.where(bottom_values > 0, bottom_values, 1.0)
    return np.where(bottom_values > 0, top_values / safe, np.nan)


Computed = tuple[np.ndarray, stats.Interval, stats.Method]


def _nps(frame: pd.DataFrame, level: float) -> Computed:
    p, d, n = frame["promoters"], frame["detractors"], frame["n"]
    return _divide(100.0 * (p - d), n), stats.nps_interval(p, d, n, level), stats.Method.NPS_ADJUSTED_WALD


def _share(frame: pd.DataFrame, level: float) -> Computed:
    s, n = frame["successes"], frame["n"]
    return _divide(s, n), stats.wilson_interval(s, n, level), stats.Method.WILSON


def _spread(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = frame["n"].to_numpy(dtype="float64")
    mean = _divide(frame["total"], frame["n"])
    squares = frame["total_squares"].to_numpy(dtype="float64") - n * np.nan_to_num(mean) ** 2
    variance = np.where(n > 1, np.maximum(squares, 0.0) / np.where(n > 1, n - 1.0, 1.0), np.nan)
    return mean, np.sqrt(variance), n


def _mean(frame: pd.DataFrame, level: float) -> Computed:
    mean, sd, n = _spread(frame)
    return mean, stats.mean_interval(mean, np.nan_to_num(sd), n, level), stats.Method.STUDENT_T


def _sum(frame: pd.DataFrame, level: float) -> Computed:
    total = frame["total"].to_numpy(dtype="float64")
    interval = stats.sum_interval(total, frame["total_squares"], frame["n"], level)
    return total, interval, stats.Method.GAMMA_WEIGHTED_POISSON


def _count(frame: pd.DataFrame, level: float) -> Computed:
    n = frame["n"].to_numpy(dtype="float64")
    return n, stats.rate_interval(n, np.ones_like(n), level), stats.Method.POISSON_EXACT


def _ratio(frame: pd.DataFrame, level: float) -> Computed:
    top, bottom = frame["numerator"], frame["denominator"]
    interval = stats.ratio_interval(top, bottom, level)
    method = stats.Method.WILSON if bool((top <= bottom).all()) else stats.Method.POISSON_EXACT
    return _divide(top, bottom), interval, method


def _rate(frame: pd.DataFrame, level: float) -> Computed:
    top, bottom = frame["numerator"], frame["denominator"]
    return _divide(top, bottom), stats.rate_interval(top, bottom, level), stats.Method.POISSON_EXACT


def _revenue(frame: pd.DataFrame, level: float) -> Computed:
    """Revenue retention R = sum(ending) / sum(starting), a ratio estimator over terms.

    Its standard error is the linearised one (Cochran 1977, section 6.3), from
    `cxscore.stats.ratio_estimator_variance`; the interval is the Student t interval with that spread,
    from `cxscore.stats.mean_interval`.
    """
    ratio, variance, n = _revenue_variance(frame)
    lower, upper = stats.mean_interval(np.nan_to_num(ratio), np.sqrt(variance * n), n, level)
    defined = ~np.isnan(ratio)
    lower = np.where(defined, np.maximum(lower, 0.0), np.nan)
    return ratio, (lower, np.where(defined, upper, np.nan)), stats.Method.STUDENT_T


def _revenue_variance(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ratio R, the variance of its estimator (NaN under 2 terms or with nothing started), and n."""
    n = frame["n"].to_numpy(dtype="float64")
    starting, ending = frame["starting"], frame["ending"]
    variance = stats.ratio_estimator_variance(
        starting, ending, frame["starting_squares"], frame["ending_squares"], frame["cross"], n
    )
    return _divide(ending, starting), variance, n


def _percentile(frame: pd.DataFrame, level: float) -> Computed:
    value = frame["quantile_value"].to_numpy(dtype="float64")
    return value, (frame["lower"].to_numpy(), frame["upper"].to_numpy()), stats.Method.ORDER_STATISTIC


_VALUES: dict[Aggregation, Callable[[pd.DataFrame, float], Computed]] = {
    Aggregation.NPS: _nps,
    Aggregation.SHARE: _share,
    Aggregation.MEAN: _mean,
    Aggregation.SUM: _sum,
    Aggregation.COUNT: _count,
    Aggregation.RATIO: _ratio,
    Aggregation.RATE: _rate,
    Aggregation.RETENTION: _share,
    Aggregation.PERCENTILE: _percentile,
}


#: Room for every period ordinal of one group in the look-up keys of `_compare`.
_SPAN = 1 << 32


def _compare(
    metric: Metric, frame: pd.DataFrame, groups: list[str], lag: int, prefix: str, p_name: str, change: str
) -> pd.DataFrame:
    """Add the value `lag` periods earlier, the change since then, and the change's p-value.

    Each row finds its earlier row through one integer key (group number, period ordinal), an index
    look-up rather than a merge.
    """
    wanted = ["value", *[c for c in _test_inputs(metric) if c in frame.columns]]
    codes = (
        frame.groupby(groups, dropna=False, sort=False).ngroup().to_numpy(dtype="int64")
        if groups
        else np.zeros(len(frame), dtype="int64")
    )
    key = codes * _SPAN + frame["_ordinal"].to_numpy(dtype="int64")
    position = pd.Index(key).get_indexer(key - lag)
    found = position >= 0
    take = np.where(found, position, 0)
    earlier = {
        f"_{prefix}_{c}": np.where(found, frame[c].to_numpy(dtype="float64")[take], np.nan) for c in wanted
    }
    merged = frame.assign(**earlier)
    merged[f"{prefix}_value"] = merged[f"_{prefix}_value"]
    merged[change] = merged["value"] - merged[f"{prefix}_value"]
    merged[p_name] = _pvalue(metric, merged, prefix)
    return merged


_TEST_INPUTS: dict[Aggregation, tuple[str, ...]] = {
    Aggregation.NPS: ("n", "promoters", "detractors"),
    Aggregation.SHARE: ("n", "successes"),
    Aggregation.RETENTION: ("n", "successes"),
    Aggregation.MEAN: ("n", "total", "total_squares"),
    Aggregation.COUNT: ("n",),
    Aggregation.RATE: ("n", "numerator", "denominator"),
    Aggregation.RATIO: ("n", "numerator", "denominator"),
}


def _test_inputs(metric: Metric) -> tuple[str, ...]:
    """The statistics a change test needs from the earlier period (none: no test is given)."""
    return _REVENUE if _is_revenue(metric) else _TEST_INPUTS.get(metric.aggregation, ())


def _pvalue(metric: Metric, frame: pd.DataFrame, prefix: str) -> np.ndarray:
    kind = metric.aggregation
    nan = np.full(len(frame), math.nan)
    inputs = _test_inputs(metric)
    if not inputs or not all(c in frame.columns for c in inputs):
        return nan
    before = frame[[f"_{prefix}_{c}" for c in inputs]].set_axis(list(inputs), axis=1)
    known = before["n"].notna().to_numpy()
    if not known.any():
        return nan
    now, then = frame[known], before[known].astype("float64")
    nan[known] = _TESTS[kind if not _is_revenue(metric) else None](now, then)
    return nan


def _nps_test(now: pd.DataFrame, then: pd.DataFrame) -> np.ndarray:
    return stats.nps_change_pvalue(
        now["promoters"], now["detractors"], now["n"], then["promoters"], then["detractors"], then["n"]
    )


def _mean_test(now: pd.DataFrame, then: pd.DataFrame) -> np.ndarray:
    mean1, sd1, n1 = _spread(now)
    mean2, sd2, n2 = _spread(then)
    return stats.mean_change_pvalue(mean1, np.nan_to_num(sd1), n1, mean2, np.nan_to_num(sd2), n2)


def _share_test(now: pd.DataFrame, then: pd.DataFrame) -> np.ndarray:
    return stats.proportion_change_pvalue(now["successes"], now["n"], then["successes"], then["n"])


def _count_test(now: pd.DataFrame, then: pd.DataFrame) -> np.ndarray:
    """Counts of two periods as Poisson counts over equal exposures."""
    return stats.rate_change_pvalue(now["n"], 1.0, then["n"], 1.0)


def _rate_test(now: pd.DataFrame, then: pd.DataFrame) -> np.ndarray:
    return stats.rate_change_pvalue(
        now["numerator"], now["denominator"], then["numerator"], then["denominator"]
    )


def _ratio_test(now: pd.DataFrame, then: pd.DataFrame) -> np.ndarray:
    """As the interval: a proportion when the numerator fits in the denominator in both periods, else
    a rate."""
    top1, bottom1 = now["numerator"].to_numpy(dtype="float64"), now["denominator"].to_numpy(dtype="float64")
    top2, bottom2 = then["numerator"].to_numpy(dtype="float64"), then["denominator"].to_numpy(dtype="float64")
    subset = (top1 <= bottom1) & (top2 <= bottom2)
    share = stats.proportion_change_pvalue(
        np.where(subset, top1, 0.0), bottom1, np.where(subset, top2, 0.0), bottom2
    )
    return np.where(subset, share, stats.rate_change_pvalue(top1, bottom1, top2, bottom2))


def _revenue_test(now: pd.DataFrame, then: pd.DataFrame) -> np.ndarray:
    """Two ratio estimators with their linearised standard errors: a z test of the difference."""
    ratio1, variance1, _ = _revenue_variance(now)
    ratio2, variance2, _ = _revenue_variance(then)
    return stats.ratio_change_pvalue(ratio1, np.sqrt(variance1), ratio2, np.sqrt(variance2))


#: The change test of each aggregation (None: revenue retention). Sums and percentiles have none.
_TESTS: dict[Aggregation | None, Callable[[pd.DataFrame, pd.DataFrame], np.ndarray]] = {
    Aggregation.NPS: _nps_test,
    Aggregation.MEAN: _mean_test,
    Aggregation.SHARE: _share_test,
    Aggregation.RETENTION: _share_test,
    Aggregation.COUNT: _count_test,
    Aggregation.RATE: _rate_test,
    Aggregation.RATIO: _ratio_test,
    None: _revenue_test,
}
