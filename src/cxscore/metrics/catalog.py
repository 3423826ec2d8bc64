"""The catalogue: the built-in metrics shipped with cxscore and a project's own, validated together.

Built-ins are YAML files in `cxscore/metrics/catalog/`; a project adds or overrides metrics with
files in its `metrics/` folder. A project metric with a built-in's name replaces it (and
`cxscore metrics list` says so). Every problem of every file is reported at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from cxscore.errors import ConfigError, MetricDefinitionError
from cxscore.metrics.definition import Location, Metric
from cxscore.metrics.loader import parse_file, parse_text
from cxscore.metrics.problems import Problem
from cxscore.metrics.validation import validate

__all__ = ["Catalog", "load_catalog", "read_definitions"]

_SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True)
class Catalog:
    """Every metric available to a project, by name."""

    metrics: Mapping[str, Metric]
    overrides: frozenset[str] = field(default_factory=frozenset)

    def __iter__(self) -> Iterator[Metric]:
        return iter(self.metrics.values())

    def __len__(self) -> int:
        return len(self.metrics)

    def __contains__(self, name: object) -> bool:
        return name in self.metrics

    def get(self, name: str) -> Metric:
        """The metric called `name`, or a ConfigError listing the ones there are."""
        try:
            return self.metrics[name]
        except KeyError:
            raise ConfigError(
                f"There is no metric '{name}'. Metrics: {', '.join(sorted(self.metrics))}. "
                "See `cxscore metrics list`, or add metrics/{name}.yml to the project."
            ) from None


def read_definitions(project_root: Path | None = None) -> tuple[list[Metric], list[Metric], list[Problem]]:
    """Parse the built-in and the project's metric files: (built-ins, project metrics, problems)."""
    problems: list[Problem] = []
    builtins: list[Metric] = []
    folder = resources.files("cxscore.metrics") / "catalog"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(_SUFFIXES):
            metric, found = parse_text(
                entry.read_text(encoding="utf-8"), f"<built-in>/{entry.name}", "built-in"
            )
            problems += found
            builtins += [metric] if metric else []
    own: list[Metric] = []
    if project_root is not None and (project_root / "metrics").is_dir():
        for path in sorted((project_root / "metrics").iterdir()):
            if path.suffix in _SUFFIXES:
                metric, found = parse_file(path, f"metrics/{path.name}", "project")
                problems += found
                own += [metric] if metric else []
    return builtins, own, problems


def load_catalog(project_root: Path | None = None) -> Catalog:
    """The validated catalogue of a project (built-ins only without one); raises every problem at once.

    >>> catalog = load_catalog()
    >>> catalog.get("nps").aggregation.value
    'nps'
    """
    builtins, own, problems = read_definitions(project_root)
    problems += _duplicates(builtins) + _duplicates(own)
    problems += validate([*builtins, *own])
    if problems:
        raise MetricDefinitionError(sorted(problems))
    metrics = {m.name: m for m in builtins}
    overrides = frozenset(m.name for m in own if m.name in metrics)
    metrics.update({m.name: m for m in own})
    return Catalog(dict(sorted(metrics.items())), overrides)


def _duplicates(metrics: list[Metric]) -> list[Problem]:
    first: dict[str, Location] = {}
    problems = []
    for metric in metrics:
        if metric.name in first:
            problems.append(
                Problem(
                    metric.location,
                    f"Metric '{metric.name}' is also defined in {first[metric.name]}. Rename one of them.",
                )
            )
        first.setdefault(metric.name, metric.location)
    return problems
