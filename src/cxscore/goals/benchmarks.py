"""Industry benchmarks as data: published values, each with its source, year, population and definition.

cxscore ships a small table of values found in published sources (`benchmarks.yaml` in this package);
a project adds its own in `goals/benchmarks.yaml` (same format). Nothing in the table is estimated by
cxscore: where no published value exists, goal policies derive a reference from the company's own data
and say so (see `cxscore.goals.setting`).

>>> table = load_benchmarks()
>>> all(b.source and b.url for b in table)
True
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from cxscore.errors import GoalDefinitionError

__all__ = ["QUALITIES", "Benchmark", "BenchmarkTable", "load_benchmarks", "parse_benchmarks"]

#: How much a value can be trusted, best first.
QUALITIES = ("high", "medium", "low")
_REQUIRED = (
    "metric",
    "industry",
    "value",
    "statistic",
    "source",
    "url",
    "population",
    "definition",
    "quality",
)
_OPTIONAL = ("segment", "year", "quality_reason", "note")
PROJECT_FILES = ("benchmarks.yaml", "benchmarks.yml")


@dataclass(frozen=True)
class Benchmark:
    """One published value: what it measures, for whom, from where, and how far to trust it."""

    metric: str  # the cxscore metric it compares with (or another name, e.g. acsi, for reference only)
    industry: str  # e.g. b2b_saas; "all" for cross-industry values
    value: float  # in the metric's unit: shares and retention as fractions, NPS in points
    statistic: str  # median, mean, average, p75, world_class, ...
    source: str
    url: str
    population: str  # who was measured, how many
    definition: str  # the definition variant the source used
    quality: str  # high, medium or low
    segment: str = "all"
    year: int | None = None  # the year the data describe (None: the source does not say)
    quality_reason: str = ""
    note: str = ""
    origin: str = "built-in"

    def describe(self) -> str:
        """A short citation: 'SaaS Capital (2022, median, b2b_saas)'."""
        year = self.year if self.year is not None else "n.d."
        where = f"{self.industry}/{self.segment}"
        return f"{self.source} ({year}, {self.statistic}, {where}, quality {self.quality})"


@dataclass(frozen=True)
class BenchmarkTable:
    """Every benchmark available to a project: the shipped ones and the project's own."""

    benchmarks: tuple[Benchmark, ...]

    def __iter__(self) -> Iterator[Benchmark]:
        return iter(self.benchmarks)

    def __len__(self) -> int:
        return len(self.benchmarks)

    def for_metric(self, metric: str) -> tuple[Benchmark, ...]:
        return tuple(b for b in self.benchmarks if b.metric == metric)

    def find(
        self,
        metric: str,
        industry: str | None,
        segment: str = "all",
        statistic: str | None = None,
        min_quality: str = "low",
    ) -> Benchmark | None:
        """The best match: the industry's value (else a cross-industry one), the segment's (else "all"),
        the given statistic if asked; among equals the project's own, then the best quality, then the newest.

        >>> load_benchmarks().find("no_such_metric", "b2b_saas") is None
        True
        """
        found = [
            b
            for b in self.benchmarks
            if b.metric == metric
            and b.industry in {industry, "all"}
            and b.segment in {segment, "all"}
            and (statistic is None or b.statistic == statistic)
            and QUALITIES.index(b.quality) <= QUALITIES.index(min_quality)
        ]
        if not found:
            return None

        def rank(b: Benchmark) -> tuple[int, int, int, int, int]:
            return (
                b.industry == industry,
                b.segment == segment,
                b.origin == "project",
                -QUALITIES.index(b.quality),
                b.year or 0,
            )

        return max(found, key=rank)


def parse_benchmarks(data: Any, file: str, origin: str) -> tuple[list[Benchmark], list[str]]:
    """Benchmarks from a parsed YAML document ({benchmarks: [...]}) and every problem found, with the file."""
    rows = data.get("benchmarks") if isinstance(data, Mapping) else None
    if not isinstance(rows, list):
        return [], [f"{file}: expected a mapping with a list under 'benchmarks:'."]
    found: list[Benchmark] = []
    problems: list[str] = []
    for index, row in enumerate(rows, 1):
        benchmark, row_problems = _parse_row(row, f"{file}: benchmark {index}", origin)
        problems += row_problems
        found += [benchmark] if benchmark else []
    return found, problems


def _parse_row(row: Any, where: str, origin: str) -> tuple[Benchmark | None, list[str]]:
    if not isinstance(row, Mapping):
        return None, [f"{where}: expected a mapping of fields."]
    problems = [f"{where}: missing field '{name}'." for name in _REQUIRED if row.get(name) in (None, "")]
    unknown = sorted(set(row) - set(_REQUIRED) - set(_OPTIONAL))
    problems += [
        f"{where}: unknown field '{name}' (fields: {', '.join(_REQUIRED + _OPTIONAL)})." for name in unknown
    ]
    value = row.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        problems.append(f"{where}: value {value!r} is not a number.")
    if row.get("quality") not in QUALITIES:
        problems.append(f"{where}: quality {row.get('quality')!r} is not one of {', '.join(QUALITIES)}.")
    year = row.get("year")
    if year is not None and not isinstance(year, int):
        problems.append(f"{where}: year {year!r} is not a whole number.")
    if problems:
        return None, problems
    fields = {name: row[name] for name in (*_REQUIRED, *_OPTIONAL) if name in row}
    fields["value"] = float(fields["value"])
    text = {k: str(v) for k, v in fields.items() if k not in ("value", "year")}
    return Benchmark(**{**fields, **text}, origin=origin), []


def load_benchmarks(project_root: Path | None = None) -> BenchmarkTable:
    """The shipped table plus the project's `goals/benchmarks.yaml`; every problem is raised at once."""
    shipped = (resources.files("cxscore.goals") / "benchmarks.yaml").read_text(encoding="utf-8")
    benchmarks, problems = parse_benchmarks(yaml.safe_load(shipped), "<built-in>/benchmarks.yaml", "built-in")
    for name in PROJECT_FILES:
        path = project_root / "goals" / name if project_root else None
        if path is not None and path.is_file():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except yaml.YAMLError as error:
                problems.append(f"goals/{name}: not valid YAML ({error}).")
                continue
            own, found = parse_benchmarks(data, f"goals/{name}", "project")
            benchmarks += own
            problems += found
    if problems:
        lines = "\n".join(f"  {p}" for p in problems)
        raise GoalDefinitionError(f"{len(problems)} problem(s) in benchmark tables:\n{lines}")
    return BenchmarkTable(tuple(benchmarks))
