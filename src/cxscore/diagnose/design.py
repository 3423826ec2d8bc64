"""The design of a driver model: which levels each categorical driver keeps, and the cross-products.

Exact cross-products come from *cells* the engine aggregates (one row per combination of categorical
levels, with counts, sums and sums of products of the numeric drivers and the outcome), so the full
model never needs the rows. A bootstrap sample of rows gives the same matrix through `row_matrix`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from cxscore.diagnose.facts import OUTCOME, Driver

__all__ = ["OTHER", "Design", "cell_sums", "square_name"]

FloatArray = npt.NDArray[np.float64]
OTHER = "(other)"


def square_name(a: str, b: str) -> str:
    """The name of the engine's sum of products of two numeric columns."""
    return f"_ss_{a}__{b}"


def cell_sums(numerics: Sequence[str]) -> list[str]:
    """Every numeric column of the cells: the outcome and numeric drivers, their products and squares."""
    values = [*numerics, OUTCOME]
    squares = [square_name(a, b) for i, a in enumerate(values) for b in values[i:]]
    return [f"_s_{v}" for v in values] + squares


@dataclass(frozen=True)
class Design:
    """Drivers, the levels kept for each categorical one (the first is the reference) and the columns."""

    drivers: tuple[Driver, ...]
    levels: dict[str, tuple[str, ...]]

    @classmethod
    def from_cells(cls, drivers: Sequence[Driver], cells: pd.DataFrame, min_level_n: int) -> Design:
        """Keep levels with at least `min_level_n` facts (the rest become OTHER), most frequent first."""
        levels: dict[str, tuple[str, ...]] = {}
        for driver in drivers:
            if driver.kind == "categorical":
                counts = cells.groupby(driver.name)["n"].sum().sort_values(ascending=False, kind="stable")
                kept = [str(v) for v, n in counts.items() if n >= min_level_n]
                if len(kept) < len(counts):
                    kept.append(OTHER)
                levels[driver.name] = tuple(kept)
        return cls(tuple(drivers), levels)

    def level_of(self, driver: str, values: pd.Series) -> pd.Series:
        """Values mapped onto the kept levels (unknown ones to OTHER)."""
        kept = set(self.levels[driver])
        return values.astype(str).where(values.astype(str).isin(kept), OTHER)

    @property
    def columns(self) -> list[tuple[str, str]]:
        """(driver, level or '') of every design column, the reference levels left out."""
        out: list[tuple[str, str]] = []
        for driver in self.drivers:
            if driver.kind == "categorical":
                out += [(driver.name, level) for level in self.levels[driver.name][1:]]
            else:
                out.append((driver.name, ""))
        return out

    @property
    def groups(self) -> list[list[int]]:
        """The design columns of each driver, by position."""
        columns = self.columns
        return [[i for i, (name, _) in enumerate(columns) if name == d.name] for d in self.drivers]

    def covariance_from_cells(self, cells: pd.DataFrame) -> tuple[FloatArray, float]:
        """The covariance matrix of the design columns and the outcome (last), and the number of facts."""
        numerics = [d.name for d in self.drivers if d.kind == "numeric"]
        constants = self._dummies(cells)
        n = cells["n"].to_numpy(float)
        sums = cells[[f"_s_{v}" for v in [*numerics, OUTCOME]]].to_numpy(float)
        values = [*numerics, OUTCOME]
        q = len(values)
        squares = np.zeros((q, q))
        for i, a in enumerate(values):
            for j in range(i, q):
                squares[i, j] = squares[j, i] = float(cells[square_name(a, values[j])].sum())
        top = np.hstack([constants.T @ (constants * n[:, None]), constants.T @ sums])
        bottom = np.hstack([sums.T @ constants, squares])
        gram = np.vstack([top, bottom])
        # Reorder: dummies stay in design order, numerics interleave at their drivers' positions.
        order = self._order(constants.shape[1], len(numerics))
        total = float(n.sum())
        centred = gram - np.outer(gram[:, 0], gram[:, 0]) / total
        picked = centred[np.ix_(order, order)] / max(total - 1.0, 1.0)
        return picked, total

    def row_matrix(self, rows: pd.DataFrame) -> FloatArray:
        """The design columns and the outcome (last) of each row."""
        parts = []
        for driver, level in self.columns:
            if level:
                parts.append((self.level_of(driver, rows[driver].fillna("(none)")) == level).to_numpy(float))
            else:
                parts.append(rows[driver].to_numpy(float))
        parts.append(rows[OUTCOME].to_numpy(float))
        return np.column_stack(parts)

    def _dummies(self, cells: pd.DataFrame) -> FloatArray:
        """Per cell: the constant 1 and each dummy column, in design order."""
        parts: list[Any] = [np.ones(len(cells))]
        for driver, level in self.columns:
            if level:
                parts.append((self.level_of(driver, cells[driver]) == level).to_numpy(np.float64))
        return np.column_stack(parts)

    def _order(self, constants: int, numerics: int) -> list[int]:
        """Gram positions (constant, dummies, numerics, outcome) in design order, the constant dropped."""
        dummy, numeric, order = 1, constants, []
        for _, level in self.columns:
            if level:
                order.append(dummy)
                dummy += 1
            else:
                order.append(numeric)
                numeric += 1
        return [*order, constants + numerics]
