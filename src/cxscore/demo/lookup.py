"""Effective-dated look-ups for whole columns: who owned an account, or belonged to a team, on a day.

Credit follows the date: a response is credited to the owner or team valid on the day it was asked for,
so every generator asks these tables "as of" the day of each row, thousands of rows at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cxscore.demo.calendar import Ints

__all__ = ["Roster", "Timeline"]

_SPAN = np.int64(1 << 21)  # more days than any day number used here (2^21 days is year 7711)


@dataclass(frozen=True)
class Timeline:
    """Values of entities over time: rows (entity, valid_from, valid_to, value), at most one valid per day.

    >>> t = Timeline.build(np.array([0, 0]), np.array([10, 20]), np.array([19, -1]), np.array([7, 8]))
    >>> t.at(np.array([0, 0, 0, 1]), np.array([5, 15, 25, 15])).tolist()
    [-1, 7, 8, -1]
    """

    keys: Ints
    ends: Ints
    values: Ints

    @classmethod
    def build(cls, entity: Ints, valid_from: Ints, valid_to: Ints, value: Ints) -> Timeline:
        """`valid_to` of -1 means open-ended."""
        keys = entity.astype(np.int64) * _SPAN + valid_from
        order = np.argsort(keys, kind="stable")
        ends = np.where(valid_to < 0, _SPAN - 1, valid_to)
        return cls(keys[order], ends[order].astype(np.int64), value[order].astype(np.int64))

    def at(self, entity: Ints, day: Ints) -> Ints:
        """The value valid for each (entity, day), or -1 where none is."""
        query = entity.astype(np.int64) * _SPAN + day
        index = np.searchsorted(self.keys, query, side="right") - 1
        safe = np.maximum(index, 0)
        found = (index >= 0) & (self.keys[safe] // _SPAN == entity) & (self.ends[safe] >= day)
        return np.where(found, self.values[safe], -1)


@dataclass(frozen=True)
class Roster:
    """Who is in each team on each day, to pick a random member for a case, an account or a task.

    Built once from the memberships; each team's history is cut into epochs between membership changes,
    with the members of each epoch as a padded row.
    """

    starts: dict[int, Ints]
    members: dict[int, Ints]
    counts: dict[int, Ints]

    @classmethod
    def build(cls, person: Ints, team: Ints, valid_from: Ints, valid_to: Ints) -> Roster:
        starts: dict[int, Ints] = {}
        members: dict[int, Ints] = {}
        counts: dict[int, Ints] = {}
        ends = np.where(valid_to < 0, _SPAN - 1, valid_to)
        for t in np.unique(team).tolist():
            mine = team == t
            edges = np.unique(np.concatenate([valid_from[mine], ends[mine] + 1]))
            inside = (valid_from[mine][None, :] <= edges[:, None]) & (ends[mine][None, :] >= edges[:, None])
            width = max(1, int(inside.sum(axis=1).max()))
            matrix = np.full((len(edges), width), -1, dtype=np.int64)
            for row, flags in enumerate(inside):
                chosen = np.sort(person[mine][flags])
                matrix[row, : len(chosen)] = chosen
            starts[t], members[t], counts[t] = edges, matrix, inside.sum(axis=1).astype(np.int64)
        return cls(starts, members, counts)

    def pick(self, team: Ints, day: Ints, u: np.ndarray) -> Ints:
        """A member of `team` on `day` for each row, chosen by the uniform draw `u`; -1 if it had none."""
        out = np.full(len(team), -1, dtype=np.int64)
        for t in np.unique(team).tolist():
            if t not in self.starts:
                continue
            rows = np.flatnonzero(team == t)
            found = np.searchsorted(self.starts[t], day[rows], side="right") - 1
            epoch = np.maximum(found, 0)
            n = np.where(found >= 0, self.counts[t][epoch], 0)
            slot = np.minimum((u[rows] * n).astype(np.int64), np.maximum(n - 1, 0))
            out[rows] = np.where(n > 0, self.members[t][epoch, slot], -1)
        return out
