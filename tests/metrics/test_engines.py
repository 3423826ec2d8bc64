"""The same numbers on every engine: each built-in metric on PostgreSQL and Spark equals DuckDB's result.

test_builtin.py checks values against hand arithmetic on each engine; this checks every built-in at once
(new ones included without listing them) per team and year, column by column.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from cxscore.metrics import MetricEngine, load_catalog

_KEYS = ["scope_id", "period"]
_EXACT = ["n", "insufficient"]
_CLOSE = ["value", "lower", "upper", "previous_value", "p_value"]


def _by_team(engine: MetricEngine, metric: str) -> pd.DataFrame:
    scope = ["team"] if load_catalog().get(metric).facts.attribution is not None else []
    frame = engine.compute(metric, by=scope, grain="year")
    frame = frame.assign(period=pd.to_datetime(frame.period).dt.date)
    return frame.sort_values(_KEYS).reset_index(drop=True)


@pytest.mark.parametrize("metric", [m.name for m in load_catalog()])
def test_every_built_in_gives_duckdbs_numbers(world: Any, duckdb_world: MetricEngine, metric: str) -> None:
    got, want = _by_team(world.engine, metric), _by_team(duckdb_world, metric)
    assert len(want) > 0, f"{metric} has no values on the hand-made company"
    assert got[_KEYS].astype(str).equals(want[_KEYS].astype(str)), metric
    for column in _EXACT:
        assert got[column].tolist() == want[column].tolist(), (metric, column)
    for column in _CLOSE:
        a, b = got[column].to_numpy(dtype="float64"), want[column].to_numpy(dtype="float64")
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12, err_msg=f"{metric}.{column}")
