"""The Python API: `cxscore.compute("nps", by=["team"], grain="quarter")`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from cxscore.store import Store

__all__ = ["compute"]


def compute(
    metric: str,
    by: Sequence[str] = (),
    grain: str = "month",
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    window: int = 1,
    level: float = 0.95,
    project: Path | str | None = None,
    store: Store | None = None,
) -> pd.DataFrame:
    """Compute a metric of the project (found from `project` or the current folder) as a pandas DataFrame.

    One row per scope x dimensions x period with `value`, `n`, `lower`, `upper` (a `level` interval),
    `previous_value`, `change`, `p_value`, the same for last year, and `insufficient` (n under the
    metric's `min_n`: such rows must never be ranked). `by` holds at most one scope, `team` (rolled
    up through the hierarchy) or `person`, and any dimensions such as `segment`, `region`,
    `product`, `channel`, `touchpoint` or `role`. Pass `store` to compute on an open store with the
    built-in metrics (and the project's, when `project` is given too).
    """
    from cxscore.metrics.catalog import load_catalog
    from cxscore.metrics.engine import MetricEngine
    from cxscore.store import open_project

    found = open_project(None if project is None else Path(project)) if project or store is None else None
    catalog = load_catalog(found.root if found else None)
    opened = store if store is not None else found.store() if found else None
    assert opened is not None
    try:
        return MetricEngine(opened, catalog).compute(metric, by, grain, start, end, window, level)
    finally:
        if store is None:
            opened.close()
