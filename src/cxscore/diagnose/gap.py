"""Splitting a team's gap among people, training, product and case mix, from a fitted mixed model.

The model (`cxscore.diagnose.mixed`) is fitted on cells of the team and its peers; each part's effect is
averaged over the team's facts and over the comparison's, and the difference is that part's share of the
gap, with a standard error from the mixed-model equations. Methods: docs/concepts/obstacles.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxscore.diagnose.facts import NO_VALUE
from cxscore.diagnose.mixed import MixedFit, fit_cells, likelihood_ratio_pvalue
from cxscore.diagnose.wording import Units

__all__ = ["Component", "Contribution", "GapModel", "VarianceComponent", "mean_of"]

#: Case-mix levels with fewer facts are pooled, as for key drivers.
MIN_LEVEL_N = 30
Z = 1.959963984540054
_TRAINED = "trained"


@dataclass(frozen=True)
class Contribution:
    """One level's part in a component: a product version, an agent, a training status."""

    level: str
    n: int  # the team's facts at this level
    share: float  # the team's share of facts at this level
    compared: float  # the comparison's share of facts at this level
    effect: float  # the level's effect on one fact (metric units), with its interval
    lower: float
    upper: float
    drag: float  # how much it lowers the team's value relative to the comparison


@dataclass(frozen=True)
class Component:
    """How much of the gap goes with one part (people, training, product, case mix, unexplained)."""

    name: str
    drag: float  # metric units the team loses to this part against the comparison (negative: it helps)
    lower: float
    upper: float
    share: float  # drag / gap (NaN without a gap)
    evidence: str
    levels: tuple[Contribution, ...] = ()


@dataclass(frozen=True)
class VarianceComponent:
    """How much of the variation between facts one source explains, and whether it is there at all."""

    name: str
    variance: float
    share: float
    p_value: float  # likelihood-ratio test that this variance is zero (NaN for the residual)


def mean_of(cells: pd.DataFrame) -> float:
    """The mean outcome of `cells` (n facts, _s the sum of their outcomes)."""
    n = float(cells["n"].sum())
    return float(cells["_s"].sum() / n) if n else float("nan")


@dataclass(frozen=True)
class _Factor:
    """A random factor (agents, product versions) or a fixed one (training, case mix) of the model."""

    name: str
    column: str
    levels: tuple[str, ...]


