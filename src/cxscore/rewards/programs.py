"""Recognition programs: what is awarded, on which metric, to whom, and how sure it must be (YAML).

A program is a file in the project's `programs/` folder (a mapping, or a list of mappings under
`programs:`); the shipped programs in `cxscore/rewards/defaults/` apply too, and a project program with the
same name replaces one. Every problem of every file is reported at once, each with its file.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from cxscore.errors import ProgramDefinitionError
from cxscore.rewards.leaderboard import RANKED_SCOPES

__all__ = ["AwardKind", "Program", "load_programs", "parse_program"]


class AwardKind(enum.Enum):
    """The kinds of award a program gives."""

    MOST_IMPROVED = "most_improved"  # the scope whose improvement is most probably real
    ABOVE_BAR = "above_bar"  # every scope surely beyond a threshold (the lunch)
    TOP_PERFORMER = "top_performer"  # the top of a fair ranking, when it stands alone in the first band
    STREAK = "streak"  # surely beyond the threshold in each of the last N periods


#: The fields each kind needs, beyond the common ones; and every field a program may have.
_NEEDS = {
    AwardKind.MOST_IMPROVED: ("min_change",),
    AwardKind.ABOVE_BAR: ("threshold",),
    AwardKind.TOP_PERFORMER: (),
    AwardKind.STREAK: ("threshold", "periods"),
}
#: A needed field that another one can stand in for: `goal: true` replaces `threshold`.
_INSTEAD = {"threshold": "goal"}
_FIELDS = {
    "name", "label", "award", "metric", "scope", "within", "min_n", "confidence", "min_change",
    "compare_to", "threshold", "goal", "periods", "winners", "prize", "description",
}  # fmt: skip
_COMPARE = ("previous", "last_year")


@dataclass(frozen=True)
class Program:
    """One recognition program, as written in its file."""

    name: str
    label: str
    award: AwardKind
    metric: str
    file: str
    scope: str = "team"
    within: str | None = None
    min_n: int | None = None
    """Minimum sample in every period looked at (default: the metric's min_n)."""
    confidence: float = 0.9
    """How probable the claim (improvement, above the bar, first place) must be: 1 - significance level."""
    min_change: float = 0.0
    """most_improved: the true change must exceed this, in the metric's unit (0.05 = 5 points of a share)."""
    compare_to: str = "previous"
    """most_improved: the previous period, or the same period last year."""
    threshold: float | None = None
    goal: bool = False
    """above_bar and streak: the bar is each scope's own goal for the period's year (goals/*.yml), not
    `threshold`."""
    periods: int = 1
    winners: int = 1
    """top_performer: at most this many winners (a first band larger than this gives no award)."""
    prize: str = ""
    description: str = ""


def parse_program(data: Any, file: str) -> tuple[Program | None, list[str]]:
    """A program from one YAML mapping, or None and every problem found (each naming the file)."""
    if not isinstance(data, dict):
        return None, [f"{file}: a program is a mapping of fields, got {type(data).__name__}."]
    where = f"{file}: program '{data.get('name', '?')}'"
    problems = [
        f"{where}: unknown field '{k}' (fields: {', '.join(sorted(_FIELDS))})."
        for k in data
        if k not in _FIELDS
    ]
    problems += [f"{where}: field '{k}' is required." for k in ("name", "award", "metric") if k not in data]
    kind = next((a for a in AwardKind if a.value == data.get("award")), None)
    if "award" in data and kind is None:
        problems.append(
            f"{where}: award '{data['award']}' is not one of {', '.join(a.value for a in AwardKind)}."
        )
    if kind is not None:
        missing = [k for k in _NEEDS[kind] if k not in data and not data.get(_INSTEAD.get(k, ""), False)]
        problems += [
            f"{where}: a {kind.value} award needs '{k}'"
            + (f" (or {_INSTEAD[k]}: true)." if k in _INSTEAD else ".")
            for k in missing
        ]
    problems += _check_values(data, where)
    if problems:
        return None, problems
    assert kind is not None
    fields = {k: v for k, v in data.items() if k not in ("award", "label")}
    return Program(award=kind, label=str(data.get("label", data["name"])), file=file, **fields), []


def _check_values(data: dict[str, Any], where: str) -> list[str]:
    problems = []
    if data.get("scope", "team") not in RANKED_SCOPES:
        problems.append(f"{where}: scope '{data['scope']}' is not one of {', '.join(RANKED_SCOPES)}.")
    if data.get("compare_to", "previous") not in _COMPARE:
        problems.append(f"{where}: compare_to '{data['compare_to']}' is not one of {', '.join(_COMPARE)}.")
    confidence = data.get("confidence", 0.9)
    if not isinstance(confidence, int | float) or not 0.5 <= confidence < 1:
        problems.append(
            f"{where}: confidence {confidence!r} must be a probability from 0.5 to below 1, e.g. 0.9."
        )
    for key in ("min_n", "periods", "winners"):
        if key in data and (not isinstance(data[key], int) or data[key] < (0 if key == "min_n" else 1)):
            problems.append(f"{where}: {key} {data[key]!r} must be a whole number of at least 1 (min_n: 0).")
    if "goal" in data and not isinstance(data["goal"], bool):
        problems.append(f"{where}: goal {data['goal']!r} must be true or false.")
    for key in ("min_change", "threshold"):
        if key in data and not isinstance(data[key], int | float):
            problems.append(f"{where}: {key} {data[key]!r} must be a number in the metric's unit.")
    return problems


def load_programs(project_root: Path | None) -> list[Program]:
    """The shipped programs and the project's `programs/*.yml` (replacing shipped ones of the same name)."""
    problems: list[str] = []
    found: dict[str, Program] = {}
    shipped = resources.files("cxscore.rewards") / "defaults"
    sources = [
        (f"<built-in>/{e.name}", e.read_text(encoding="utf-8"))
        for e in sorted(shipped.iterdir(), key=lambda e: e.name)
        if e.name.endswith((".yml", ".yaml"))
    ]
    own = project_root / "programs" if project_root is not None else None
    if own is not None and own.is_dir():
        sources += [
            (f"programs/{p.name}", p.read_text(encoding="utf-8"))
            for p in sorted(own.iterdir())
            if p.suffix in (".yml", ".yaml")
        ]
    for file, text in sources:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            problems.append(f"{file}: not valid YAML ({error}).")
            continue
        entries = data.get("programs") if isinstance(data, dict) and "programs" in data else [data]
        for entry in entries if isinstance(entries, list) else [entries]:
            program, errors = parse_program(entry, file)
            problems += errors
            if program is not None:
                found[program.name] = program
    if problems:
        lines = "\n".join(f"  {p}" for p in problems)
        raise ProgramDefinitionError(f"{len(problems)} problem(s) in recognition programs:\n{lines}")
    return list(found.values())
