"""Obstacle verdicts: is a team held back by its people, their training, the product, or the case mix?

`obstacles("csat", team="T-SUP-LATAM", period="2025")` takes every fact of the metric in the team's parent
(the team and its peers), has the engine group them into cells (agent x product version x training status
x case mix), fits a linear mixed model on the cells (agents and product versions as crossed random
effects; training status and case mix as fixed effects; `cxscore.diagnose.mixed`), and splits the gap
between the team and its peers (or a goal) into what goes with each part, each with a 95% interval.
Methods and references: docs/concepts/obstacles.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cxscore.diagnose.facts import NO_VALUE, OUTCOME, Scope, driver_facts
from cxscore.diagnose.gap import Component, Contribution, GapModel, VarianceComponent, mean_of
from cxscore.diagnose.period import parse_period
from cxscore.diagnose.plain import without_nan
from cxscore.diagnose.wording import Units
from cxscore.errors import DiagnosisError
from cxscore.metrics.definition import Metric

if TYPE_CHECKING:
    from cxscore.store import Store

__all__ = ["Component", "Contribution", "ObstacleVerdict", "VarianceComponent", "obstacles"]

#: Fewer facts than this for the team, or than REFERENCE_FACTS for the whole model, and no verdict.
TEAM_FACTS = 50
REFERENCE_FACTS = 200
#: A model of agents needs at least this many agents with facts.
AGENTS = 3
#: A part must hold back at least this share of the gap, with its interval above 0, to be named.
NAMED_SHARE = 0.25
#: A gap smaller than this many standard deviations of single facts is too small to explain.
SMALLEST_GAP = 0.1
_Z = 1.959963984540054
_MIX = ("category", "channel", "priority", "segment", "touchpoint")


@dataclass(frozen=True)
class ObstacleVerdict:
    """The verdict for one team, metric and period: its gap, what explains it, and how sure that is."""

    metric: str
    kind: str
    format: str  # the metric's display format, e.g. ".1%"
    team: str
    team_name: str
    within: str  # the team whose facts the model is fitted on (the team's parent by default)
    start: dt.date | None
    end: dt.date | None
    n: int
    value: float
    lower: float
    upper: float
    target: float
    target_kind: str  # "goal" or "peers"
    target_n: int  # the peers' facts (0 for a goal)
    gap: float  # target - value, with the metric's direction (positive: the team falls short)
    gap_lower: float  # its 95% interval (sampling noise of the team's and the peers' values)
    gap_upper: float
    decided: bool  # False: too little data for a verdict (see `missing`)
    verdict: str
    confidence: str  # "clear", "likely" or "unclear"
    named: tuple[str, ...] = ()  # the parts the verdict names: a clear share of a gap beyond noise
    components: tuple[Component, ...] = ()
    variances: tuple[VarianceComponent, ...] = ()
    facts: int = 0  # facts in the model (the team and its peers)
    cells: int = 0
    trend: str = ""
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (dates as ISO strings, NaN as None)."""
        data = asdict(self)
        data["start"] = self.start.isoformat() if self.start else None
        data["end"] = self.end.isoformat() if self.end else None
        result: dict[str, Any] = without_nan(data)
        return result


def obstacles(
    metric: str | Metric,
    *,
    team: str,
    period: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    goal: float | None = None,
    within: str | None = None,
    project: Path | str | None = None,
    store: Store | None = None,
) -> ObstacleVerdict:
    """Why `team`'s `metric` falls short of its peers (the other teams under `within`, by default the
    team's parent) or of `goal`, over `period`: people, training, product or case mix.

    A verdict needs at least 50 facts for the team, 200 in all and 3 agents; with less, the result says
    what is missing instead (`decided` is False).
    """
    from cxscore.metrics.catalog import load_catalog
    from cxscore.store import open_project

    found = open_project(None if project is None else Path(project)) if project or store is None else None
    definition = (
        load_catalog(found.root if found else None).get(metric) if isinstance(metric, str) else metric
    )
    if period is not None:
        start, end = parse_period(period)
    opened = store if store is not None else found.store() if found else None
    assert opened is not None
    try:
        return _Analysis(opened, definition, team, within, start, end, goal).verdict()
    finally:
        if store is None:
            opened.close()


