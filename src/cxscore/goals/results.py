"""Metric results for goals and scorecards, computed once per metric, scope and grain and kept.

A scorecard asks for the same metric at several grains and for many teams; the engine answers each
question once (all teams at a time) and the answers are reused.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from cxscore.metrics import Metric, MetricEngine

__all__ = ["SCOPES", "Results"]

#: The scopes a goal or scorecard is for.
SCOPES = ("company", "team", "person")


class Results:
    """Cached metric results of one engine (one store and catalogue)."""

    def __init__(self, engine: MetricEngine, level: float = 0.95) -> None:
        self.engine = engine
        self.level = level
        self._cache: dict[tuple[str, str, str, int], pd.DataFrame] = {}

    def metric(self, name: str) -> Metric:
        return self.engine.catalog.get(name)

    def get(self, metric: str, scope: str, grain: str, window: int = 1) -> pd.DataFrame:
        """One row per scope id and period (see `cxscore.metrics.COLUMNS`), `period` as a date."""
        key = (metric, scope, grain, window)
        if key not in self._cache:
            by = () if scope == "company" else (scope,)
            frame = self.engine.compute(metric, by, grain, window=window, level=self.level)
            frame = frame.assign(period=pd.to_datetime(frame["period"]).dt.date)
            self._cache[key] = frame
        return self._cache[key]

    def row(
        self, metric: str, scope: str, scope_id: str, grain: str, period: dt.date, window: int = 1
    ) -> pd.Series | None:
        """The result of one scope id and period, or None when there were no facts."""
        frame = self.get(metric, scope, grain, window)
        found = frame[(frame["scope_id"] == scope_id) & (frame["period"] == period)]
        return None if found.empty else found.iloc[0]

    @cached_property
    def teams(self) -> pd.DataFrame:
        """The teams table (team_id, name, parent_team_id, function, region)."""
        return self.engine.frame("teams")

    @cached_property
    def people(self) -> pd.DataFrame:
        return self.engine.frame("people")

    @cached_property
    def memberships(self) -> pd.DataFrame:
        return self.engine.frame("memberships")

    def name(self, scope: str, scope_id: str) -> str:
        """A person's or team's name ('the company' for the company)."""
        if scope == "company":
            return "the company"
        table, key = (self.teams, "team_id") if scope == "team" else (self.people, "person_id")
        found = table.loc[table[key] == scope_id, "name"]
        return str(found.iloc[0]) if not found.empty else scope_id

    def parent(self, team_id: str) -> str | None:
        found = self.teams.loc[self.teams["team_id"] == team_id, "parent_team_id"]
        return None if found.empty or pd.isna(found.iloc[0]) else str(found.iloc[0])

    def function(self, team_id: str) -> str | None:
        found = self.teams.loc[self.teams["team_id"] == team_id, "function"]
        return None if found.empty or pd.isna(found.iloc[0]) else str(found.iloc[0])

    def role(self, person_id: str, day: dt.date) -> str | None:
        """The person's role on `day` (their latest membership started by then)."""
        rows = self._memberships_on(person_id, day)
        return None if rows.empty else str(rows.iloc[-1]["role_id"])

    def team_of(self, person_id: str, day: dt.date) -> str | None:
        rows = self._memberships_on(person_id, day)
        return None if rows.empty else str(rows.iloc[-1]["team_id"])

    def _memberships_on(self, person_id: str, day: dt.date) -> pd.DataFrame:
        """The person's memberships on `day` (else the last one started by then), oldest first."""
        rows = self.memberships[self.memberships["person_id"] == person_id]
        moment = pd.Timestamp(day)
        starts, ends = pd.to_datetime(rows["valid_from"]), pd.to_datetime(rows["valid_to"])
        active = rows[(starts <= moment) & (ends.isna() | (ends > moment))]
        chosen = active if not active.empty else rows[starts <= moment]
        return chosen.sort_values("valid_from")

    def peers(self, scope: str, scope_id: str, day: dt.date | None = None) -> list[str] | None:
        """Whom a scope id is compared with: sibling teams (same parent); people with the same role on
        `day` (everyone when no day is given); None for the company."""
        if scope == "team":
            parent = self.parent(scope_id)
            siblings = self.teams.loc[self.teams["parent_team_id"] == parent, "team_id"]
            return [str(t) for t in siblings] if parent is not None else [scope_id]
        if scope == "person":
            if day is None:
                return []  # an empty list means: every person with a result
            role = self.role(scope_id, day)
            people = self.memberships.loc[self.memberships["role_id"] == role, "person_id"].unique()
            return [str(p) for p in people if self.role(str(p), day) == role]
        return None
