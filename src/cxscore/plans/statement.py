"""Payout statements: one person, one period, every line and how it was computed, reproducibly.

A statement records the plan's version (the git commit holding the plan file when it is committed and
unchanged, else "uncommitted"; always the sha256 of the plan's text) and the sha256 of the exact input
rows it used, so the same plan and data give a byte-identical statement JSON later.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from cxscore.plans.evaluation import Line

__all__ = ["PlanVersion", "Statement", "data_hash", "plan_version"]


@dataclass(frozen=True)
class PlanVersion:
    """Which plan text a statement was computed with."""

    name: str
    file: str
    sha256: str
    commit: str
    """The git commit holding exactly this text of the file, or "uncommitted"."""

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "file": self.file, "sha256": self.sha256, "commit": self.commit}


def plan_version(name: str, path: Path | None, text: str, shown_as: str) -> PlanVersion:
    """The version of a plan file: its sha256, and its last commit when git holds this exact text."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return PlanVersion(name, shown_as, digest, _commit(path, text) if path is not None else "uncommitted")


def _commit(path: Path, text: str) -> str:
    """The last commit of `path` if the file is tracked and its committed text is `text`."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(path.parent), *args],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout if done.returncode == 0 else None

    commit = (git("log", "-1", "--format=%H", "--", path.name) or "").strip()
    if not commit:
        return "uncommitted"
    committed = git("show", f"{commit}:./{path.name}")
    return commit if committed == text else "uncommitted"


def data_hash(rows: Iterable[Sequence[object]]) -> str:
    """sha256 over the distinct rows, each written as a JSON list of strings, sorted: the order rows come
    in (and a row read twice) does not matter, every value does.

    >>> data_hash([("K-1", 10.5), ("K-2", None)]) == data_hash([("K-2", None), ("K-1", 10.5)])
    True
    """
    lines = sorted({json.dumps([_text(v) for v in row], ensure_ascii=False) for row in rows})
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return repr(value)
    return str(value)


@dataclass(frozen=True)
class Statement:
    """What one person is paid under one plan for one period, line by line."""

    person_id: str
    name: str
    role: str
    team: str
    period: str
    currency: str
    plan: PlanVersion
    lines: tuple[Line, ...]
    data_sha256: str
    rows: int
    """How many input rows the data hash covers."""
    notes: tuple[str, ...] = ()
    software: str = ""

    @property
    def total(self) -> Decimal:
        """The sum of the (already rounded) lines."""
        return sum((line.amount for line in self.lines), Decimal(0))

    def amount(self, component: str, kind: str | None = None) -> Decimal:
        """The sum of the lines of one component (and kind: commission, bonus, multiplier, clawback)."""
        chosen = [x.amount for x in self.lines if x.component == component and kind in (None, x.kind)]
        return sum(chosen, Decimal(0))

    def to_dict(self) -> dict[str, Any]:
        """The statement as plain data: amounts as strings of cents ("1234.50"), never floats."""
        return {
            "person_id": self.person_id,
            "name": self.name,
            "role": self.role,
            "team": self.team,
            "period": self.period,
            "currency": self.currency,
            "plan": self.plan.to_dict(),
            "data": {"sha256": self.data_sha256, "rows": self.rows},
            "software": self.software,
            "lines": [
                {
                    "component": x.component,
                    "kind": x.kind,
                    "label": x.label,
                    "amount": str(x.amount),
                    "how": x.how,
                    "figures": dict(x.figures),
                    "contracts": [{"contract_id": k, "amount": v} for k, v in x.contracts],
                }
                for x in self.lines
            ],
            "total": str(self.total),
            "notes": list(self.notes),
        }

    def csv_rows(self) -> list[dict[str, str]]:
        """One row per line, with the person, period, plan version and data hash (for CSV)."""
        head = {
            "period": self.period,
            "person_id": self.person_id,
            "name": self.name,
            "role": self.role,
            "team": self.team,
            "plan": self.plan.name,
            "plan_commit": self.plan.commit,
            "plan_sha256": self.plan.sha256,
            "data_sha256": self.data_sha256,
            "currency": self.currency,
        }
        return [
            {**head, "component": x.component, "kind": x.kind, "amount": str(x.amount), "how": x.how}
            for x in self.lines
        ]

    def to_json(self) -> str:
        """Canonical JSON (sorted keys, fixed separators): the same statement is the same bytes."""
        return json.dumps(self.to_dict(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
