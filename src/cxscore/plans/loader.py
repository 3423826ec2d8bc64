"""Reading plan files: YAML with the line of every key, into `Plan` objects, collecting every problem.

Nothing raises until every file has been read; `PlanDefinitionError` then lists each problem with its
file:line and the fix.
"""

from __future__ import annotations

import itertools
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from cxscore.errors import PlanDefinitionError
from cxscore.metrics.problems import Problem
from cxscore.plans.definition import (
    BASES,
    Bonus,
    Clawback,
    Commission,
    Component,
    Gate,
    Location,
    Multiplier,
    Plan,
    Reading,
    Step,
    Tier,
    TierMode,
)

if TYPE_CHECKING:
    from cxscore.metrics import Catalog

__all__ = ["PLAN_FIELDS", "load_plans", "parse_plan", "read_plan"]

#: Every field of a plan, and of each component kind (the docs list them from here).
PLAN_FIELDS = {"name", "label", "description", "status", "roles", "period", "currency", "components"}
_COMMON = {"name", "label", "kind"}
_FIELDS = {
    "commission": _COMMON | {"base", "rate", "tiers", "tier_mode", "threshold", "cap", "gate", "clawback"},
    "bonus": _COMMON | {"metric", "scope", "window", "min_n", "when_thin", "amount", "at", "from", "to"},
    "multiplier": _COMMON | {"metric", "scope", "window", "min_n", "when_thin", "steps", "applies_to"},
}
_GATE_FIELDS = {"metric", "scope", "window", "min_n", "when_thin", "at_least", "at_most", "locks"}
#: What each reading may do when its value is under the minimum sample, the first being the default.
_THIN = {
    "gate": ("team", "met", "not_met"),
    "bonus": ("team", "pay", "skip"),
    "multiplier": ("team", "neutral"),
}
_PERIODS = ("quarter", "year")
_STATUSES = ("active", "proposal")


