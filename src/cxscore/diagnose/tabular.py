"""Key drivers of an outcome column of any table (a CSV file, a DataFrame), without a project.

The same model as `key_drivers` on a metric: the exact covariance from cells (here grouped by pandas),
Shapley values of R2 or relative weights, bootstrap intervals and, for a yes/no outcome, a logistic model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cxscore.diagnose.design import cell_sums, square_name
from cxscore.diagnose.drivers import MAX_MISSING, KeyDrivers, _check_enough, _model, _Outcome
from cxscore.diagnose.facts import NO_VALUE, OUTCOME, Driver
from cxscore.errors import DiagnosisError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["key_drivers_of_table", "read_table"]

_YES = {"true": 1.0, "yes": 1.0, "1": 1.0, "1.0": 1.0, "false": 0.0, "no": 0.0, "0": 0.0, "0.0": 0.0}


def read_table(path: Path) -> pd.DataFrame:
    """A CSV file as text columns (BOM and any line endings accepted)."""
    try:
        return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise DiagnosisError(f"Cannot read '{path}': {error}. Give a UTF-8 CSV file.") from error


def key_drivers_of_table(
    frame: pd.DataFrame,
    outcome: str,
    *,
    categorical: Sequence[str] = (),
    numeric: Sequence[str] = (),
    direction: str = "higher",
    source: str = "table",
    level: float = 0.95,
    resamples: int = 200,
    sample_size: int = 20_000,
    min_level_n: int = 30,
    seed: int = 0,
) -> KeyDrivers:
    """Which columns drive `outcome` (yes/no values give a share and a logistic model; numbers a mean).

    >>> rng = np.random.default_rng(1)
    >>> calls = rng.integers(0, 6, 600)
    >>> table = pd.DataFrame({"calls": calls, "plan": rng.choice(["a", "b"], 600),
    ...                       "churn": rng.random(600) < 0.05 + 0.08 * calls})
    >>> result = key_drivers_of_table(table, "churn", categorical=["plan"], numeric=["calls"], resamples=50)
    >>> result.drivers[0].name, result.kind
    ('calls', 'share')
    """
    missing = [c for c in (outcome, *categorical, *numeric) if c not in frame.columns]
    if missing:
        raise DiagnosisError(f"No column {', '.join(missing)} (has: {', '.join(map(str, frame.columns))}).")
    y, kind = _outcome(frame[outcome])
    rows = pd.DataFrame({OUTCOME: y}, index=frame.index)
    notes: list[str] = []
    drivers = [Driver(c, c, "categorical") for c in categorical]
    for column in numeric:
        values = pd.to_numeric(frame[column], errors="coerce")
        if values.isna().mean() > MAX_MISSING:
            notes.append(f"{column}: not a number for {values.isna().mean():.0%} of the rows, left out.")
            continue
        rows[column] = values
        drivers.append(Driver(column, column, "numeric"))
    for column in categorical:
        rows[column] = frame[column].fillna(NO_VALUE).astype(str).replace("", NO_VALUE)
    rows = rows.dropna()
    target = _Outcome(outcome, kind, direction, source)
    _check_enough(target, len(rows), "rows with an outcome and every numeric driver")
    cells = _cells(
        rows,
        [d.name for d in drivers if d.kind == "categorical"],
        [d.name for d in drivers if d.kind == "numeric"],
    )

    def sample(kept: tuple[Driver, ...]) -> pd.DataFrame:
        chosen = (
            rows.sample(n=min(sample_size, len(rows)), random_state=seed) if len(rows) > sample_size else rows
        )
        return chosen.reset_index(drop=True)

    return _model(
        target,
        None,
        None,
        cells,
        tuple(drivers),
        len(frame),
        sample,
        notes,
        level,
        resamples,
        min_level_n,
        seed,
    )


def _outcome(values: pd.Series) -> tuple[pd.Series, str]:
    text = values.astype(str).str.strip().str.lower()
    if text.isin(list(_YES)).all():
        return text.map(_YES).astype(float), "share"
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().mean() < 0.5:
        raise DiagnosisError(f"Outcome '{values.name}' is neither yes/no nor a number.")
    return numbers.astype(float), "mean"


def _cells(rows: pd.DataFrame, categorical: list[str], numerics: list[str]) -> pd.DataFrame:
    """One row per combination of categorical levels: n and the sums the covariance needs."""
    values = [*numerics, OUTCOME]
    sums = pd.DataFrame({f"_s_{v}": rows[v] for v in values}, index=rows.index)
    for i, a in enumerate(values):
        for b in values[i:]:
            sums[square_name(a, b)] = rows[a] * rows[b]
    sums["n"] = 1.0
    if not categorical:
        return sums.sum().to_frame().T
    grouped = pd.concat([rows[categorical], sums], axis=1).groupby(categorical, sort=True).sum().reset_index()
    assert set(cell_sums(numerics)) <= set(grouped.columns)
    grouped["n"] = grouped["n"].astype(np.int64)
    return grouped
