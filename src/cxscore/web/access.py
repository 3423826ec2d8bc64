"""What each role may see. One place decides; every page and its JSON twin ask here.

| role | teams, company | people's scorecards, goals, trends | rows behind a number | payouts |
|---|---|---|---|---|
| employee | all | own | own | own |
| manager | all | own and subtree | own and subtree | own and subtree |
| executive | all | everyone | everyone | own |
| compensation_admin | all | everyone | everyone | everyone |
| admin | all | own | own | own |

("all" under teams: every team's aggregates, which name no person.)

A manager's subtree is the team they belong to on the period's last day and every team below it, and the
people who were members of those teams on that day. Person leaderboards and verbatims (customers' own
words, masked) are for managers (their subtree) and executives; the data quality page (raw rejected
rows) and user administration are for admins. Anonymous survey answers are credited to teams only, never
to a person: the metric engine hides the person of an anonymous fact.

>>> import pandas as pd
>>> teams = pd.DataFrame({"team_id": ["CO", "SUP", "SUP-EU"], "parent_team_id": [None, "CO", "SUP"]})
>>> members = pd.DataFrame({"person_id": ["P1", "P2"], "team_id": ["SUP", "SUP-EU"],
...     "valid_from": pd.to_datetime(["2024-01-01"] * 2), "valid_to": [pd.NaT, pd.NaT]})
>>> org = Organisation(teams, members)
>>> import datetime as dt
>>> sorted(org.subtree("SUP")), org.team_of("P2", dt.date(2025, 1, 1))
(['SUP', 'SUP-EU'], 'SUP-EU')
>>> Access(User("boss", "manager", "P1"), org, dt.date(2025, 1, 1)).may_see_person("P2")
True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from cxscore.errors import AccessDeniedError
from cxscore.web.accounts import User

__all__ = ["Access", "Organisation"]

#: Roles that see every person's scorecard.
ALL_PEOPLE = ("executive", "compensation_admin")


class Organisation:
    """The team tree and memberships, for scoping."""

    def __init__(self, teams: pd.DataFrame, memberships: pd.DataFrame) -> None:
        self.teams = teams
        self.memberships = memberships
        # Answers are kept: an Organisation lives as long as one version of the data (see web.views).
        self._teams_of: dict[tuple[str, dt.date], str | None] = {}
        self._people_in: dict[tuple[frozenset[str], dt.date], frozenset[str]] = {}

    @cached_property
    def children(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for team, parent in zip(self.teams["team_id"], self.teams["parent_team_id"], strict=True):
            if isinstance(parent, str):
                found.setdefault(parent, []).append(str(team))
        return found

    def subtree(self, team_id: str) -> set[str]:
        """The team and every team below it."""
        seen, todo = set(), [team_id]
        while todo:
            team = todo.pop()
            if team not in seen:
                seen.add(team)
                todo.extend(self.children.get(team, []))
        return seen

    def team_of(self, person_id: str, day: dt.date) -> str | None:
        """The person's team on `day` (else their last team started by then)."""
        key = (person_id, day)
        if key not in self._teams_of:
            self._teams_of[key] = self._team_of(person_id, day)
        return self._teams_of[key]

    def _team_of(self, person_id: str, day: dt.date) -> str | None:
        rows = self.memberships[self.memberships["person_id"] == person_id]
        moment = pd.Timestamp(day)
        starts, ends = pd.to_datetime(rows["valid_from"]), pd.to_datetime(rows["valid_to"])
        active = rows[(starts <= moment) & (ends.isna() | (ends >= moment))]
        chosen = active if not active.empty else rows[starts <= moment]
        return None if chosen.empty else str(chosen.sort_values("valid_from").iloc[-1]["team_id"])

    def people_in(self, teams: set[str], day: dt.date) -> set[str]:
        """People who were members of one of `teams` on `day`."""
        key = (frozenset(teams), day)
        if key not in self._people_in:
            self._people_in[key] = frozenset(self._people_in_now(teams, day))
        return set(self._people_in[key])

    def _people_in_now(self, teams: set[str], day: dt.date) -> set[str]:
        m = self.memberships
        moment = pd.Timestamp(day)
        starts, ends = pd.to_datetime(m["valid_from"]), pd.to_datetime(m["valid_to"])
        active = m[(starts <= moment) & (ends.isna() | (ends >= moment)) & m["team_id"].isin(teams)]
        return set(active["person_id"].astype(str))


@dataclass(frozen=True)
class Access:
    """What one user may see on one day (the last day of the period the page shows)."""

    user: User
    org: Organisation
    day: dt.date

    @cached_property
    def subtree(self) -> set[str]:
        """The teams a manager manages on `day` (empty for other roles)."""
        if self.user.role != "manager" or not self.user.person_id:
            return set()
        team = self.org.team_of(self.user.person_id, self.day)
        return self.org.subtree(team) if team else set()

    @cached_property
    def people(self) -> set[str] | None:
        """The people whose scorecards this user may see (None: everyone)."""
        if self.user.role in ALL_PEOPLE:
            return None
        own = {self.user.person_id} if self.user.person_id else set()
        return own | self.org.people_in(self.subtree, self.day) if self.subtree else own

    def may_see_person(self, person_id: str) -> bool:
        return self.people is None or person_id in self.people

    def may_see_payouts(self, person_id: str | None) -> bool:
        """Payouts: the person, their managers and compensation admins; None asks for everyone's."""
        if self.user.role == "compensation_admin":
            return True
        if person_id is None:
            return False
        if person_id == self.user.person_id:
            return True
        return bool(self.subtree) and person_id in self.org.people_in(self.subtree, self.day)

    def may_see_team_rows(self, team_id: str) -> bool:
        """The rows behind a team's number name people: managers of the team, executives, comp admins."""
        return self.user.role in ALL_PEOPLE or team_id in self.subtree

    @property
    def may_rank_people(self) -> bool:
        return self.user.role in (*ALL_PEOPLE, "manager")

    @property
    def may_read_verbatims(self) -> bool:
        return self.user.role in ("executive", "manager")

    def require_person(self, person_id: str) -> None:
        if not self.may_see_person(person_id):
            raise AccessDeniedError(
                f"Your role ({self.user.role}) does not show {person_id}'s scorecard: you see your own"
                + (" and your team's people" if self.user.role == "manager" else "")
                + ". Ask an executive or the person's manager."
            )

    def require_team_rows(self, team_id: str) -> None:
        if not self.may_see_team_rows(team_id):
            raise AccessDeniedError(
                f"The rows behind team {team_id}'s numbers name people; your role ({self.user.role}) sees "
                "them only for teams you manage. The team's aggregates are on its scorecard."
            )

    def require_role(self, allowed: tuple[str, ...], what: str) -> None:
        if self.user.role not in allowed:
            raise AccessDeniedError(
                f"{what} is for {', '.join(r.replace('_', ' ') for r in allowed)}; your role is "
                f"{self.user.role.replace('_', ' ')}. Ask an admin if you need it."
            )
