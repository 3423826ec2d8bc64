"""The metric engine: compiles a metric, runs it on the store's engine, and evaluates the results.

One `MetricEngine` per store and catalogue; goals, scorecards and the web ask it for numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from cxscore.metrics.catalog import Catalog
from cxscore.metrics.compiler import Compiled, compile_metric
from cxscore.metrics.definition import Aggregation, Metric
from cxscore.metrics.percentiles import percentile_statistics
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
        # Compiled queries by (definition, query): building the Ibis expression is a fixed cost per call
        # (tens of milliseconds), paid once when scorecards and goals ask for the same metric again.
        # Keyed by the definition's identity (definitions hold lists, so they do not hash); the entry keeps
        # the definition alive, so the identity cannot be reused while it is cached.
        self._compiled: dict[tuple[int, Query], Compiled] = {}

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

    def overlaps(self) -> pd.DataFrame:
        """Overlapping effective-dated rows (memberships, account owners, product managers), which credit
        a fact twice: one row per overlapping pair with `table`, `key` and both date ranges; empty when
        the organisation is clean. Fix them at the source (end the first row the day before the second).
        """
        from cxscore.metrics.attribution import DATED, overlaps

        frames = [self._run(overlaps(self.store.table, name)).assign(table=name) for name in DATED]
        columns = ["table", "key", "first_from", "first_to", "second_from", "second_to"]
        return pd.concat(frames, ignore_index=True)[columns]

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
        key = (id(definition), query)
        if key not in self._compiled:
            closure = self.closure() if query.scope == "team" else None
            self._compiled[key] = compile_metric(definition, self.store.table, query, closure)
        return self._compiled[key]

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
        statistics = self._statistics(compiled)
        return evaluate(compiled.metric, compiled.query, compiled.keys, statistics)

    def sql(self, compiled: Compiled) -> str:
        """The SQL the engine runs for the statistics, in the store's dialect."""
        import ibis

        return str(ibis.to_sql(compiled.statistics, dialect=str(self.store.con.name)))

    def _run(self, expr: ir.Table) -> pd.DataFrame:
        frame: pd.DataFrame = self.store.con.execute(expr)
        return frame

    def _statistics(self, compiled: Compiled) -> pd.DataFrame:
        """The sufficient statistics; for percentiles with their order-statistic bounds."""
        if compiled.metric.aggregation is Aggregation.PERCENTILE:
            return percentile_statistics(compiled, self.store.con)
        return self._run(compiled.statistics)
