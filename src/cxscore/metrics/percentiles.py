"""Percentiles with their order-statistic bounds, in one pass over the facts.

A percentile's interval is two order statistics of its group, at ranks that depend on the group's size
(`cxscore.stats.quantile_rank_bounds`). The engine sorts each group's values once, into an array kept in
a temporary table (`ibis` ``cache``); Python reads back only the distinct group sizes, computes the ranks
for them, and the engine picks the value itself (interpolated between the two middle order statistics, as
SQL ``percentile_cont`` does) and the two bounds out of the sorted arrays. The facts - joins, attribution,
team roll-up - are computed once, and no window sorts the whole table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cxscore import stats
from cxscore.errors import ConfigError

if TYPE_CHECKING:
    import ibis.expr.types as ir
    from ibis.backends import BaseBackend

    from cxscore.metrics.compiler import Compiled

__all__ = ["percentile_statistics", "pick", "sorted_samples"]


def sorted_samples(facts: ir.Table, keys: list[str]) -> ir.Table:
    """Per group: `n` and `_sorted`, the group's values (`_x`) in ascending order."""
    return facts.group_by(keys).aggregate(n=facts.count(), _sorted=facts._x.collect().sort())


def pick(samples: ir.Table, ranks: ir.Table, keys: list[str], quantile: float) -> ir.Table:
    """The quantile and the order statistics at the ranks of `ranks` (`_n`, `_lower`, `_upper`, 1-based;
    0 where a sample is too small for a bound), from the sorted arrays of `sorted_samples`."""
    import ibis

    joined = samples.left_join(ranks, samples.n == ranks._n)
    values = joined._sorted
    # percentile_cont: interpolate between the order statistics around (n - 1) q (0-based).
    position = (joined.n - 1).cast("float64") * quantile
    # Array positions are 32-bit integers on Spark.
    below = position.floor().cast("int32")
    above = position.ceil().cast("int32")
    low, high = values[below], values[above]
    null = ibis.null().cast("float64")
    return joined.select(
        *keys,
        n=joined.n,
        quantile_value=low + (position - below.cast("float64")) * (high - low),
        lower=(joined._lower > 0).ifelse(values[(joined._lower - 1).cast("int32")], null),
        upper=(joined._upper > 0).ifelse(values[(joined._upper - 1).cast("int32")], null),
    )


def percentile_statistics(compiled: Compiled, con: BaseBackend) -> pd.DataFrame:
    """n, the quantile and its bounds per group of a compiled percentile metric, run on `con`."""
    import ibis

    assert compiled.facts is not None
    if compiled.query.window > 1:
        raise ConfigError(
            f"Metric '{compiled.metric.name}' is a percentile, which cannot be computed over rolling "
            "windows. Use a longer grain instead (e.g. quarter)."
        )
    keys = list(compiled.keys)
    grouped = sorted_samples(compiled.facts, keys)
    # Ibis 12's PySpark backend caches without registering in-memory tables (the team closure) first.
    con._register_in_memory_tables(grouped)
    samples = grouped.cache()
    try:
        sizes = con.execute(samples.select("n").distinct())["n"].to_numpy(dtype="int64")
        lower, upper = stats.quantile_rank_bounds(sizes, compiled.metric.quantile, compiled.query.level)
        ranks = ibis.memtable(
            {
                "_n": sizes,
                "_lower": np.nan_to_num(lower, nan=0).astype("int64"),
                "_upper": np.nan_to_num(upper, nan=0).astype("int64"),
            },
            schema={"_n": "int64", "_lower": "int64", "_upper": "int64"},
        )
        picked: pd.DataFrame = con.execute(pick(samples, ranks, keys, compiled.metric.quantile))
        return picked
    finally:
        samples.release()