@dataclass(frozen=True)
class GapModel:
    """The fitted model and how its columns map back to the cells' values."""

    fit: MixedFit
    reduced: tuple[MixedFit, ...]  # each random factor's variance fixed at zero, for the tests
    x: np.ndarray
    columns: tuple[tuple[str, str], ...]  # (fixed factor, level) of each design column after the intercept
    random: tuple[_Factor, ...]
    codes: tuple[np.ndarray, ...]
    units: Units

    @classmethod
    def build(cls, cells: pd.DataFrame, product: str | None, units: Units) -> GapModel:
        fixed = [_fixed_levels(cells, "training", first=_TRAINED)]
        fixed += [_fixed_levels(cells, m) for m in cells.attrs["mix"]]
        columns = tuple((f.name, level) for f in fixed for level in f.levels[1:])
        x = np.column_stack(
            [np.ones(len(cells))]
            + [(_pooled(cells[f], levels_of(fixed, f)) == level).to_numpy(float) for f, level in columns]
        )
        random = [_Factor("agents", "_person", tuple(sorted(set(cells["_person"]))))]
        if product:
            random.append(_Factor("products", product, tuple(sorted(set(cells[product])))))
        codes = tuple(
            pd.Categorical(cells[f.column], categories=f.levels).codes.astype(np.int64) for f in random
        )
        n = cells["n"].to_numpy(float)
        mean = cells["_s"].to_numpy(float) / n
        within = float((cells["_ss"] - cells["_s"] ** 2 / cells["n"]).sum())
        fit = fit_cells(x, codes, n, mean, within)
        reduced = tuple(fit_cells(x, codes, n, mean, within, fixed_zero=[i]) for i in range(len(random)))
        return cls(fit, reduced, x, columns, tuple(random), codes, units)

    def variances(self) -> tuple[VarianceComponent, ...]:
        total = float(self.fit.variances.sum())
        out = [
            VarianceComponent(
                f.name,
                float(self.fit.variances[i]),
                float(self.fit.variances[i] / total),
                likelihood_ratio_pvalue(self.fit, self.reduced[i]),
            )
            for i, f in enumerate(self.random)
        ]
        residual = float(self.fit.variances[-1])
        out.append(VarianceComponent("facts (residual)", residual, residual / total, float("nan")))
        return tuple(out)

    def components(
        self, cells: pd.DataFrame, mine: np.ndarray, to_goal: bool, gap: float, sign: float
    ) -> tuple[Component, ...]:
        """The gap split among the parts. Against peers, each part's effect averaged over the team's facts
        minus the same over the peers' facts. Against a goal: untrained facts against trained ones; the
        team's case mix and people against those of the whole model; product versions below the model's
        typical version brought up to it (docs/concepts/obstacles.md)."""
        n = cells["n"].to_numpy(float)
        team = np.where(mine, n, 0.0) / n[mine].sum()
        peers = np.where(~mine, n, 0.0) / max(n[~mine].sum(), 1.0)
        everyone = n / n.sum()
        out = []
        for name in ("training", "case mix"):
            chosen = [i for i, (f, _) in enumerate(self.columns) if (f == "training") == (name == "training")]
            anchor = peers if not to_goal else (everyone if name == "case mix" else np.zeros_like(n))
            out.append(self._fixed_part(name, chosen, team, anchor, sign, gap, cells, mine))
        for i, factor in enumerate(self.random):
            anchor = everyone if to_goal else peers
            label = "people" if factor.name == "agents" else "product"
            below = to_goal and label == "product"
            out.append(self._random_part(label, i, team, anchor, below, sign, gap, cells))
        explained = sum(c.drag for c in out)
        rest = gap - explained
        why = "the part of the gap the model does not attribute"
        if to_goal:
            why += (
                ": with typical products, trained and typical people, the team would still fall short by this"
            )
        share = rest / gap if gap > 0 else float("nan")
        out.append(Component("unexplained", rest, float("nan"), float("nan"), share, why))
        return tuple(sorted(out, key=lambda c: (c.name == "unexplained", -c.drag)))

    def _fixed_part(
        self,
        name: str,
        chosen: list[int],
        team: np.ndarray,
        anchor: np.ndarray,
        sign: float,
        gap: float,
        cells: pd.DataFrame,
        mine: np.ndarray,
    ) -> Component:
        beta = self.fit.beta
        columns = [c + 1 for c in chosen]
        vector = np.zeros(len(beta))
        vector[columns] = (team - anchor) @ self.x[:, columns]
        drag = -sign * float(vector @ beta)
        se = self.fit.standard_error(vector, np.zeros(sum(len(f.levels) for f in self.random)))
        errors = self.fit.fixed_standard_errors()
        n = cells["n"].to_numpy(float)
        levels = tuple(
            Contribution(
                self.columns[c][1],
                int(n[mine & (self.x[:, c + 1] > 0)].sum()),
                float(team @ self.x[:, c + 1]),
                float(anchor @ self.x[:, c + 1]),
                float(beta[c + 1]),
                float(beta[c + 1] - Z * errors[c + 1]),
                float(beta[c + 1] + Z * errors[c + 1]),
                -sign * float(vector[c + 1] * beta[c + 1]),
            )
            for c in chosen
        )
        levels = tuple(sorted(levels, key=lambda v: -v.drag))
        share = drag / gap if gap > 0 else float("nan")
        return Component(
            name, drag, drag - Z * se, drag + Z * se, share, self._fixed_evidence(name, levels), levels
        )

    def _fixed_evidence(self, name: str, levels: tuple[Contribution, ...]) -> str:
        u = self.units
        if not levels:
            return "one value only: nothing to compare"
        top = levels[0]
        if name == "training":
            return (
                f"{top.share:.0%} of the team's facts come from {top.level} people "
                f"({top.compared:.0%} of the comparison's), who score {u.change(top.effect)} "
                f"({u.change(top.lower)} to {u.change(top.upper)}) against trained people on the same "
                "products and cases"
            )
        return (
            f"most of all {top.level}: {u.change(top.effect)} per fact, {top.share:.0%} of the team's facts "
            f"vs {top.compared:.0%} of the comparison's"
        )

    def _random_part(
        self,
        name: str,
        index: int,
        team: np.ndarray,
        anchor: np.ndarray,
        below: bool,
        sign: float,
        gap: float,
        cells: pd.DataFrame,
    ) -> Component:
        """One random factor's drag: the team's average effect minus the anchor's; with `below`, only the
        levels worse than the anchor's average count, each brought up to that average."""
        factor, codes, effects = self.random[index], self.codes[index], self.fit.effects[index]
        size = len(factor.levels)
        mine = np.bincount(codes, weights=team, minlength=size)
        theirs = np.bincount(codes, weights=anchor, minlength=size)
        typical = float(theirs @ effects)
        if below:
            worse = sign * (effects - typical) < 0
            weights = np.where(worse, mine, 0.0) - float(mine[worse].sum()) * theirs
            per_level = np.where(worse, -sign * mine * (effects - typical), 0.0)
        else:
            weights = mine - theirs
            per_level = -sign * weights * effects
        sizes = [len(f.levels) for f in self.random]
        offset = int(sum(sizes[:index]))
        vector = np.zeros(sum(sizes))
        vector[offset : offset + size] = weights
        drag = -sign * float(weights @ effects)
        se = self.fit.standard_error(np.zeros(len(self.fit.beta)), vector)
        n = cells["n"].to_numpy(float)
        team_n = np.bincount(codes, weights=np.where(team > 0, n, 0.0), minlength=size)
        levels = []
        for j, level in enumerate(factor.levels):
            if mine[j] == 0 and theirs[j] == 0:
                continue
            unit = np.zeros(sum(sizes))
            unit[offset + j] = 1.0
            e_se = self.fit.standard_error(np.zeros(len(self.fit.beta)), unit)
            levels.append(
                Contribution(
                    level, int(team_n[j]), float(mine[j]), float(theirs[j]), float(effects[j]),
                    float(effects[j] - Z * e_se), float(effects[j] + Z * e_se), float(per_level[j]),
                )
            )  # fmt: skip
        ordered = tuple(sorted(levels, key=lambda v: -v.drag))
        evidence = (
            self._people_evidence(ordered, sign)
            if name == "people"
            else self._product_evidence(ordered, factor, cells, sign)
        )
        share = drag / gap if gap > 0 else float("nan")
        return Component(name, drag, drag - Z * se, drag + Z * se, share, evidence, ordered)

    def _people_evidence(self, levels: tuple[Contribution, ...], sign: float) -> str:
        mine = [c for c in levels if c.n > 0]
        # sign * effect is "better" whichever way the metric goes; for a lower-is-better metric its
        # interval is (sign * upper, sign * lower), so both ends are compared, not the same end as for higher.
        low = [c for c in mine if max(sign * c.lower, sign * c.upper) < 0]
        high = [c for c in mine if min(sign * c.lower, sign * c.upper) > 0]
        return (
            f"{len(mine)} people in the team; {len(low)} clearly worse than a typical person, {len(high)} "
            "clearly better, on the same products, training and cases"
        )

    def _product_evidence(
        self, levels: tuple[Contribution, ...], factor: _Factor, cells: pd.DataFrame, sign: float
    ) -> str:
        if not levels or levels[0].drag <= 0:
            return "no product version lowers the team against the comparison"
        top = levels[0]
        rows = cells[cells[factor.column] == top.level]
        rest = cells[cells[factor.column] != top.level]
        counted = [
            t
            for t in sorted(set(rows["_team"]) - {NO_VALUE})
            if rows.loc[rows["_team"] == t, "n"].sum() >= 10
        ]
        lower_in = [
            t
            for t in counted
            if sign * (mean_of(rows[rows["_team"] == t]) - mean_of(rest[rest["_team"] == t])) < 0
        ]
        u = self.units
        return (
            f"cases on {top.level}: {u.change(top.effect)} per fact ({u.change(top.lower)} to "
            f"{u.change(top.upper)}) against a typical version, {top.share:.0%} of the team's facts vs "
            f"{top.compared:.0%} of the comparison's; lower than the other cases in {len(lower_in)} of "
            f"{len(counted)} teams with 10 or more of its facts"
        )


def levels_of(fixed: list[_Factor], name: str) -> tuple[str, ...]:
    return next(f.levels for f in fixed if f.name == name)


def _fixed_levels(cells: pd.DataFrame, column: str, first: str | None = None) -> _Factor:
    """The kept levels of a fixed factor, the reference (the most frequent, or `first`) first; rare levels
    pooled."""
    counts = cells.groupby(column)["n"].sum().sort_values(ascending=False, kind="stable")
    kept = [str(v) for v, c in counts.items() if c >= MIN_LEVEL_N]
    if first is not None and first in kept:
        kept.remove(first)
        kept.insert(0, first)
    if len(kept) < len(counts):
        kept.append("(other)")
    return _Factor("training" if column == "training" else column, column, tuple(kept))


def _pooled(values: pd.Series, levels: tuple[str, ...]) -> pd.Series:
    return values.where(values.isin(levels), "(other)")
