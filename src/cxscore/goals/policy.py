"""Goal policies: how a goal is set from a benchmark, from our own past, or both.

A project writes them in `goals/*.yml`; without any, every metric gets the default high bar.

```yaml
industry: b2b_saas          # which benchmarks apply (see `cxscore benchmarks list`)
default: {policy: high_bar}
metrics:
  nps: {policy: beat_industry, margin: 4}
  reopen_rate: {policy: absolute, target: 0.08}
  cases_satisfied: {policy: beat_ourselves, basis: top_quartile}
  first_contact_resolution: {policy: improvement, relative: 0.1}
```
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from cxscore.errors import GoalDefinitionError
from cxscore.goals.benchmarks import QUALITIES

__all__ = ["GoalSettings", "Policy", "PolicyKind", "load_goal_settings", "parse_policy"]


class PolicyKind(enum.StrEnum):
    """The kinds of goal policy."""

    ABSOLUTE = "absolute"  # a fixed target
    BEAT_INDUSTRY = "beat_industry"  # at least the benchmark (or a chosen statistic of it) plus a margin
    BEAT_OURSELVES = "beat_ourselves"  # last year's result plus a step, or the top quartile of our peers
    IMPROVEMENT = "improvement"  # last year's result improved by a relative amount
    HIGH_BAR = "high_bar"  # the stricter of beat_industry and beat_ourselves (the default)


BASES = ("last_year", "top_quartile")


@dataclass(frozen=True)
class Policy:
    """One goal policy; fields not used by its kind keep their defaults.

    >>> parse_policy({"policy": "beat_industry", "margin": 4}, "goals/x.yml: nps")[0].margin
    4.0
    """

    kind: PolicyKind = PolicyKind.HIGH_BAR
    target: float | None = None  # absolute: the target, in the metric's unit
    margin: float = 0.0  # beat_industry, high_bar: how far beyond the benchmark, in the metric's unit
    statistic: str | None = None  # beat_industry, high_bar: which benchmark statistic (median, p75, ...)
    percentile: float = 50.0  # when no benchmark is published: which percentile of our peers stands in
    step: float | None = None  # beat_ourselves, high_bar: added to last year (default: the gap rule)
    gap: float = 0.10  # default step for bounded metrics: close this share of the gap to the best value
    relative: float = 0.05  # improvement (and the default step of unbounded metrics): relative change
    basis: str = "last_year"  # beat_ourselves: last_year or top_quartile (of peer teams or people)
    industry: str | None = None  # overrides the settings' industry for this metric
    segment: str = "all"  # which benchmark segment (e.g. acv_over_250k, b2b_relationship)
    min_quality: str = "low"  # ignore benchmarks of lower quality (high, medium, low)

    def describe(self, bounded: bool = True) -> str:
        """The policy in words; `bounded` says whether the metric has a best value (shares, NPS).

        >>> Policy().describe()
        'the stricter of industry + 0 and last year + 10% of the gap to the best value'
        >>> Policy(kind=PolicyKind.BEAT_OURSELVES).describe(bounded=False)
        'beat ourselves: last year + 5% of it'
        """
        step = self._step(bounded)
        parts: dict[PolicyKind, str] = {
            PolicyKind.ABSOLUTE: f"absolute target {self.target:g}"
            if self.target is not None
            else "absolute",
            PolicyKind.BEAT_INDUSTRY: f"beat the industry by {self.margin:g}",
            PolicyKind.BEAT_OURSELVES: (
                "beat ourselves: the top quartile of our peers last year"
                if self.basis == "top_quartile"
                else f"beat ourselves: last year + {step}"
            ),
            PolicyKind.IMPROVEMENT: f"improve {self.relative:.0%} on last year",
            PolicyKind.HIGH_BAR: f"the stricter of industry + {self.margin:g} and last year + {step}",
        }
        return parts[self.kind]

    def _step(self, bounded: bool) -> str:
        if self.step is not None:
            return f"{self.step:g}"
        return f"{self.gap:.0%} of the gap to the best value" if bounded else f"{self.relative:.0%} of it"


@dataclass(frozen=True)
class GoalSettings:
    """A project's goal settings: the industry, the default policy and each metric's own."""

    industry: str | None = None
    default: Policy = field(default_factory=Policy)
    metrics: Mapping[str, Policy] = field(default_factory=dict)
    files: tuple[str, ...] = ()

    def policy(self, metric: str) -> Policy:
        """The metric's policy, else the default."""
        return self.metrics.get(metric, self.default)

    def industry_for(self, metric: str) -> str | None:
        return self.policy(metric).industry or self.industry