class _Analysis:
    """One verdict: reads the cells, fits the model, and words the result."""

    def __init__(
        self,
        store: Store,
        metric: Metric,
        team: str,
        within: str | None,
        start: dt.date | None,
        end: dt.date | None,
        goal: float | None,
    ) -> None:
        teams = store.table("teams").execute()
        known = dict(zip(teams["team_id"], teams["parent_team_id"], strict=True))
        if team not in known:
            raise DiagnosisError(
                f"Team '{team}' is not in the teams table (has e.g. {', '.join(sorted(known)[:6])}). "
                "Pass a team id, as in `cxscore metrics show --by team`."
            )
        self.names = dict(zip(teams["team_id"], teams["name"], strict=True))
        parent = within or known[team] or team
        if parent not in known:
            raise DiagnosisError(f"--within team '{parent}' is not in the teams table.")
        self.subtree = _below(known, team)
        if team not in _below(known, parent):
            raise DiagnosisError(
                f"Team '{team}' is not under '{parent}': --within must be a team above it (e.g. its parent)."
            )
        if parent in self.subtree and goal is None:
            raise DiagnosisError(
                f"Team '{team}' has no peers under '{parent}'. Compare it with a goal (--goal) or name a "
                "team above it (--within)."
            )
        self.store, self.metric, self.team, self.within = store, metric, team, parent
        self.start, self.end, self.goal = start, end, goal
        self.units = Units.of(metric)
        self.missing: list[str] = []
        self.notes: list[str] = []

    def verdict(self) -> ObstacleVerdict:
        cells, product = self._cells()
        mine = cells["_team"].isin(self.subtree).to_numpy()
        n_team, n_all = int(cells.loc[mine, "n"].sum()), int(cells["n"].sum())
        value = mean_of(cells[mine])
        peers = cells[~mine]
        target = self.goal if self.goal is not None else mean_of(peers)
        sign = -1.0 if self.metric.direction.value == "lower" else 1.0
        gap = sign * (target - value)
        noise = _Z * np.sqrt(
            _variance_of_mean(cells[mine]) + (0.0 if self.goal is not None else _variance_of_mean(peers))
        )
        low, high = self.units.interval(cells[mine])
        base = {
            "metric": self.metric.name,
            "kind": self.metric.aggregation.value,
            "format": self.units.spec,
            "team": self.team,
            "team_name": self.names.get(self.team, self.team),
            "within": self.within,
            "start": self.start,
            "end": self.end,
            "n": n_team,
            "value": value,
            "lower": low,
            "upper": high,
            "target": target,
            "target_kind": "goal" if self.goal is not None else "peers",
            "target_n": 0 if self.goal is not None else int(peers["n"].sum()),
            "gap": gap,
            "gap_lower": gap - noise,
            "gap_upper": gap + noise,
            "facts": n_all,
            "cells": len(cells),
            "trend": self._trend(),
        }
        self._check(cells, mine, n_team, n_all, product)
        if self.missing:
            text = f"No verdict: {' '.join(self.missing)}"
            return ObstacleVerdict(
                **base, decided=False, verdict=text, confidence="unclear", missing=tuple(self.missing),
                notes=tuple(self.notes),
            )  # fmt: skip
        model = GapModel.build(cells, product, self.units)
        components = model.components(cells, mine, self.goal is not None, gap, sign)
        variances = model.variances()
        smallest = SMALLEST_GAP * np.sqrt(_variance_of_mean(cells) * n_all)  # a tenth of one fact's spread
        words, confidence = self._words(value, target, (gap, noise, smallest), components, variances)
        named = tuple(c.name for c in components if _named(c, gap, max(noise, smallest)))
        return ObstacleVerdict(
            **base, decided=True, verdict=words, confidence=confidence, named=named, components=components,
            variances=variances, notes=tuple(self.notes),
        )  # fmt: skip

    def _cells(self) -> tuple[pd.DataFrame, str | None]:
        """One row per agent x team x product (version) x training x case mix, from the engine."""
        within = Scope("team", self.within)
        with driver_facts(self.store, self.metric, within, self.start, self.end) as (facts, drivers):
            names = {d.name for d in drivers}
            product = "version" if "version" in names else "product" if "product" in names else None
            mix = [m for m in _MIX if m in names]
            keys = ["_person", "_team", "training", *([product] if product else []), *mix]
            facts = facts.mutate(**{k: facts[k].cast("string").fill_null(NO_VALUE) for k in keys})
            grouped = facts.group_by(keys).aggregate(
                n=facts.count(), _s=facts[OUTCOME].sum(), _ss=(facts[OUTCOME] * facts[OUTCOME]).sum()
            )
            frame: pd.DataFrame = self.store.con.execute(grouped)
        frame = frame.sort_values(keys, kind="stable").reset_index(drop=True)
        frame.attrs["mix"] = mix
        if product is not None and frame[product].nunique() < 2:
            # One version (or none known) for every fact: its variance cannot be told from the intercept,
            # and the model would split the residual variance with it at random.
            product = None
        return frame, product

    def _check(
        self, cells: pd.DataFrame, mine: np.ndarray, n_team: int, n_all: int, product: str | None
    ) -> None:
        """Say what is missing for a verdict (the list stays empty when there is enough)."""
        name, what = self.names.get(self.team, self.team), self.metric.name
        period = f"{self.start} to {self.end}" if self.start else "all periods"
        if n_team < TEAM_FACTS:
            days = (self.end - self.start).days if self.start and self.end else None
            fix = (
                "The team is too small for a verdict: read its results with their intervals instead."
                if days is None
                else "Leave out --period to use every period."
                if days > 300
                else "Widen the period (e.g. a year instead of a quarter)."
            )
            self.missing.append(
                f"{name} has {n_team} facts of {what} in {period}; a verdict needs at least {TEAM_FACTS}. "
                + fix
            )
        if n_all < REFERENCE_FACTS:
            self.missing.append(
                f"The model of {self.within} has {n_all} facts; it needs at least {REFERENCE_FACTS}."
            )
        agents = cells.loc[cells["_person"] != NO_VALUE, "_person"].nunique()
        if agents < AGENTS:
            self.missing.append(
                f"{agents} credited people in these facts; judging people needs at least {AGENTS} "
                "(is the metric credited to people? are the cases' agent_id filled?)."
            )
        if product is None:
            self.notes.append(
                "These facts carry no product, or one product version only: the product part cannot be "
                "judged (import cases with product_id and version)."
            )
        if set(cells["training"]) <= {NO_VALUE}:
            self.notes.append(
                "No training records for the credited people: the training part cannot be judged "
                "(import the trainings table)."
            )
        elif cells.loc[cells["training"] != NO_VALUE, "training"].nunique() < 2:
            status = cells.loc[cells["training"] != NO_VALUE, "training"].iloc[0]
            self.notes.append(
                f"Every credited person in {self.within} is {status} in this period: training's effect "
                "cannot be told apart from the people's."
            )
        people = cells.loc[mine & (cells["_person"] != NO_VALUE).to_numpy(), "_person"].nunique()
        if people == 1:
            self.notes.append(
                "One person holds every fact of the team: people and team cannot be told apart."
            )

    def _trend(self) -> str:
        """Whether the team's metric improved on the period before (same length), from the metric engine."""
        if self.start is None or self.end is None:
            return ""
        from cxscore.metrics.engine import MetricEngine

        days = (self.end - self.start).days
        grain = "year" if days > 300 else "quarter" if days > 80 else "month"
        before = _previous(self.start, grain)
        rows = MetricEngine(self.store).compute(self.metric, ["team"], grain, before, self.end)
        rows = rows[(rows["scope_id"] == self.team) & (rows["period"] == pd.Timestamp(self.start).date())]
        if rows.empty or pd.isna(rows["previous_value"].iloc[0]):
            return "No value for the period before to compare with."
        row = rows.iloc[0]
        change = self.units.change(float(row["change"]))
        better = (row["change"] > 0) == (self.metric.direction.value != "lower")
        moved = "improved" if better else "worsened"
        if not row["p_value"] < 0.05:
            return (
                f"Not improving: {self.units.value(float(row['previous_value']))} the period before, "
                f"{change} (p = {row['p_value']:.2f}, within noise)."
            )
        return (
            f"It {moved}: {self.units.value(float(row['previous_value']))} the period before, {change} "
            + (f"(p = {row['p_value']:.3f}).")
        )

    def _words(
        self,
        value: float,
        target: float,
        gap_noise: tuple[float, float, float],
        components: tuple[Component, ...],
        variances: tuple[VarianceComponent, ...],
    ) -> tuple[str, str]:
        """The verdict in a manager's words, and how sure it is."""
        gap, noise, smallest = gap_noise
        u = self.units
        name = self.names.get(self.team, self.team)
        against = (
            "its goal"
            if self.goal is not None
            else f"its peers in {self.names.get(self.within, self.within)}"
        )
        head = f"{name}: {self.metric.name} {u.value(value)}, {against} {u.value(target)}."
        if gap <= 0:
            return head + " No gap: the team is at or above the comparison.", "clear"
        if gap < noise:
            within = (
                f" The gap, {u.change(gap).lstrip('+')}, is within noise ({u.change(gap - noise)} to "
                f"{u.change(gap + noise)})"
            )
            # A part clear on its own (and not tiny) while the whole gap is not: say why, or the reader
            # sees an interval above zero in the table and an "unclear" verdict without a reason.
            clear = [c for c in components if c.name != "unexplained" and c.lower > 0 and c.drag >= smallest]
            if not clear:
                return head + within + ": there is nothing to explain.", "unclear"
            return head + within + ". " + _clear_part_of_an_unclear_gap(clear, components, u), "unclear"
        real = [c for c in components if c.name != "unexplained"]
        if gap < smallest:
            return (
                head + f" The gap, {u.change(gap).lstrip('+')}, is less than a tenth of the spread of single "
                f"facts ({u.change(smallest).lstrip('+')}): too small to explain.",
                "unclear",
            )
        named = [c for c in real if _named(c, gap, noise)]
        possible = [c for c in real if c.drag >= NAMED_SHARE * gap and c.lower <= 0]
        sentences = [head + f" The gap is {u.change(gap).lstrip('+')}."]
        for c in named:
            if c.share > 1:  # the other parts help the team, so this one alone is more than the gap
                sentences.append(
                    f"More than the whole gap ({c.share:.0%}) goes with {c.name}; other parts make up "
                    f"some of it ({c.evidence})."
                )
            else:
                sentences.append(f"{c.share:.0%} of the gap goes with {c.name} ({c.evidence}).")
        for c in possible:
            sentences.append(f"Perhaps {c.name} ({c.share:.0%} of the gap, but within noise: {c.evidence}).")
        sentences += _untrained_people(real, [*named, *possible])
        small = [c.name for c in real if c not in named and c not in possible]
        if small:
            sentences.append(f"Small or within noise: {', '.join(small)}.")
        people = next((v for v in variances if v.name == "agents"), None)
        if people is not None and "people" in small:
            sentences.append(
                f"Agents' own effects are small ({people.share:.0%} of the variation between facts)."
            )
        if named:
            return " ".join(sentences), "clear"
        if possible:
            return " ".join(sentences), "likely"
        sentences.append("No part stands out from noise: the gap may be chance or a cause not measured here.")
        return " ".join(sentences), "unclear"