class _Mapping(dict[str, Any]):
    """A YAML mapping that remembers its own line and the line of each key."""

    line: int = 0
    lines: dict[str, int]


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader whose mappings know their lines (1-based)."""


def _mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    loader.flatten_mapping(node)
    result = _Mapping()
    result.line, result.lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = str(loader.construct_object(key_node, deep=True))
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def parse_plan(text: str, file: str, catalog: Catalog | None = None) -> tuple[Plan | None, list[Problem]]:
    """Parse one plan file's text; `file` is how messages name it. With a catalogue, metrics are checked.

    >>> plan, problems = parse_plan(
    ...     "name: sales\\nroles: [sales_rep]\\ncomponents:\\n"
    ...     "  - {name: new, kind: commission, base: new_business, rate: 0.1}\\n", "plans/sales.yml")
    >>> plan.components[0].tiers[0].rate, problems
    (Decimal('0.1'), [])
    >>> [str(p) for p in parse_plan("name: x\\nroles: [sales_rep]\\ncomponents:\\n"
    ...     "  - {name: new, kind: comission}\\n", "plans/x.yml")[1]]
    ["plans/x.yml:4: component 'new': kind 'comission' is not one of commission, bonus, multiplier."]
    """
    try:
        node = yaml.load(text, Loader=_LineLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        return None, [Problem(Location(file, line), f"not valid YAML: {error}. Fix the syntax.")]
    if not isinstance(node, _Mapping):
        message = "a plan file holds one mapping such as 'name: sales_2026'. Fix the file."
        return None, [Problem(Location(file, 1), message)]
    parser = _Parser(file, catalog)
    plan = parser.plan(node, text)
    return (plan if not parser.problems else None), parser.problems


def read_plan(path: Path, shown_as: str | None = None, catalog: Catalog | None = None) -> Plan:
    """One plan file, or `PlanDefinitionError` listing every problem in it."""
    if not path.is_file():
        raise PlanDefinitionError([f"{path}: no such plan file. Give the path of a plan's YAML file."])
    plan, problems = parse_plan(path.read_text(encoding="utf-8"), shown_as or str(path), catalog)
    if plan is None:
        raise PlanDefinitionError(problems)
    return plan


def load_plans(project_root: Path | None, catalog: Catalog | None = None) -> list[Plan]:
    """Every plan of the project's `plans/` folder, or `PlanDefinitionError` listing every problem.

    Two active plans may not pay the same role (one person, one plan); proposals may.
    """
    folder = project_root / "plans" if project_root is not None else None
    if folder is None or not folder.is_dir():
        return []
    plans: list[Plan] = []
    problems: list[Problem] = []
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".yml", ".yaml"):
            continue
        plan, found = parse_plan(path.read_text(encoding="utf-8"), f"plans/{path.name}", catalog)
        problems += found
        plans += [plan] if plan is not None else []
    problems += _overlaps(plans)
    names = [p.name for p in plans]
    problems += [
        Problem(Location(p.file, 1), f"plan name '{p.name}' is used by another file too. Rename one.")
        for p in plans
        if names.count(p.name) > 1
    ]
    if problems:
        raise PlanDefinitionError(problems)
    return plans


def _overlaps(plans: list[Plan]) -> list[Problem]:
    payer: dict[str, Plan] = {}
    problems = []
    for plan in (p for p in plans if p.status == "active"):
        for role in plan.roles:
            if role in payer:
                problems.append(
                    Problem(
                        Location(plan.file, 1),
                        f"role '{role}' is paid by two active plans ('{payer[role].name}' in "
                        f"{payer[role].file} and '{plan.name}'). Set status: proposal on one.",
                    )
                )
            payer.setdefault(role, plan)
    return problems


class _Parser:
    """Builds a Plan from one file's mapping, adding a problem for everything wrong on the way."""

    def __init__(self, file: str, catalog: Catalog | None) -> None:
        self.file = file
        self.catalog = catalog
        self.problems: list[Problem] = []

    def at(self, node: _Mapping, key: str | None = None) -> Location:
        return Location(self.file, node.lines.get(key, node.line) if key else node.line)

    def problem(self, node: _Mapping, key: str | None, message: str) -> None:
        self.problems.append(Problem(self.at(node, key), message))

    def unknown(self, node: _Mapping, allowed: set[str], where: str) -> None:
        for key in node:
            if key not in allowed:
                fields = ", ".join(sorted(allowed))
                self.problem(node, key, f"{where}: unknown field '{key}'. Fields: {fields}.")

    def plan(self, node: _Mapping, text: str) -> Plan | None:
        self.unknown(node, PLAN_FIELDS, "plan")
        name = node.get("name")
        if not isinstance(name, str) or not name.replace("_", "").isalnum() or name != name.lower():
            self.problem(node, "name", f"plan name {name!r} must be lower case letters, digits and _.")
        roles = node.get("roles")
        if not isinstance(roles, list) or not roles or not all(isinstance(r, str) for r in roles):
            self.problem(node, "roles", "'roles' must list the role ids the plan pays, e.g. [sales_rep].")
            roles = []
        status = self.choice(node, "status", _STATUSES)
        period = self.choice(node, "period", _PERIODS)
        components = self.components(node)
        if self.problems or not isinstance(name, str):
            return None
        return Plan(
            name=name,
            label=str(node.get("label", name)),
            roles=tuple(roles),
            components=components,
            file=self.file,
            text=text,
            status=status,
            period=period,
            currency=str(node.get("currency", "USD")),
            description=str(node.get("description", "")),
        )

    def choice(self, node: _Mapping, key: str, allowed: tuple[str, ...], where: str = "plan") -> str:
        value = node.get(key, allowed[0])
        if value not in allowed:
            self.problem(node, key, f"{where}: {key} {value!r} is not one of {', '.join(allowed)}.")
            return allowed[0]
        return str(value)

    def components(self, node: _Mapping) -> tuple[Component, ...]:
        items = node.get("components")
        if not isinstance(items, list) or not items:
            self.problem(
                node, "components", "a plan needs a list of 'components' (see docs/incentive-plans.md)."
            )
            return ()
        built: list[Component] = []
        for item in items:
            if not isinstance(item, _Mapping):
                self.problem(node, "components", f"a component is a mapping of fields, not {item!r}.")
                continue
            component = self.component(item)
            built += [component] if component is not None else []
        names = [c.name for c in built]
        for c in built:
            if names.count(c.name) > 1:
                self.problems.append(
                    Problem(c.location, f"component name '{c.name}' is used twice. Rename one.")
                )
        for index, c in enumerate(built):
            if isinstance(c, Multiplier):
                for target in c.applies_to:
                    if target not in names[:index]:
                        self.problems.append(
                            Problem(
                                c.location,
                                f"component '{c.name}': applies_to names '{target}', which is not a "
                                f"component listed before it (before it: {_listed(names[:index])}).",
                            )
                        )
        return tuple(built)

    def component(self, node: _Mapping) -> Component | None:
        name = node.get("name")
        where = f"component '{name}'"
        if not isinstance(name, str) or not name:
            self.problem(node, "name", "a component needs a 'name', e.g. name: new_logos.")
            return None
        kind = node.get("kind")
        if kind not in _FIELDS:
            self.problem(node, "kind", f"{where}: kind {kind!r} is not one of {', '.join(_FIELDS)}.")
            return None
        self.unknown(node, _FIELDS[kind], where)
        label = str(node.get("label", name))
        if kind == "commission":
            return self.commission(node, name, label, where)
        if kind == "bonus":
            return self.bonus(node, name, label, where)
        return self.multiplier(node, name, label, where)

    def money(self, node: _Mapping, key: str, where: str, *, positive: bool = False) -> Decimal | None:
        """A number from the file as an exact Decimal (its written digits, never a float's)."""
        if key not in node:
            return None
        value = node[key]
        try:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise InvalidOperation
            number = Decimal(str(value))
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.problem(node, key, f"{where}: {key} {value!r} must be a number, e.g. {key}: 0.1.")
            return None
        if number < 0 or (positive and number == 0):
            self.problem(
                node, key, f"{where}: {key} {value} must be {'above' if positive else 'at least'} 0."
            )
            return None
        return number

    def commission(self, node: _Mapping, name: str, label: str, where: str) -> Commission | None:
        on = node.get("base")
        bases = tuple(on) if isinstance(on, list) else (on,)
        if not bases or any(b not in BASES for b in bases):
            self.problem(node, "base", f"{where}: base {on!r} must be one or more of {', '.join(BASES)}.")
        tiers = self.tiers(node, where)
        mode = TierMode(self.choice(node, "tier_mode", tuple(m.value for m in TierMode), where))
        if mode is TierMode.RETROACTIVE and any(b.rate < a.rate for a, b in itertools.pairwise(tiers)):
            self.problem(
                node,
                "tiers",
                f"{where}: retroactive tiers with a falling rate pay less for selling more. Make the rates "
                "rise, or use tier_mode: marginal.",
            )
        gate = self.gate(node["gate"], where) if isinstance(node.get("gate"), _Mapping) else None
        if "gate" in node and not isinstance(node["gate"], _Mapping):
            self.problem(
                node,
                "gate",
                f"{where}: gate must be a mapping, e.g. {{metric: renewal_rate, at_least: 0.8}}.",
            )
        clawback = None
        if "clawback" in node:
            days = node["clawback"].get("days") if isinstance(node["clawback"], dict) else None
            if isinstance(days, bool) or not isinstance(days, int) or days < 1:
                self.problem(
                    node,
                    "clawback",
                    f"{where}: clawback needs whole 'days' of at least 1, e.g. {{days: 400}}.",
                )
            else:
                clawback = Clawback(days, self.at(node, "clawback"))
        if not tiers:
            return None
        return Commission(
            name=name,
            label=label,
            on=tuple(str(b) for b in bases),
            tiers=tiers,
            tier_mode=mode,
            location=self.at(node),
            threshold=self.money(node, "threshold", where),
            cap=self.money(node, "cap", where),
            gate=gate,
            clawback=clawback,
        )

    def tiers(self, node: _Mapping, where: str) -> tuple[Tier, ...]:
        if ("rate" in node) == ("tiers" in node):
            self.problem(node, None, f"{where}: a commission needs either 'rate' or 'tiers' (not both).")
            return ()
        if "rate" in node:
            rate = self.money(node, "rate", where)
            return (Tier(Decimal(0), rate),) if rate is not None else ()
        items = node["tiers"]
        if not isinstance(items, list) or not all(isinstance(i, _Mapping) for i in items) or not items:
            self.problem(node, "tiers", f"{where}: tiers is a list such as [{{from: 0, rate: 0.08}}, ...].")
            return ()
        tiers = []
        for item in items:
            self.unknown(item, {"from", "rate"}, f"{where} tier")
            start, rate = self.money(item, "from", where), self.money(item, "rate", where)
            if start is None or rate is None:
                self.problem(item, None, f"{where}: each tier needs 'from' (an amount) and 'rate'.")
                continue
            tiers.append(Tier(start, rate))
        starts = [t.start for t in tiers]
        if tiers and (starts[0] != 0 or starts != sorted(set(starts))):
            self.problem(node, "tiers", f"{where}: tiers must start at from: 0 and rise strictly ({starts}).")
        return tuple(tiers)

    def reading(self, node: _Mapping, where: str, use: str, goal: bool = False) -> Reading | None:
        metric = node.get("metric")
        if not isinstance(metric, str):
            self.problem(node, "metric", f"{where}: 'metric' names the metric it reads, e.g. metric: nps.")
            return None
        if self.catalog is not None and metric not in self.catalog:
            known = ", ".join(sorted(m.name for m in self.catalog))
            self.problem(node, "metric", f"{where}: unknown metric '{metric}'. Metrics: {known}.")
        scope = self.choice(node, "scope", ("person", "team"), where)
        window = node.get("window", 1)
        if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= 12:
            self.problem(node, "window", f"{where}: window {window!r} must be 1 to 12 payout periods.")
            window = 1
        min_n = node.get("min_n")
        if min_n is not None and (isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 1):
            self.problem(node, "min_n", f"{where}: min_n {min_n!r} must be a whole number of at least 1.")
            min_n = None
        thin = self.choice(node, "when_thin", _THIN[use], where)
        return Reading(metric, scope, window, min_n, thin, goal)

    def lower_is_better(self, metric: str) -> bool | None:
        """Whether the metric is better lower (None without a catalogue or for an unknown metric)."""
        if self.catalog is None or metric not in self.catalog:
            return None
        return self.catalog.get(metric).direction.value == "lower"

    def gate(self, node: _Mapping, where: str) -> Gate | None:
        where = f"{where} gate"
        self.unknown(node, _GATE_FIELDS, where)
        if ("at_least" in node) == ("at_most" in node):
            self.problem(node, None, f"{where}: give one of 'at_least' or 'at_most', e.g. at_least: 0.8.")
            return None
        key = "at_least" if "at_least" in node else "at_most"
        goal = node[key] == "goal"
        reading = self.reading(node, where, "gate", goal)
        target = None if goal else self.signed(node, key, where)
        locks = self.choice(node, "locks", ("accelerators", "component"), where)
        if reading is None or (target is None and not goal):
            return None
        return Gate(reading, target, key == "at_least", locks, self.at(node))

    def signed(self, node: _Mapping, key: str, where: str) -> Decimal | None:
        """A metric value (may be negative: NPS)."""
        value = node.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(
                node,
                key,
                f"{where}: {key} {value!r} must be a number in the metric's unit (or goal, for at).",
            )
            return None
        return Decimal(str(value))

    def bonus(self, node: _Mapping, name: str, label: str, where: str) -> Bonus | None:
        goal = node.get("at") == "goal"
        reading = self.reading(node, where, "bonus", goal)
        amount = self.money(node, "amount", where, positive=True)
        if amount is None and "amount" not in node:
            self.problem(node, None, f"{where}: a bonus needs an 'amount' paid per period.")
        step = "at" in node
        ramp = "from" in node or "to" in node
        if step == ramp or (ramp and not ("from" in node and "to" in node)):
            self.problem(
                node,
                None,
                f"{where}: give 'at' (paid in full from that value) or both 'from' and 'to' "
                "(rising linearly from nothing to the full amount).",
            )
            return None
        at = self.signed(node, "at", where) if step and not goal else None
        start = self.signed(node, "from", where) if ramp else None
        full = self.signed(node, "to", where) if ramp else None
        if start is not None and start == full:
            self.problem(node, "to", f"{where}: 'from' and 'to' must differ (a ramp needs a width).")
        elif start is not None and full is not None and reading is not None:
            lower = self.lower_is_better(reading.metric)
            if lower is not None and (full < start) != lower:
                better = "lower" if lower else "higher"
                self.problem(
                    node,
                    "to",
                    f"{where}: {reading.metric} is better {better}, so the ramp must run from the "
                    f"worse value to the better one (swap 'from' and 'to').",
                )
        if reading is None or amount is None:
            return None
        return Bonus(name, label, reading, amount, self.at(node), at, start, full)

    def multiplier(self, node: _Mapping, name: str, label: str, where: str) -> Multiplier | None:
        reading = self.reading(node, where, "multiplier")
        items = node.get("steps")
        steps: list[Step] = []
        if not isinstance(items, list) or not items or not all(isinstance(i, _Mapping) for i in items):
            self.problem(node, "steps", f"{where}: steps is a list such as [{{from: 30, factor: 1.1}}, ...].")
        else:
            for item in items:
                start, factor = self.signed(item, "from", where), self.money(item, "factor", where)
                if start is not None and factor is not None:
                    steps.append(Step(start, factor))
            starts, factors = [s.start for s in steps], [s.factor for s in steps]
            if starts != sorted(set(starts)) or factors != sorted(factors):
                self.problem(
                    node,
                    "steps",
                    f"{where}: steps must rise in 'from' and never lower the factor "
                    "(a better metric must not pay less).",
                )
        if reading is not None and self.lower_is_better(reading.metric):
            self.problem(
                node,
                "metric",
                f"{where}: {reading.metric} is better lower, and the factor rises with the metric: "
                "a multiplier needs a metric where higher is better.",
            )
        applies = node.get("applies_to")
        if not isinstance(applies, list) or not applies:
            self.problem(node, "applies_to", f"{where}: applies_to lists the components it multiplies.")
            applies = []
        if reading is None or not steps:
            return None
        return Multiplier(name, label, reading, tuple(steps), tuple(str(a) for a in applies), self.at(node))


def _listed(names: list[str]) -> str:
    return ", ".join(names) or "none"
