"""Role scorecards: for each role a weighted set of metrics, financial and customer, read from YAML.

cxscore ships defaults for sales reps, account managers, product managers, support agents, events and
back-office teams and the company (`cxscore/scorecards/defaults/`); a project adds or replaces them with
files in its `scorecards/` folder (same name: replaces the default).

```yaml
name: support_agent
label: Support agent
applies_to: {roles: [support_agent], functions: [support]}   # people by role, teams by function
metrics:
  - {metric: cases_satisfied, weight: 35}
  - {metric: new_business_arr, weight: 10, category: financial}   # category: customer (default),
                                                                  # financial or operational
```
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from cxscore.errors import ScorecardDefinitionError

__all__ = [
    "CUSTOMER_SHARE_WARNING",
    "Category",
    "Item",
    "Scorecard",
    "Scorecards",
    "default_category",
    "load_scorecards",
]

#: Below this share of customer weight a scorecard is "mostly financial" and gets a warning.
CUSTOMER_SHARE_WARNING = 0.5

_FINANCIAL = frozenset({"new_business_arr", "expansion_arr"})
_OPERATIONAL = frozenset({"time_to_resolution", "followup_time_to_contact"})


class Category(enum.StrEnum):
    """What a scorecard metric measures: the customer's experience, money, or internal operations."""

    CUSTOMER = "customer"
    FINANCIAL = "financial"
    OPERATIONAL = "operational"


def default_category(metric: str) -> Category:
    """Money booked is financial, the times (to resolution, to first contact) operational, every other
    built-in is a customer metric.

    >>> default_category("new_business_arr").value, default_category("nps").value
    ('financial', 'customer')
    """
    if metric in _FINANCIAL:
        return Category.FINANCIAL
    return Category.OPERATIONAL if metric in _OPERATIONAL else Category.CUSTOMER


@dataclass(frozen=True)
class Item:
    """One metric of a scorecard with its weight (a share of the scorecard, the weights add up to 1)."""

    metric: str
    weight: float
    category: Category
    label: str = ""


@dataclass(frozen=True)
class Scorecard:
    """A role's scorecard: weighted metrics, and who it applies to."""

    name: str
    label: str
    description: str
    items: tuple[Item, ...]
    roles: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    origin: str = "built-in"
    file: str = ""

    def share(self, category: Category) -> float:
        """The share of the weights in one category."""
        return sum(i.weight for i in self.items if i.category is category)

    @property
    def customer_share(self) -> float:
        return self.share(Category.CUSTOMER)

    @property
    def warnings(self) -> tuple[str, ...]:
        """'mostly financial' when customer metrics carry less than half the weight."""
        if self.customer_share < CUSTOMER_SHARE_WARNING:
            return (
                f"Scorecard '{self.name}' is mostly financial: customer metrics carry "
                f"{self.customer_share:.0%} of the weight (financial {self.share(Category.FINANCIAL):.0%}). "
                f"Give customer metrics at least {CUSTOMER_SHARE_WARNING:.0%} to tie the role to customers.",
            )
        return ()


@dataclass(frozen=True)
class Scorecards:
    """Every scorecard of a project by name, with lookups by role and team function."""

    scorecards: Mapping[str, Scorecard]

    def __iter__(self) -> Iterator[Scorecard]:
        return iter(self.scorecards.values())

    def __len__(self) -> int:
        return len(self.scorecards)

    def get(self, name: str) -> Scorecard:
        try:
            return self.scorecards[name]
        except KeyError:
            from cxscore.errors import ConfigError

            names = ", ".join(sorted(self.scorecards))
            raise ConfigError(f"There is no scorecard '{name}'. Scorecards: {names}.") from None

    def for_role(self, role: str | None) -> Scorecard | None:
        return next((s for s in self if role in s.roles), None)

    def for_function(self, function: str | None) -> Scorecard | None:
        return next((s for s in self if function in s.functions), None)


