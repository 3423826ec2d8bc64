"""Tracing a scorecard number: the metric's definition, the rows behind it, its goal policy and benchmark.

`cxscore scorecard explain csat --team T-SUP-EMEA --period 2025-Q4` prints all of it, so anyone can check
the number by hand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from cxscore.scorecards.evaluation import Evaluator, Line
from cxscore.scorecards.period import Period

__all__ = ["Explanation", "explain"]

#: Display names of the engine's own columns of the credited facts.
_NAMES = {
    "_at": "date",
    "_x": "measured",
    "_s": "success",
    "_person": "credited_person",
    "_team": "credited_team",
    "_role": "credited_role",
}


@dataclass(frozen=True)
class Explanation:
    """Everything behind one number of one scorecard."""

    scope: str
    scope_id: str
    name: str
    period: Period
    scorecard: str
    line: Line
    rows: pd.DataFrame | None  # a sample of the credited facts (None for two-sided metrics)
    row_count: int | None  # how many facts were credited (the n of the value for one-sided metrics)
    sql: str

    def to_text(self) -> str:
        """The explanation as plain text, section by section."""
        line, metric = self.line, self.line.metric
        e = line.estimate
        credited = metric.facts.attribution.describe() if metric.facts.attribution else "company only"
        value = "no data" if e is None else f"{line.format(e.value)} ({e.format(3)}, method {e.method.value})"
        sections = [
            f"{metric.label or metric.name} for {self.name} ({self.scope_id}), {self.period}, "
            f"scorecard {self.scorecard} (weight {line.item.weight:.0%}, {line.item.category.value})",
            "",
            "Metric",
            f"  {metric.name}: {metric.description}".rstrip(),
            f"  kind {metric.aggregation.value}; source {metric.facts.source}; time {metric.facts.time}; "
            f"credited to {credited}",
            f"  {metric.direction.value} is better; minimum sample {metric.min_n}; "
            f"defined in {metric.location}",
            f"  reference: {metric.reference or 'none given'}",
            "",
            "Value",
            f"  {value}" + ("  INSUFFICIENT DATA: never scored" if line.insufficient else ""),
            "",
            "Rows",
            *self._rows(),
            "",
            "Goal",
            *(f"  {text}" for text in self._goal()),
            "",
            "Attainment",
            f"  {line.attainment.value}: {self._rule()}",
            "",
            "SQL the engine runs for the statistics",
            *(f"  {sql}" for sql in self.sql.splitlines()),
        ]
        return "\n".join(sections)

    def _rows(self) -> list[str]:
        if self.rows is None:
            return ["  (a ratio or rate of two sets of facts: see `cxscore metrics explain` for both sides)"]
        shown = self.rows.rename(columns=_NAMES)
        head = f"  {self.row_count} credited fact(s) for this scope and period; the first {len(shown)}:"
        return [head, *(f"  {text}" for text in shown.to_string(index=False).splitlines())]

    def _goal(self) -> list[str]:
        goal = self.line.goal
        if goal is None:
            return ["no goal"]
        lines = [goal.explanation]
        if self.line.target != goal.target and not math.isnan(goal.target):
            lines.append(f"This period's share of the yearly goal: {self.line.format(self.line.target)}.")
        b = goal.benchmark
        if b is not None:
            lines += [
                f"Benchmark used: {b.source}, {b.year or 'n.d.'}: {b.value:g} ({b.statistic}), {b.url}",
                f"  population: {b.population}; definition: {b.definition}",
                f"  quality {b.quality}: {b.quality_reason}",
            ]
        else:
            lines.append("Benchmark used: none published for this metric and industry (see the goal above).")
        return lines

    def _rule(self) -> str:
        better = "at or above" if self.line.metric.direction.value == "higher" else "at or below"
        return (
            f"met when the whole {self.line.estimate.level if self.line.estimate else 0.95:.0%} interval is "
            f"{better} the goal; likely met when the value is but the interval is not; likely not met when "
            "the value is not but the interval reaches the goal; not met when the whole interval falls short"
        )


def explain(
    evaluator: Evaluator, metric: str, scope: str, scope_id: str, period: Period, rows: int = 10
) -> Explanation:
    """Explain one metric of the scope's scorecard for a period (any metric of the catalogue works)."""
    result = evaluator.evaluate(scope, scope_id, period)
    line = next((line for line in result.lines if line.item.metric == metric), None)
    if line is None:
        from cxscore.scorecards.definition import Item, Scorecard, default_category

        item = Item(metric, 1.0, default_category(metric))
        card = Scorecard(f"{metric} alone", metric, "", (item,))
        line = evaluator.evaluate(scope, scope_id, period, card).lines[0]
        card_name = f"{result.scorecard.name} (not on it; shown alone)"
    else:
        card_name = result.scorecard.name
    engine = evaluator.results.engine
    by = () if scope == "company" else (scope,)
    compiled = engine.compile(metric, by, period.grain, level=evaluator.results.level)
    sample, count = None, None
    if compiled.facts is not None:
        facts = compiled.facts
        mine = facts.filter((facts.scope_id == scope_id) & (facts.period == period.start))
        count = int(mine.count().execute())
        sample = mine.limit(rows).execute()
    return Explanation(
        scope, scope_id, result.name, period, card_name, line, sample, count, engine.sql(compiled)
    )
