"""The metric engine: compiles a metric, runs it on the store's engine, and evaluates the results.

One `MetricEngine` per store and catalogue; goals, scorecards and the web ask it for numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cxscore import stats
from cxscore.metrics.catalog import Catalog
from cxscore.metrics.compiler import Compiled, compile_metric
from cxscore.metrics.definition import Aggregation, Metric
from cxscore.metrics.query import Query
from cxscore.metrics.result import evaluate

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from cxscore.store import Store

__all__ = ["MetricEngine"]


class MetricEngine:
    """Computes the metrics of `catalog` on the tables of `store`.

    >>> from cxscore.store import Store, init_project
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> engine = MetricEngine(init_project(folder / "co").store())
    >>> engine.compute("nps").empty
    True
    """

    def __init__(self, store: Store, catalog: Catalog | None = None) -> None:
        from cxscore.metrics.catalog import load_catalog

        self.store = store
        self.catalog = catalog if catalog is not None else load_catalog()
        self._closure: ir.Table | None = None
        self._frames: dict[str, pd.DataFrame] = {}

    def closure(self) -> ir.Table:
        """The team closure, read from the `teams` table once per engine.

        Make a new engine after changing the team hierarchy.
        """
        from cxscore.metrics.attribution import team_closure

        if self._closure is None:
            self._closure = team_closure(self.store.table)
        return self._closure

    def frame(self, table: str) -> pd.DataFrame:
        """A small table (teams, people, memberships) as a DataFrame, read once per engine, for the parts
        that name scopes or walk the organisation in Python. Make a new engine after changing it."""
        if table not in self._frames:
            self._frames[table] = self.store.table(table).execute()
        return self._frames[table]

    def compile(
        self,
        metric: str | Metric,
        by: Sequence[str] = (),
        grain: str = "month",
        start: dt.date | None = None,
        end: dt.date | None = None,
        window: int = 1,
        level: float = 0.95,
    ) -> Compiled:
        """The metric compiled for one query, without running it."""
        definition = self.catalog.get(metric) if isinstance(metric, str) else metric
        query = Query(tuple(by), grain, start, end, window, level)
        closure = self.closure() if query.scope == "team" else None
        return compile_metric(definition, self.store.table, query, closure)

    def compute(
        self,
        metric: str | Metric,
        by: Sequence[str] = (),
        grain: str = "month",
        start: dt.date | None = None,
        end: dt.date | None = None,
        window: int = 1,
        level: float = 0.95,
    ) -> pd.DataFrame:
        """One row per scope x dimensions x period: value, n, interval, comparisons and the flag.

        See `cxscore.metrics.result.COLUMNS` for the columns; the metric's sufficient statistics follow.
        """
        compiled = self.compile(metric, by, grain, start, end, window, level)
        statistics = self._run(compiled.statistics)
        if statistics.empty:
            return evaluate(compiled.metric, compiled.query, compiled.keys, _empty(compiled, statistics))
        statistics = self._with_sample_bounds(compiled, statistics)
        return evaluate(compiled.metric, compiled.query, compiled.keys, statistics)

    def sql(self, compiled: Compiled) -> str:
        """The SQL the engine runs for the statistics, in the store's dialect."""
        import ibis

        return str(ibis.to_sql(compiled.statistics, dialect=str(self.store.con.name)))

    def _run(self, expr: ir.Table) -> pd.DataFrame:
        frame: pd.DataFrame = self.store.con.execute(expr)
        return frame

    def _with_sample_bounds(self, compiled: Compiled, statistics: pd.DataFrame) -> pd.DataFrame:
        metric = compiled.metric
        if metric.aggregation is Aggregation.PERCENTILE:
            return self._order_statistics(compiled, statistics)
        return statistics

    def _order_statistics(self, compiled: Compiled, statistics: pd.DataFrame) -> pd.DataFrame:
        """Bounds of a percentile: the order statistics at the ranks `quantile_rank_bounds` gives."""
        import ibis

        assert compiled.facts is not None
        if compiled.query.window > 1:
            from cxscore.errors import ConfigError

            raise ConfigError(
                f"Metric '{compiled.metric.name}' is a percentile, which cannot be computed over rolling "
                "windows. Use a longer grain instead (e.g. quarter)."
            )
        sizes = np.array(sorted(set(statistics["n"].astype("int64"))), dtype="float64")
        lower, upper = stats.quantile_rank_bounds(sizes, compiled.metric.quantile, compiled.query.level)
        ranks = ibis.memtable(
            {
                "_n": sizes.astype("int64"),
                "_lower": np.nan_to_num(lower, nan=-1).astype("int64"),
                "_upper": np.nan_to_num(upper, nan=-1).astype("int64"),
            }
        )
        facts, keys = compiled.facts, list(compiled.keys)
        ranked = facts.select(*keys, "_x").mutate(
            _rank=ibis.row_number().over(group_by=keys, order_by=facts._x) + 1,
            _size=facts._x.count().over(group_by=keys),
        )
        picked = ranked.join(ranks, ranked._size == ranks._n)
        picked = picked.filter((picked._rank == picked._lower) | (picked._rank == picked._upper))
        found = self._run(picked.select(*keys, "_x", "_rank", "_lower"))
        bounds = found.assign(_which=np.where(found["_rank"] == found["_lower"], "lower", "upper"))
        wide = bounds.pivot_table(index=keys, columns="_which", values="_x", aggfunc="first", dropna=False)
        wide = wide.reindex(columns=["lower", "upper"]).reset_index()
        merged = statistics.merge(wide, on=keys, how="left")
        return merged


def _empty(compiled: Compiled, statistics: pd.DataFrame) -> pd.DataFrame:
    sampled = compiled.metric.aggregation is Aggregation.PERCENTILE
    return statistics.assign(lower=[], upper=[]) if sampled else statistics
