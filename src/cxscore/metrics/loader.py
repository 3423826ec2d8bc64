"""Reading metric definition files: YAML parsed with the line of every key, into `Metric` objects.

Structural problems (missing fields, wrong types, unknown kinds) are collected here; checks against
the data model are `validation.py`'s. Nothing raises until every file has been read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from cxscore.metrics import conditions
from cxscore.metrics.definition import (
    AGGREGATIONS,
    Aggregation,
    Attribution,
    Direction,
    Duration,
    Facts,
    Location,
    Metric,
    Retention,
)
from cxscore.metrics.problems import Problem

__all__ = ["FIELDS", "parse_file", "parse_text"]

#: Every field a metric file may have, with what it is for (the docs list them from here).
FIELDS: dict[str, str] = {
    "name": "identifier used in commands and the API (required; lower case, digits, _)",
    "label": "display name",
    "description": "what the metric measures and why it matters",
    "kind": f"aggregation, one of {', '.join(AGGREGATIONS)} (required)",
    "source": "table (or derived view) whose rows are the facts (required)",
    "time": "column that places a fact in a period (required)",
    "filters": "condition a fact must meet to count at all",
    "attribution": "who gets the credit: {person: col}, {team: col}, {owner: table}, {teams: table}",
    "column": "column aggregated (nps, mean, sum, percentile)",
    "duration": "{start: col, end: col, unit: minutes|hours|days}, instead of column",
    "success": "condition that makes a fact a success (share)",
    "quantile": "quantile for percentile, 0.5 (the median) by default",
    "numerator": "facts counted above the line (ratio, rate): source, time, filters, attribution, sum",
    "denominator": "facts counted below the line (ratio) or the exposure (rate)",
    "retention": "{mode: logo|gross|net, starting: col, ending: col, unit: col}",
    "direction": "higher (default) or lower: which way is better",
    "unit": "unit of the value, e.g. points, %, hours",
    "format": "Python format spec of the value, e.g. .1f",
    "min_n": "minimum sample size; below it a value is flagged insufficient and never ranked",
    "reference": "where the definition comes from",
}

_FACT_FIELDS = ("source", "time", "filters", "attribution", "sum")
_DURATION_UNITS = ("minutes", "hours", "days")
_RETENTION_MODES = ("logo", "gross", "net")


class _Mapping(dict[str, Any]):
    """A YAML mapping that remembers its own line and the line of each key."""

    line: int = 0
    lines: dict[str, int]


class _Sequence(list[Any]):
    line: int = 0


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader whose mappings and lists know their lines (1-based)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    loader.flatten_mapping(node)
    result = _Mapping()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[str(key)] = loader.construct_object(value_node, deep=True)
        result.lines[str(key)] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _Sequence:
    result = _Sequence(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def parse_file(
    path: Path, shown_as: str | None = None, origin: str = "project"
) -> tuple[Metric | None, list[Problem]]:
    """Parse one metric file. Returns the metric (None when it cannot be built) and every problem found."""
    return parse_text(path.read_text(encoding="utf-8"), shown_as or str(path), origin)


def parse_text(text: str, file: str, origin: str = "project") -> tuple[Metric | None, list[Problem]]:
    """Parse the YAML text of one metric definition; `file` is how messages name it.

    >>> metric, problems = parse_text("name: nps\\nkind: nps\\nsource: responses\\ntime: responded_at\\n"
    ...                               "column: nps\\n", "nps.yml")
    >>> metric.name, metric.aggregation.value, problems
    ('nps', 'nps', [])
    """
    try:
        node = yaml.load(text, Loader=_LineLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        return None, [Problem(Location(file, line), f"Not valid YAML: {error}. Fix the syntax.")]
    if not isinstance(node, _Mapping):
        return None, [
            Problem(
                Location(file, 1), "A metric file must hold one mapping such as 'name: nps'. Fix the file."
            )
        ]
    problems: list[Problem] = []
    metric = _Parser(node, file, origin, problems).metric()
    return metric, problems


class _Parser:
    """Builds a Metric from one file's mapping, adding a problem for everything wrong on the way."""

    def __init__(self, node: _Mapping, file: str, origin: str, problems: list[Problem]) -> None:
        self.node = node
        self.file = file
        self.origin = origin
        self.problems = problems
        self.name = str(node.get("name", "?"))

    def at(self, node: _Mapping, key: str | None = None) -> Location:
        return Location(self.file, node.lines.get(key, node.line) if key else node.line)

    def problem(self, location: Location, message: str) -> None:
        self.problems.append(Problem(location, message))

    def metric(self) -> Metric | None:
        node = self.node
        for key in node:
            if key not in FIELDS:
                self.problem(
                    self.at(node, key),
                    f"Metric '{self.name}' has an unknown field '{key}'. Fields: {', '.join(FIELDS)}.",
                )
        name = self.text(node, "name", required=True)
        kind = self.choice(node, "kind", AGGREGATIONS, required=True)
        if name and (not name.replace("_", "").isalnum() or name != name.lower()):
            self.problem(
                self.at(node, "name"), f"Metric name {name!r} must be lower case letters, digits and _."
            )
        two_sided = kind in (Aggregation.RATIO.value, Aggregation.RATE.value)
        facts = self.facts(node, None, required=not two_sided)
        numerator = denominator = None
        if two_sided:
            numerator = self.side(node, "numerator", facts)
            denominator = self.side(node, "denominator", facts)
        elif "numerator" in node or "denominator" in node:
            self.problem(
                self.at(node, "numerator"),
                f"Only ratio and rate metrics take a numerator; '{name}' is a {kind}.",
            )
        direction = self.choice(node, "direction", ("higher", "lower")) or "higher"
        min_n = node.get("min_n", 1)
        if isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 1:
            self.problem(
                self.at(node, "min_n"), f"min_n must be a whole number of at least 1, not {min_n!r}."
            )
            min_n = 1
        fmt = self.text(node, "format") or ".1f"
        try:
            format(1.5, fmt)
        except ValueError:
            self.problem(
                self.at(node, "format"), f"format {fmt!r} is not a Python format spec; write e.g. .1f or .0%."
            )
            fmt = ".1f"
        quantile = node.get("quantile", 0.5)
        if isinstance(quantile, bool) or not isinstance(quantile, int | float) or not 0 < quantile < 1:
            self.problem(
                self.at(node, "quantile"), f"quantile must be a number between 0 and 1, not {quantile!r}."
            )
            quantile = 0.5
        success = None
        if "success" in node:
            success = conditions.parse(node["success"], self.at(node, "success"), self.problems)
        if not name or kind is None or (facts is None and not two_sided):
            return None
        base = facts or numerator or denominator
        if base is None:
            return None
        return Metric(
            name=name,
            label=self.text(node, "label") or name,
            description=self.text(node, "description") or "",
            aggregation=Aggregation(kind),
            facts=base,
            location=self.at(node),
            direction=Direction(direction),
            unit=self.text(node, "unit") or "",
            format=fmt,
            min_n=min_n,
            reference=self.text(node, "reference") or "",
            column=self.text(node, "column"),
            duration=self.duration(node),
            success=success,
            quantile=float(quantile),
            numerator=numerator,
            denominator=denominator,
            retention=self.retention(node),
            origin=self.origin,
            lines=dict(node.lines),
        )

    def text(self, node: _Mapping, key: str, required: bool = False) -> str | None:
        value = node.get(key)
        if value is None:
            if required:
                self.problem(self.at(node), f"Metric '{self.name}' has no '{key}'. Add '{key}: ...'.")
            return None
        if isinstance(value, dict | list):
            self.problem(self.at(node, key), f"'{key}' must be text, not {value!r}.")
            return None
        return str(value)

    def choice(
        self, node: _Mapping, key: str, allowed: tuple[str, ...], required: bool = False
    ) -> str | None:
        value = self.text(node, key, required)
        if value is not None and value not in allowed:
            self.problem(
                self.at(node, key),
                f"Metric '{self.name}' has {key} {value!r}, which is not one of: {', '.join(allowed)}.",
            )
            return None
        return value

    def facts(self, node: _Mapping, defaults: Facts | None, required: bool) -> Facts | None:
        source = self.text(node, "source", required=required and defaults is None)
        time = self.text(node, "time", required=required and defaults is None)
        source = source or (defaults.source if defaults else None)
        time = time or (defaults.time if defaults else None)
        filters = None
        if "filters" in node:
            filters = conditions.parse(node["filters"], self.at(node, "filters"), self.problems)
        attribution = (
            self.attribution(node) if "attribution" in node else (defaults.attribution if defaults else None)
        )
        if source is None or time is None:
            return None
        return Facts(
            source=source,
            time=time,
            location=self.at(node),
            filters=filters,
            attribution=attribution,
            sum=self.text(node, "sum"),
            lines={k: v for k, v in node.lines.items() if k in _FACT_FIELDS},
        )

    def side(self, node: _Mapping, key: str, defaults: Facts | None) -> Facts | None:
        side = node.get(key)
        if not isinstance(side, _Mapping):
            self.problem(
                self.at(node, key) if key in node else self.at(node),
                f"Metric '{self.name}' needs a '{key}' mapping with source, time, filters, attribution "
                "(each defaults to the metric's own).",
            )
            return None
        for field in side:
            if field not in _FACT_FIELDS:
                self.problem(
                    self.at(side, field),
                    f"'{key}' has an unknown field '{field}'. Fields: {', '.join(_FACT_FIELDS)}.",
                )
        facts = self.facts(side, defaults, required=defaults is None)
        if facts is not None and defaults is not None and "source" in side and "attribution" not in side:
            # a side on another table cannot borrow the metric's attribution columns
            facts = Facts(
                facts.source, facts.time, facts.location, facts.filters, None, facts.sum, facts.lines
            )
        return facts

    def attribution(self, node: _Mapping) -> Attribution | None:
        value = node["attribution"]
        where = self.at(node, "attribution")
        if value in (None, "none", "company"):
            return None
        if not isinstance(value, _Mapping):
            self.problem(where, f"attribution must be a mapping such as {{person: agent_id}}, not {value!r}.")
            return None
        allowed = ("person", "team", "owner", "teams", "anonymous")
        for key in value:
            if key not in allowed:
                self.problem(
                    self.at(value, key),
                    f"attribution has an unknown field '{key}'. Fields: {', '.join(allowed)}.",
                )
        fields = {k: str(value[k]) for k in allowed if value.get(k) is not None}
        return Attribution(location=Location(self.file, value.line), **fields)

    def duration(self, node: _Mapping) -> Duration | None:
        value = node.get("duration")
        if value is None:
            return None
        if not isinstance(value, _Mapping) or not {"start", "end"} <= set(value):
            self.problem(
                self.at(node, "duration"), "duration must be {start: column, end: column, unit: hours}."
            )
            return None
        unit = str(value.get("unit", "hours"))
        if unit not in _DURATION_UNITS:
            self.problem(
                self.at(value, "unit"), f"duration unit {unit!r} is not one of: {', '.join(_DURATION_UNITS)}."
            )
            unit = "hours"
        return Duration(str(value["start"]), str(value["end"]), unit, Location(self.file, value.line))

    def retention(self, node: _Mapping) -> Retention | None:
        value = node.get("retention")
        if value is None:
            return None
        if not isinstance(value, _Mapping) or not {"mode", "starting", "ending"} <= set(value):
            self.problem(
                self.at(node, "retention"),
                "retention must be {mode: logo|gross|net, starting: column, ending: column}.",
            )
            return None
        mode = str(value["mode"])
        if mode not in _RETENTION_MODES:
            self.problem(
                self.at(value, "mode"),
                f"retention mode {mode!r} is not one of: {', '.join(_RETENTION_MODES)}.",
            )
            return None
        unit = value.get("unit")
        return Retention(
            mode,
            str(value["starting"]),
            str(value["ending"]),
            None if unit is None else str(unit),
            Location(self.file, value.line),
        )
