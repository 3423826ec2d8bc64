"""Integrity checks: patterns in how surveys are sent, answered and credited that are worth a look.

Each check compares every person with their peers (the rest of their team, or everyone credited on the
same survey) and computes a p-value; the p-values of every person in every check form one family,
adjusted together with Benjamini and Hochberg's (1995) false-discovery control. A person is listed only
when the adjusted p-value is under `fdr` *and* the difference is large enough to matter. A listing is
evidence to look at with the person and their manager, never an accusation: every pattern here also has
innocent explanations, which the documentation lists (docs/concepts/integrity.md).

The counting runs in the engine (one aggregate per check); Python only sees one row per person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cxscore import stats
from cxscore.diagnose import patterns
from cxscore.diagnose.patterns import Settings
from cxscore.diagnose.peers import MIN_N
from cxscore.diagnose.period import parse_period
from cxscore.diagnose.plain import without_nan
from cxscore.errors import DiagnosisError

if TYPE_CHECKING:
    from cxscore.store import Store

__all__ = ["CHECKS", "Finding", "IntegrityCheck", "IntegrityReport", "integrity"]


@dataclass(frozen=True)
class Finding:
    """One person whose numbers differ from their peers' in one check, with the evidence."""

    check: str
    person: str
    name: str
    team: str
    year: int | None  # people are compared with their team in the same calendar year
    n: int  # the person's cases, invitations or answers in this check
    value: float  # the person's rate (or distance, for score distributions)
    peers: float  # the peers' rate
    peers_n: int
    difference: float  # value - peers, in the check's units
    p_value: float
    adjusted: float  # Benjamini-Hochberg over every test of every check
    evidence: str


@dataclass(frozen=True)
class IntegrityCheck:
    """One check: what it looks for, how many people it tested, and who is worth a look."""

    name: str
    label: str
    looks_for: str
    tested: int
    findings: tuple[Finding, ...] = ()
    skipped: str = ""  # why the check did not run, if it did not