_FIELDS = {f.name for f in fields(Policy)} - {"kind"} | {"policy"}


def parse_policy(data: Any, where: str) -> tuple[Policy, list[str]]:
    """A policy from a mapping such as {policy: high_bar, margin: 2}, and every problem found."""
    if not isinstance(data, Mapping):
        return Policy(), [f"{where}: expected a mapping such as {{policy: high_bar}}."]
    problems = [
        f"{where}: unknown field '{k}' (fields: {', '.join(sorted(_FIELDS))})."
        for k in data
        if k not in _FIELDS
    ]
    kinds = [k.value for k in PolicyKind]
    kind = data.get("policy", "high_bar")
    if kind not in kinds:
        problems.append(f"{where}: policy '{kind}' is not one of {', '.join(kinds)}.")
        kind = "high_bar"
    values: dict[str, Any] = {}
    for name in ("target", "margin", "percentile", "step", "gap", "relative"):
        if name in data:
            value = data[name]
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                problems.append(f"{where}: {name} {value!r} is not a number.")
            else:
                values[name] = float(value)
    for name in ("statistic", "industry", "segment", "basis", "min_quality"):
        if name in data:
            values[name] = str(data[name])
    if values.get("min_quality", "low") not in QUALITIES:
        problems.append(
            f"{where}: min_quality '{values['min_quality']}' is not one of {', '.join(QUALITIES)}."
        )
    if values.get("basis", "last_year") not in BASES:
        problems.append(f"{where}: basis '{values['basis']}' is not one of {', '.join(BASES)}.")
    if kind == "absolute" and "target" not in values:
        problems.append(
            f"{where}: an absolute policy needs a target, e.g. {{policy: absolute, target: 0.8}}."
        )
    if not 0 <= values.get("percentile", 50.0) <= 100:
        problems.append(f"{where}: percentile must be between 0 and 100.")
    if problems:
        return Policy(), problems
    return Policy(kind=PolicyKind(kind), **values), []


def load_goal_settings(project_root: Path | None) -> GoalSettings:
    """Read every `goals/*.yml` of a project (not the benchmark table); every problem raised at once."""
    folder = project_root / "goals" if project_root else None
    if folder is None or not folder.is_dir():
        return GoalSettings()
    problems: list[str] = []
    industry: str | None = None
    default = Policy()
    metrics: dict[str, Policy] = {}
    files: list[str] = []
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".yml", ".yaml") or path.stem == "benchmarks":
            continue
        name = f"goals/{path.name}"
        files.append(name)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            problems.append(f"{name}: not valid YAML ({error}).")
            continue
        if not isinstance(data, Mapping):
            problems.append(f"{name}: expected a mapping with industry, default and metrics.")
            continue
        unknown = sorted(set(data) - {"industry", "default", "metrics"})
        problems += [f"{name}: unknown key '{k}' (keys: industry, default, metrics)." for k in unknown]
        if "industry" in data:
            industry = str(data["industry"])
        if "default" in data:
            default, found = parse_policy(data["default"], f"{name}: default")
            problems += found
        for metric, policy_data in (data.get("metrics") or {}).items():
            if metric in metrics:
                problems.append(f"{name}: metric '{metric}' already has a policy in another goals file.")
            policy, found = parse_policy(policy_data, f"{name}: {metric}")
            problems += found
            metrics[str(metric)] = policy
    if problems:
        lines = "\n".join(f"  {p}" for p in problems)
        raise GoalDefinitionError(f"{len(problems)} problem(s) in goal policies:\n{lines}")
    return GoalSettings(industry, default, metrics, tuple(files))
