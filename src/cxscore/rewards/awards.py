"""Evaluate recognition programs for a period: who wins, and why, with the numbers.

Every claim an award makes is a probability computed from posterior draws of the scopes' true values
(shrunk towards their peers, as in the fair ranking): "improved by more than 5 points" is awarded only
when that is at least `confidence` probable, "above the bar" likewise. Two periods are drawn from
separate random streams, so their draws are independent like their samples.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cxscore.metrics.display import format_change
from cxscore.rewards.leaderboard import Leaderboards
from cxscore.rewards.programs import AwardKind, Program, load_programs
from cxscore.rewards.ranking import posterior_of
from cxscore.scorecards.period import Period

if TYPE_CHECKING:
    from cxscore.rewards.posterior import Posterior
    from cxscore.store import Store

__all__ = ["ProgramResult", "Winner", "evaluate_program", "evaluate_programs", "previous_period"]


@dataclass(frozen=True)
class Winner:
    """One scope that won a program's award, the reason in words and the numbers behind it."""

    scope_id: str
    name: str
    reason: str
    numbers: Mapping[str, float | int | str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProgramResult:
    """A program evaluated for one period: its winners (possibly none) and what was considered."""

    program: str
    label: str
    award: str
    metric: str
    scope: str
    period: str
    prize: str
    winners: tuple[Winner, ...]
    summary: str

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per winner (or one row with no winner), for CSV."""
        base = {k: v for k, v in asdict(self).items() if k not in ("winners",)}
        if not self.winners:
            return [{**base, "scope_id": "", "name": "", "reason": ""}]
        return [{**base, "scope_id": w.scope_id, "name": w.name, "reason": w.reason} for w in self.winners]


def previous_period(period: Period, compare_to: str = "previous") -> Period:
    """The period before (a quarter's previous quarter, a year's previous year), or the same period a
    year earlier.

    >>> quarter = Period.parse("2025-Q1")
    >>> previous_period(quarter).label, previous_period(quarter, "last_year").label
    ('2024-Q4', '2024-Q1')
    """
    if compare_to == "last_year" or period.quarter is None:
        return Period(period.year - 1, period.quarter)
    return Period(period.year, period.quarter - 1) if period.quarter > 1 else Period(period.year - 1, 4)


@dataclass(frozen=True)
class _Family:
    """One period's peers with their posteriors."""

    frame: pd.DataFrame
    posterior: Posterior
    enough: Any
    sign: float
    spec: str
    period: Period

    def index(self) -> dict[str, int]:
        return {str(s): i for i, s in enumerate(self.frame["scope_id"]) if self.enough[i]}

    def describe(self, i: int) -> str:
        row = self.frame.iloc[i]
        return f"{row['value']:{self.spec}} (n={int(row['n'])}) in {self.period.label}"


def _family(boards: Leaderboards, program: Program, period: Period, seed_offset: int = 0) -> _Family:
    definition = boards.metric(program.metric)
    frame = boards.results(program.metric, program.scope, period)
    peers = boards.peers(program.scope, program.within, period.end)
    frame = frame[(frame["n"] > 0) & (frame["scope_id"].isin(peers) if peers is not None else True)]
    frame = frame.reset_index(drop=True)
    posterior, usable = posterior_of(
        frame,
        definition.aggregation.value,
        boards.level,
        boards.seed + seed_offset,
        boards.draws,
        bounds=definition.bounds,
    )
    min_n = definition.min_n if program.min_n is None else program.min_n
    enough = np.asarray(usable) & (frame["n"].to_numpy() >= min_n)
    sign = 1.0 if definition.direction.value == "higher" else -1.0
    return _Family(frame, posterior, enough, sign, definition.format, period)


def evaluate_program(boards: Leaderboards, program: Program, period: Period) -> ProgramResult:
    """The winners of one program in one period."""
    evaluate = {
        AwardKind.MOST_IMPROVED: _most_improved,
        AwardKind.ABOVE_BAR: _above_bar,
        AwardKind.TOP_PERFORMER: _top_performer,
        AwardKind.STREAK: _streak,
    }[program.award]
    winners, summary = evaluate(boards, program, period)
    return ProgramResult(
        program=program.name,
        label=program.label,
        award=program.award.value,
        metric=program.metric,
        scope=program.scope,
        period=period.label,
        prize=program.prize,
        winners=tuple(winners),
        summary=summary,
    )


def evaluate_programs(
    period: str | Period,
    *,
    programs: list[Program] | None = None,
    project: Path | str | None = None,
    store: Store | None = None,
) -> list[ProgramResult]:
    """Every program of the project (or `programs`) evaluated for `period` (2025-Q4 or 2025)."""
    from cxscore.metrics import MetricEngine, load_catalog
    from cxscore.store import open_project

    chosen = period if isinstance(period, Period) else Period.parse(period)
    found = open_project(None if project is None else Path(project)) if project or store is None else None
    root = found.root if found else None
    chosen_programs = programs if programs is not None else load_programs(root)
    opened = store if store is not None else found.store() if found else None
    assert opened is not None
    try:
        boards = Leaderboards(MetricEngine(opened, load_catalog(root)), project_root=root)
        return [evaluate_program(boards, p, chosen) for p in chosen_programs]
    finally:
        if store is None:
            opened.close()


def _most_improved(boards: Leaderboards, program: Program, period: Period) -> tuple[list[Winner], str]:
    before = previous_period(period, program.compare_to)
    now, then = _family(boards, program, period), _family(boards, program, before, seed_offset=1)
    then_index = then.index()
    scored: list[tuple[float, float, str, int, int]] = []
    for scope_id, i in now.index().items():
        if scope_id in then_index:
            j = then_index[scope_id]
            change = now.sign * (now.posterior.draws[i] - then.posterior.draws[j])
            expected = now.sign * float(now.posterior.values[i] - then.posterior.values[j])
            raw = now.sign * float(now.frame.iloc[i]["value"] - then.frame.iloc[j]["value"])
            # The raw change must clear the minimum too: nobody is awarded on the peers' prior alone.
            chance = float(np.mean(change > program.min_change)) if raw > program.min_change else 0.0
            scored.append((chance, expected, scope_id, i, j))
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    names = boards.names(program.scope)
    considered = (
        f"{len(scored)} {program.scope}(s) with enough answers in both {before.label} and {period.label}"
    )
    if not scored or scored[0][0] < program.confidence:
        best = (
            f"; the most probable, {names.get(scored[0][2], scored[0][2])}, {scored[0][0]:.0%}"
            if scored
            else ""
        )
        return (
            [],
            f"No award: {considered}; none improved by more than "
            f"{format_change(program.min_change, now.spec)} "
            f"with {program.confidence:.0%} probability{best}.",
        )
    probability, expected, scope_id, i, j = scored[0]
    runner_up = (
        f" Runner-up: {names.get(scored[1][2], scored[1][2])} ({scored[1][0]:.0%})."
        if len(scored) > 1
        else ""
    )
    reason = (
        f"{program.metric} {then.describe(j)} -> {now.describe(i)}; shrunk "
        f"{then.posterior.values[j]:{now.spec}} -> {now.posterior.values[i]:{now.spec}} "
        f"(expected true change {format_change(expected, now.spec)}). The true change exceeds "
        f"{format_change(program.min_change, now.spec)} with probability {probability:.1%} "
        f"(needed {program.confidence:.0%}).{runner_up}"
    )
    numbers: dict[str, float | int | str] = {
        "value": float(now.frame.iloc[i]["value"]), "n": int(now.frame.iloc[i]["n"]),
        "previous_value": float(then.frame.iloc[j]["value"]), "previous_n": int(then.frame.iloc[j]["n"]),
        "shrunk": float(now.posterior.values[i]), "previous_shrunk": float(then.posterior.values[j]),
        "expected_change": expected, "probability": probability, "compared_with": before.label,
    }  # fmt: skip
    return [Winner(scope_id, names.get(scope_id, scope_id), reason, numbers)], f"{considered}."


def _bar(boards: Leaderboards, program: Program, period: Period, scope_id: str) -> float | None:
    """The bar a scope must clear in `period`: the program's threshold, or the scope's own goal for the
    period's year (None when it has no goal)."""
    if program.goal:
        return boards.goal_targets(program.metric, program.scope, period.year).get(scope_id)
    return program.threshold


def _bar_words(program: Program) -> str:
    return "its goal" if program.goal else "the bar"


def _above_bar(boards: Leaderboards, program: Program, period: Period) -> tuple[list[Winner], str]:
    family = _family(boards, program, period)
    names, winners = boards.names(program.scope), []
    index = family.index()
    for scope_id, i in index.items():
        bar = _bar(boards, program, period, scope_id)
        probability = _beyond(family, i, bar) if bar is not None else 0.0
        if bar is not None and probability >= program.confidence:
            goal = f"its {period.year} goal " if program.goal else ""
            reason = (
                f"{program.metric} {family.describe(i)}, shrunk {family.posterior.values[i]:{family.spec}} "
                f"({family.posterior.lower[i]:{family.spec}} to {family.posterior.upper[i]:{family.spec}}); "
                f"truly {'above' if family.sign > 0 else 'below'} {goal}{bar:{family.spec}} with "
                f"probability {probability:.1%} (needed {program.confidence:.0%})."
            )
            numbers = {
                "value": float(family.frame.iloc[i]["value"]), "n": int(family.frame.iloc[i]["n"]),
                "shrunk": float(family.posterior.values[i]), "bar": bar, "probability": probability,
            }  # fmt: skip
            winners.append(Winner(scope_id, names.get(scope_id, scope_id), reason, numbers))
    winners.sort(key=lambda w: -float(w.numbers["probability"]))
    left_out = int(np.sum(~family.enough))
    summary = (
        f"{len(winners)} of {len(index)} {program.scope}(s) with enough answers are surely beyond "
        f"{_bar_words(program)}; {left_out} left out under the minimum sample."
    )
    return winners, summary


def _beyond(family: _Family, i: int, threshold: float) -> float:
    """P(true value beyond the threshold); 0 when the raw value itself is not beyond it, so nobody is
    awarded on the peers' prior alone."""
    if family.sign * float(family.frame.iloc[i]["value"]) <= family.sign * threshold:
        return 0.0
    return float(np.mean(family.sign * family.posterior.draws[i] > family.sign * threshold))


def _top_performer(boards: Leaderboards, program: Program, period: Period) -> tuple[list[Winner], str]:
    board = boards.rank(
        program.metric, program.scope, period, within=program.within, min_n=program.min_n,
        confidence=program.confidence,
    )  # fmt: skip
    first = [e for e in board.entries if e.band == 1]
    spec = board.value_format
    if not first:
        return [], f"No award: no {program.scope} has enough answers ({len(board.excluded)} left out)."
    if len(first) > program.winners:
        shown = ", ".join(e.name for e in first)
        return [], (
            f"No award: the first band holds {len(first)} {program.scope}s that cannot be told apart "
            f"({shown}); P({first[0].name} beats the next) = {first[0].beats_next or 0:.0%}."
        )
    following = board.entries[len(first)] if len(board.entries) > len(first) else None
    versus = (
        f"; the next band starts with {following.name} ({following.shrunk:{spec}}), whom the first band's "
        f"top beats with at least {program.confidence:.0%} probability"
        if following
        else ""
    )
    winners = []
    for e in first:
        reason = (
            f"{program.metric} {e.value:{spec}} (n={e.n}), shrunk {e.shrunk:{spec}} ({e.shrunk_lower:{spec}} "
            f"to {e.shrunk_upper:{spec}}); first of {len(board.entries)} on the fair ranking, "
            f"P(best) {e.chance_best:.0%}{versus}."
        )
        numbers = {
            "value": e.value,
            "n": e.n,
            "shrunk": e.shrunk,
            "chance_best": e.chance_best,
            "rank": e.rank,
        }
        winners.append(Winner(e.scope_id, e.name, reason, numbers))
    return winners, f"{len(board.entries)} ranked, {len(board.excluded)} left out under the minimum sample."


def _streak(boards: Leaderboards, program: Program, period: Period) -> tuple[list[Winner], str]:
    periods = [period]
    while len(periods) < program.periods:
        periods.append(previous_period(periods[-1]))
    families = [_family(boards, program, p, seed_offset=k) for k, p in enumerate(periods)]
    names, winners = boards.names(program.scope), []
    indexes = [f.index() for f in families]
    for scope_id in indexes[0]:
        if not all(scope_id in index for index in indexes):
            continue
        bars = [_bar(boards, program, p, scope_id) for p in periods]
        if any(bar is None for bar in bars):
            continue
        chances = [
            _beyond(f, index[scope_id], float(bar))  # type: ignore[arg-type]
            for f, index, bar in zip(families, indexes, bars, strict=True)
        ]
        if min(chances) >= program.confidence:
            spec = families[0].spec
            steps = "; ".join(
                f"{f.describe(index[scope_id])} vs {bar:{spec}}"
                for f, index, bar in zip(families, indexes, bars, strict=True)
            )
            reason = (
                f"{program.metric} truly {'above' if families[0].sign > 0 else 'below'} "
                f"{_bar_words(program)} in each of the last {program.periods} periods, each with "
                f"probability at least {min(chances):.1%} (needed {program.confidence:.0%}): {steps}."
            )
            winners.append(
                Winner(scope_id, names.get(scope_id, scope_id), reason, {"lowest_probability": min(chances)})
            )
    bar = _bar_words(program) if program.goal else f"{program.threshold:{families[0].spec}}"
    summary = (
        f"{len(winners)} {program.scope}(s) surely beyond {bar} in each of "
        f"{', '.join(p.label for p in reversed(periods))}."
    )
    return winners, summary