@dataclass(frozen=True)
class IntegrityReport:
    """Every check over one period, with the false-discovery level used."""

    start: dt.date | None
    end: dt.date | None
    fdr: float
    tests: int  # the size of the adjusted family
    checks: tuple[IntegrityCheck, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding of every check, most significant first."""
        return tuple(sorted((f for c in self.checks for f in c.findings), key=lambda f: f.adjusted))

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (dates as ISO strings, NaN as None)."""
        data = asdict(self)
        data["start"] = self.start.isoformat() if self.start else None
        data["end"] = self.end.isoformat() if self.end else None
        result: dict[str, Any] = without_nan(data)
        return result


@dataclass(frozen=True)
class _Check:
    """How one check is computed: a frame of tests (one row per person) and the smallest difference that
    matters."""

    name: str
    label: str
    looks_for: str
    run: Callable[[Store, Settings], pd.DataFrame]
    matters: float


def integrity(
    *,
    period: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    team: str | None = None,
    fdr: float = 0.05,
    threshold: float | None = None,
    metric: str = "csat",
    slow_first_response_hours: float = 24.0,
    slow_resolution_hours: float = 48.0,
    late_hours: float = 24.0,
    project: Path | str | None = None,
    store: Store | None = None,
) -> IntegrityReport:
    """Run every integrity check over `period` (or start..end) for everyone, or the people of `team`.

    `threshold` is a goal or pay threshold of the share metric `metric` (e.g. 0.8 for CSAT 80%): the
    bunching check looks for too many monthly values just at or above it; without it that check is skipped.
    """
    from cxscore.store import open_project

    if not 0 < fdr < 1:
        raise DiagnosisError(f"The false-discovery level must be between 0 and 1, got {fdr}. Use e.g. 0.05.")
    if period is not None:
        start, end = parse_period(period)
    found = open_project(None if project is None else Path(project)) if project or store is None else None
    opened = store if store is not None else found.store() if found else None
    assert opened is not None
    settings = Settings(
        start,
        end,
        team,
        slow_first_response_hours,
        slow_resolution_hours,
        late_hours,
        threshold,
        metric,
        found.root if found else None,
    )
    try:
        return _report(opened, settings, fdr)
    finally:
        if store is None:
            opened.close()


def _report(store: Store, settings: Settings, fdr: float) -> IntegrityReport:
    frames = []
    for check in CHECKS:
        frame = check.run(store, settings)
        frames.append(frame.assign(_check=check.name) if not frame.empty else frame)
    tested = [f for f in frames if not f.empty]
    family = pd.concat(tested, ignore_index=True) if tested else pd.DataFrame()
    if settings.team is not None and not family.empty:
        family = family[family["team"].isin(_below(store, settings.team))]
    adjusted = (
        stats.adjust_pvalues(family["p_value"].to_numpy(float), "benjamini_hochberg")
        if not family.empty
        else np.array([])
    )
    family = family.assign(adjusted=adjusted) if not family.empty else family
    names = _names(store)
    checks = []
    for check, frame in zip(CHECKS, frames, strict=True):
        if frame.empty:
            checks.append(
                IntegrityCheck(check.name, check.label, check.looks_for, 0, (), _skipped(check, settings))
            )
            continue
        mine = family[family["_check"] == check.name]
        flagged = mine[(mine["adjusted"] < fdr) & (mine["difference"].abs() >= check.matters)]
        findings = tuple(
            _finding(check.name, row, names) for _, row in flagged.sort_values("adjusted").iterrows()
        )
        checks.append(IntegrityCheck(check.name, check.label, check.looks_for, len(mine), findings))
    notes = (
        f"{len(family)} tests (people x checks) adjusted together (Benjamini-Hochberg, false-discovery level "
        f"{fdr:.0%}); a person is listed when the adjusted p-value is under it and the difference matters.",
        "Worth a look, not proof: each pattern has innocent explanations (docs/concepts/integrity.md).",
    )
    return IntegrityReport(settings.start, settings.end, fdr, len(family), tuple(checks), notes)


def _skipped(check: _Check, settings: Settings) -> str:
    if check.name == "bunching" and settings.threshold is None:
        return "No threshold given (e.g. --threshold 0.8 for a CSAT goal of 80%): bunching not checked."
    return f"Nobody has {MIN_N} or more facts for this check in the period."


def _finding(check: str, row: pd.Series, names: dict[str, str]) -> Finding:
    return Finding(
        check,
        str(row["person"]),
        names.get(str(row["person"]), str(row["person"])),
        str(row["team"]),
        int(row["year"]) if "year" in row and pd.notna(row["year"]) else None,
        int(row["n"]),
        float(row["value"]),
        float(row["peers"]),
        int(row["peers_n"]),
        float(row["difference"]),
        float(row["p_value"]),
        float(row["adjusted"]),
        str(row["evidence"]),
    )


def _names(store: Store) -> dict[str, str]:
    people = store.table("people").select("person_id", "name").execute()
    return dict(zip(people["person_id"], people["name"], strict=True))


def _below(store: Store, team: str) -> set[str]:
    teams = store.table("teams").select("team_id", "parent_team_id").execute()
    parents = dict(zip(teams["team_id"], teams["parent_team_id"], strict=True))
    if team not in parents:
        raise DiagnosisError(f"Team '{team}' is not in the teams table. Pass a team id such as T-SUP-EMEA.")
    out = {team}
    while more := {t for t, p in parents.items() if p in out and t not in out}:
        out |= more
    return out


CHECKS: tuple[_Check, ...] = (
    _Check(
        "selective_invitations",
        "Invitations skip unhappy customers",
        "an agent whose cases with a poor outcome (reopened, slow first response or resolution) are followed "
        "by a survey far less often than their good cases, compared with the same odds for their team",
        patterns.selective_invitations,
        0.15,
    ),
    _Check(
        "response_rate",
        "Response rate far from peers",
        "a person whose invitations are answered far more or less often than their team's",
        patterns.response_rates,
        0.15,
    ),
    _Check(
        "score_distribution",
        "Score distribution far from peers",
        "an agent whose CSAT or NPS answers about cases are far above their team's on the same survey "
        "(account-clustered tests; the difference in standard deviations)",
        patterns.score_distributions,
        0.3,
    ),
    _Check(
        "late_reassignment",
        "Cases handed over shortly before the survey",
        "an agent who hands cases to someone else shortly before the survey invitation or after resolving "
        "them, so that someone else is credited with the answer",
        patterns.late_reassignments,
        0.05,
    ),
    _Check(
        "reopens",
        "Cases closed and reopened",
        "an agent whose closed cases are reopened far more often than their team's (closing early stops "
        "the resolution clock)",
        patterns.reopens,
        0.10,
    ),
    _Check(
        "bunching",
        "Bunching just above a threshold",
        "more monthly values per person just at or above a goal or pay threshold than noise would give",
        patterns.bunching,
        0.10,
    ),
    _Check(
        "promoters_who_churn",
        "Scores that disagree with behaviour",
        "a person whose promoter accounts (NPS 9-10) churn within a year far more often than their team's",
        patterns.promoters_who_churn,
        0.10,
    ),
)