def _clear_part_of_an_unclear_gap(clear: list[Component], parts: tuple[Component, ...], u: Units) -> str:
    """Why a verdict is unclear although some part clearly holds the team back on its own: the other parts
    work the other way, or the team's facts are too few for the whole gap to stand out from noise."""
    amounts = [
        f"by {u.change(c.drag).lstrip('+')} ({u.change(c.lower)} to {u.change(c.upper)})" for c in clear
    ]
    each = " and ".join(
        f"{c.name} {'holds the team back ' if i == 0 else ''}{amount}"
        for i, (c, amount) in enumerate(zip(clear, amounts, strict=True))
    )
    one = len(clear) == 1
    sentence = (
        f"{'One part is' if one else 'Some parts are'} clear on {'its' if one else 'their'} own, yet the "
        f"verdict is unclear: {each}"
    )
    against = [c for c in parts if c not in clear and c.name != "unexplained" and c.drag < 0]
    if against:
        several = len(against) > 1
        sentence += (
            f", but {_listed([c.name for c in against])} {'work' if several else 'works'} the other way "
            f"({u.change(sum(c.drag for c in against))}{' together' if several else ''}),"
        )
    return sentence + " so the whole gap is not clearly more than noise."


def _listed(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _untrained_people(parts: list[Component], shown: list[Component]) -> list[str]:
    """A warning when the people are named but nearly all of them are untrained: the two cannot be told
    apart within the team, so training comes first."""
    training = next((c for c in parts if c.name == "training"), None)
    if training is None or not training.levels or not any(c.name == "people" for c in shown):
        return []
    top = training.levels[0]
    if top.level != "untrained" or top.share < 0.9:
        return []
    return [
        f"{top.share:.0%} of the team's facts come from untrained people, so what goes with the people may "
        "also be their training: train the team before judging its people."
    ]


def _named(part: Component, gap: float, noise: float) -> bool:
    """A part is named when the gap is beyond noise (and not tiny) and the part holds back a quarter of it,
    clearly."""
    return part.name != "unexplained" and gap >= noise and part.lower > 0 and part.drag >= NAMED_SHARE * gap


def _below(parents: dict[str, Any], team: str) -> set[str]:
    """`team` and every team under it."""
    out = {team}
    changed = True
    while changed:
        more = {t for t, p in parents.items() if p in out and t not in out}
        out |= more
        changed = bool(more)
    return out


def _previous(start: dt.date, grain: str) -> dt.date:
    if grain == "year":
        return start.replace(year=start.year - 1)
    months = 3 if grain == "quarter" else 1
    index = start.year * 12 + start.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _variance_of_mean(cells: pd.DataFrame) -> float:
    """The sampling variance of the mean outcome of `cells` (0 without facts)."""
    n, s, ss = float(cells["n"].sum()), float(cells["_s"].sum()), float(cells["_ss"].sum())
    if n < 2:
        return 0.0
    return max((ss - s * s / n) / (n - 1), 0.0) / n
