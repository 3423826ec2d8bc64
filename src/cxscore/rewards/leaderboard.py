"""Leaderboards of people and teams on a project's metrics: who is compared with whom, on which results.

Teams are compared with their peers: by default every team without sub-teams (a parent's roll-up would
count its own children twice), or the teams directly under `within`. People are compared with everyone
credited in the period, or with the people who were in `within` (or a team below it) at the period's end.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from cxscore.errors import ConfigError
from cxscore.rewards.casemix import ADJUSTABLE, case_mix_adjustments
from cxscore.rewards.posterior import DRAWS
from cxscore.rewards.ranking import Ranking, rank_frame
from cxscore.scorecards.period import Period

if TYPE_CHECKING:
    from cxscore.metrics import Metric, MetricEngine
    from cxscore.store import Store

__all__ = ["RANKED_SCOPES", "Leaderboards", "rank"]

#: What can be ranked.
RANKED_SCOPES = ("team", "person")


class Leaderboards:
    """Rankings on one metric engine; each metric, scope and grain is computed once and kept."""

    def __init__(
        self,
        engine: MetricEngine,
        level: float = 0.95,
        seed: int = 0,
        draws: int = DRAWS,
        project_root: Path | None = None,
    ) -> None:
        self.engine = engine
        self.project_root = project_root
        """Where the goal policies (goals/*.yml) and benchmarks are read from, for awards on goals."""
        self._goals: dict[tuple[str, str, int], dict[str, float]] = {}
        self.level = level
        self.seed = seed
        self.draws = draws
        self._results: dict[tuple[str, tuple[str, ...], str], pd.DataFrame] = {}

    def metric(self, name: str) -> Metric:
        return self.engine.catalog.get(name)

    def results(self, metric: str, scope: str, period: Period) -> pd.DataFrame:
        """Every scope's result of `metric` in `period` (the rows `cxscore.compute` returns)."""
        return self._computed(metric, (scope,), period)

    def _computed(self, metric: str, by: tuple[str, ...], period: Period) -> pd.DataFrame:
        key = (metric, by, period.grain)
        if key not in self._results:
            frame = self.engine.compute(metric, by, period.grain, level=self.level)
            self._results[key] = frame.assign(period=pd.to_datetime(frame["period"]).dt.date)
        frame = self._results[key]
        return frame[frame["period"] == period.start].reset_index(drop=True)

    def adjustments(self, metric: str, scope: str, period: Period, dimension: str) -> pd.Series:
        """Each scope's case-mix adjustment for `dimension` (see `cxscore.rewards.casemix`)."""
        kind = self.metric(metric).aggregation.value
        if kind not in ADJUSTABLE:
            raise ConfigError(
                f"Metric {metric!r} is a {kind}; case-mix adjustment needs a mean of per-fact scores "
                f"({', '.join(ADJUSTABLE)}). Rank without --adjust-for, or within one {dimension}."
            )
        company = self._computed(metric, (), period)
        if company.empty:
            return pd.Series(dtype=float, name="case_mix_adjustment")
        return case_mix_adjustments(
            self._computed(metric, (scope, dimension), period),
            self._computed(metric, (dimension,), period),
            float(company["value"].iloc[0]),
            dimension,
        )

    def rank(
        self,
        metric: str,
        scope: str,
        period: Period,
        *,
        within: str | None = None,
        min_n: int | None = None,
        confidence: float = 0.95,
        adjust_for: str | None = None,
    ) -> Ranking:
        """A fair ranking of the `scope`s (team or person) that are peers, on `metric` in `period`;
        with `adjust_for` (a dimension such as priority, product, channel, segment), on values adjusted
        for each scope's mix of that dimension."""
        if scope not in RANKED_SCOPES:
            raise ConfigError(f"Cannot rank by {scope!r}. Rank by one of: {', '.join(RANKED_SCOPES)}.")
        definition = self.metric(metric)
        frame = self.results(metric, scope, period)
        peers = self.peers(scope, within, period.end)
        frame = frame[frame["scope_id"].isin(peers)] if peers is not None else frame
        if adjust_for is not None:
            shifts = self.adjustments(metric, scope, period, adjust_for)
            frame = frame.assign(case_mix_adjustment=frame["scope_id"].map(shifts).fillna(0.0))
            frame.attrs["adjusted_for"] = adjust_for
        return rank_frame(
            frame,
            metric=metric,
            scope=scope,
            period=period.label,
            kind=definition.aggregation.value,
            higher_is_better=definition.direction.value == "higher",
            min_n=definition.min_n if min_n is None else min_n,
            names=self.names(scope),
            level=self.level,
            confidence=confidence,
            seed=self.seed,
            draws=self.draws,
            value_format=definition.format,
            bounds=definition.bounds,
        )

    def goal_targets(self, metric: str, scope: str, year: int) -> dict[str, float]:
        """Each scope id's goal of `metric` for `year`, set by the project's goal policies
        (`cxscore.goals.set_goals`)."""
        key = (metric, scope, year)
        if key not in self._goals:
            from cxscore.goals import Results, load_benchmarks, load_goal_settings, set_goals

            settings, benchmarks = load_goal_settings(self.project_root), load_benchmarks(self.project_root)
            goals = set_goals(Results(self.engine, self.level), metric, scope, year, settings, benchmarks)
            self._goals[key] = {g.scope_id: g.target for g in goals}
        return self._goals[key]

    def peers(self, scope: str, within: str | None, day: dt.date) -> set[str] | None:
        """The ids compared: leaf teams, the teams under `within`, or its people on `day` (None: all)."""
        teams = self.teams
        if within is not None and within not in set(teams["team_id"]):
            raise ConfigError(f"Team {within!r} does not exist. Give a team_id of the teams table.")
        if scope == "team":
            if within is not None:
                return set(teams.loc[teams["parent_team_id"] == within, "team_id"])
            parents = set(teams["parent_team_id"].dropna())
            return set(teams["team_id"]) - parents
        if within is None:
            return None
        return self._people_in(self._subtree(within), day)

    def names(self, scope: str) -> dict[str, str]:
        table, key = (self.teams, "team_id") if scope == "team" else (self.people, "person_id")
        return dict(zip(table[key].astype(str), table["name"].astype(str), strict=True))

    @cached_property
    def teams(self) -> pd.DataFrame:
        return self.engine.frame("teams")

    @cached_property
    def people(self) -> pd.DataFrame:
        return self.engine.frame("people")

    @cached_property
    def memberships(self) -> pd.DataFrame:
        return self.engine.frame("memberships")

    def _subtree(self, team_id: str) -> set[str]:
        found, frontier = {team_id}, {team_id}
        while frontier:
            frontier = set(self.teams.loc[self.teams["parent_team_id"].isin(frontier), "team_id"]) - found
            found |= frontier
        return found

    def _people_in(self, teams: set[str], day: dt.date) -> set[str]:
        rows = self.memberships
        moment = pd.Timestamp(day)
        starts, ends = pd.to_datetime(rows["valid_from"]), pd.to_datetime(rows["valid_to"])
        active = rows[(starts <= moment) & (ends.isna() | (ends > moment)) & rows["team_id"].isin(teams)]
        return set(active["person_id"].astype(str))


def rank(
    metric: str,
    by: str = "team",
    period: str | Period = "2025-Q4",
    *,
    within: str | None = None,
    min_n: int | None = None,
    level: float = 0.95,
    confidence: float = 0.95,
    adjust_for: str | None = None,
    project: Path | str | None = None,
    store: Store | None = None,
) -> Ranking:
    """A fair ranking of teams or people on a metric of the project (found from `project` or the current
    folder, or computed on an open `store` with the built-in metrics).

    `period` is a quarter (2025-Q4) or a year (2025). `min_n` overrides the metric's minimum sample.
    `confidence` is how sure the top of a tie band must be that it beats an entry to put it in a lower band.
    `adjust_for` names a dimension (priority, product, channel, segment, ...) to adjust for case mix.
    """
    from cxscore.metrics import MetricEngine, load_catalog
    from cxscore.store import open_project

    chosen = period if isinstance(period, Period) else Period.parse(period)
    found = open_project(None if project is None else Path(project)) if project or store is None else None
    opened = store if store is not None else found.store() if found else None
    assert opened is not None
    try:
        engine = MetricEngine(opened, load_catalog(found.root if found else None))
        boards = Leaderboards(engine, level)
        return boards.rank(
            metric, by, chosen, within=within, min_n=min_n, confidence=confidence, adjust_for=adjust_for
        )
    finally:
        if store is None:
            opened.close()