def parse_scorecard(
    data: Any, file: str, origin: str, metrics: frozenset[str]
) -> tuple[Scorecard | None, list[str]]:
    """A scorecard from a parsed YAML document, and every problem found (each with the file)."""
    if not isinstance(data, Mapping):
        return None, [f"{file}: expected a mapping with name, label, applies_to and metrics."]
    known = {"name", "label", "description", "applies_to", "metrics"}
    problems = [
        f"{file}: unknown key '{k}' (keys: {', '.join(sorted(known))})." for k in data if k not in known
    ]
    name = data.get("name")
    if not isinstance(name, str) or not name:
        problems.append(f"{file}: missing 'name'.")
    applies = data.get("applies_to") or {}
    if not isinstance(applies, Mapping) or set(applies) - {"roles", "functions"}:
        problems.append(f"{file}: applies_to takes roles and functions, e.g. {{roles: [support_agent]}}.")
        applies = {}
    rows = data.get("metrics")
    if not isinstance(rows, list) or not rows:
        return None, [*problems, f"{file}: 'metrics' must list at least one {{metric: NAME, weight: N}}."]
    items: list[tuple[str, float, Category, str]] = []
    for index, row in enumerate(rows, 1):
        item, found = _parse_item(row, f"{file}: metric {index}", metrics)
        problems += found
        items += [item] if item else []
    names = [i[0] for i in items]
    problems += [
        f"{file}: metric '{m}' is listed twice." for m in sorted({m for m in names if names.count(m) > 1})
    ]
    if problems:
        return None, problems
    total = sum(i[1] for i in items)
    scorecard = Scorecard(
        str(name),
        str(data.get("label", name)),
        str(data.get("description", "")).strip(),
        tuple(Item(m, w / total, c, label) for m, w, c, label in items),
        tuple(str(r) for r in applies.get("roles", ())),
        tuple(str(f) for f in applies.get("functions", ())),
        origin,
        file,
    )
    return scorecard, []


def _parse_item(
    row: Any, where: str, metrics: frozenset[str]
) -> tuple[tuple[str, float, Category, str] | None, list[str]]:
    if not isinstance(row, Mapping):
        return None, [f"{where}: expected {{metric: NAME, weight: N}}."]
    problems = [
        f"{where}: unknown key '{k}'." for k in row if k not in {"metric", "weight", "category", "label"}
    ]
    metric = str(row.get("metric", ""))
    if metric not in metrics:
        problems.append(f"{where}: there is no metric '{metric}' (see `cxscore metrics list`).")
    weight = row.get("weight")
    if (
        isinstance(weight, bool)
        or not isinstance(weight, int | float)
        or not math.isfinite(weight)
        or weight <= 0
    ):
        problems.append(f"{where}: weight {weight!r} must be a positive number.")
    categories = [c.value for c in Category]
    category = row.get("category", default_category(metric).value)
    if category not in categories:
        problems.append(f"{where}: category '{category}' is not one of {', '.join(categories)}.")
    if problems:
        return None, problems
    assert isinstance(weight, int | float)
    return (metric, float(weight), Category(category), str(row.get("label", ""))), []


def load_scorecards(project_root: Path | None, metrics: frozenset[str]) -> Scorecards:
    """The shipped scorecards and the project's `scorecards/*.yml` (replacing defaults of the same name),
    checked against the metric names of the catalogue; every problem is raised at once."""
    problems: list[str] = []
    found: dict[str, Scorecard] = {}
    folder = resources.files("cxscore.scorecards") / "defaults"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yml", ".yaml")):
            data = yaml.safe_load(entry.read_text(encoding="utf-8"))
            card, errors = parse_scorecard(data, f"<built-in>/{entry.name}", "built-in", metrics)
            problems += errors
            found.update({card.name: card} if card else {})
    own = project_root / "scorecards" if project_root else None
    names: set[str] = set()
    for path in sorted(own.iterdir()) if own is not None and own.is_dir() else []:
        if path.suffix not in (".yml", ".yaml"):
            continue
        file = f"scorecards/{path.name}"
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            problems.append(f"{file}: not valid YAML ({error}).")
            continue
        card, errors = parse_scorecard(data, file, "project", metrics)
        problems += errors
        if card is not None:
            if card.name in names:
                problems.append(
                    f"{file}: another file of the project already defines scorecard '{card.name}'."
                )
            names.add(card.name)
            found[card.name] = card
    if problems:
        lines = "\n".join(f"  {p}" for p in problems)
        raise ScorecardDefinitionError(f"{len(problems)} problem(s) in scorecard definitions:\n{lines}")
    return Scorecards(found)
