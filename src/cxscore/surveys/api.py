"""The surveys' Python API, for the CLI and the web app's admin pages.

Definitions live as YAML files in the project's `surveys/` folder; `define_survey` validates a mapping
and writes it there, so a survey defined in the web app is a reviewable file like any other.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> survey = define_survey(root, {"id": "event-nps", "name": "Event NPS", "trigger": "event_attended",
...     "questions": [{"id": "nps", "kind": "nps", "text": "Would you recommend the event?"}]})
>>> [s.id for s in list_surveys(root)], survey.credit
(['event-nps'], 'event')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from cxscore.errors import SurveyDefinitionError
from cxscore.store import Store
from cxscore.surveys.definition import Problem, Survey, load_surveys, parse_survey, read_survey_file
from cxscore.surveys.followups import (
    Followup,
    Note,
    assign,
    close,
    get_followup,
    list_followups,
    note,
    notes,
    open_followups,
    summary,
)
from cxscore.surveys.sending import SendReport, send_reminders, send_surveys
from cxscore.surveys.settings import read_settings

__all__ = [
    "Followup",
    "InvitationRow",
    "Note",
    "assign",
    "close",
    "define_survey",
    "get_followup",
    "invitations",
    "list_followups",
    "list_surveys",
    "note",
    "notes",
    "open_followups",
    "remind",
    "send",
    "summary",
    "surveys_in_data",
    "validate_surveys",
]


@dataclass(frozen=True)
class InvitationRow:
    """An invitation as the admin pages list it. For anonymous surveys `answered` is None: whether a
    given person answered is not shown."""

    invitation_id: str
    survey_id: str
    contact_id: str | None
    sent_at: datetime
    reminded_at: datetime | None
    expires_at: datetime | None
    answered: bool | None
    credited_person_id: str | None
    credited_team_id: str | None


def list_surveys(root: Path) -> list[Survey]:
    """Every survey defined in the project at `root`, by id (raises with every problem if any)."""
    return sorted(load_surveys(root).values(), key=lambda s: s.id)


def validate_surveys(root: Path) -> list[Problem]:
    """Every problem of every survey file, each with its file and line (empty when all is well)."""
    try:
        load_surveys(root)
    except SurveyDefinitionError as error:
        return [p for p in error.problems if isinstance(p, Problem)]
    return []


def define_survey(root: Path, data: Mapping[str, Any]) -> Survey:
    """Validate `data` (the YAML file's content as a mapping) and write it to `surveys/ID.yml`."""
    survey = parse_survey(data)
    folder = root / "surveys"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{survey.id}.yml"
    path.write_text(yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True), encoding="utf-8")
    written, problems = read_survey_file(path)
    if written is None:  # cannot happen for data that parsed, but never leave a broken file behind
        path.unlink()
        raise SurveyDefinitionError(problems)
    return written


def send(
    store: Store,
    root: Path,
    *,
    surveys: Iterable[str] | None = None,
    contacts: Sequence[str] | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
) -> SendReport:
    """Send the invitations the surveys' triggers call for (all surveys, or those named); with `contacts`,
    invite those contacts instead (how `manual` and `touchpoint` surveys are sent)."""
    defined = load_surveys(root)
    chosen = list(surveys) if surveys else None
    for survey_id in chosen or []:
        if survey_id not in defined:
            raise SurveyDefinitionError(
                [
                    Problem(
                        str(root / "surveys"), 1, f"no survey '{survey_id}' (surveys: {', '.join(defined)})."
                    )
                ]
            )
    return send_surveys(
        store, root, read_settings(root), defined, only=chosen, contacts=contacts, now=now, dry_run=dry_run
    )


def remind(store: Store, root: Path, *, now: datetime | None = None, dry_run: bool = False) -> SendReport:
    """Send the one reminder of every invitation that is due one."""
    return send_reminders(store, root, read_settings(root), load_surveys(root), now=now, dry_run=dry_run)


def invitations(
    store: Store, root: Path, *, survey_id: str | None = None, limit: int = 200
) -> list[InvitationRow]:
    """The invitations sent, newest first."""
    anonymous = {s.id for s in load_surveys(root).values() if s.anonymous}
    where, params = ("WHERE i.survey_id = ?", [survey_id]) if survey_id else ("", [])
    rows = store.execute(
        "SELECT i.invitation_id, i.survey_id, i.contact_id, i.sent_at, i.reminded_at, l.expires_at, "
        "l.used_at IS NOT NULL "
        "OR EXISTS (SELECT 1 FROM responses r WHERE r.invitation_id = i.invitation_id), "
        "i.credited_person_id, i.credited_team_id "
        f"FROM invitations i LEFT JOIN _survey_links l USING (invitation_id) {where} "
        f"ORDER BY i.sent_at DESC, i.invitation_id LIMIT {int(limit)}",
        params,
    ).fetchall()
    return [
        InvitationRow(
            str(r[0]),
            str(r[1]),
            r[2],
            r[3],
            r[4],
            r[5],
            None if r[1] in anonymous else bool(r[6]),
            r[7],
            r[8],
        )
        for r in rows
    ]


#: Every survey id the data names, with what the surveys table says of it and its invitations and
#: responses (how many, first and last day). Plain SQL that DuckDB and PostgreSQL read alike.
IN_DATA = """
WITH ids AS (
    SELECT survey_id FROM surveys
    UNION SELECT survey_id FROM invitations
    UNION SELECT survey_id FROM responses WHERE survey_id IS NOT NULL
), sent AS (
    SELECT survey_id, count(*) AS n, CAST(min(sent_at) AS DATE) AS first_day,
           CAST(max(sent_at) AS DATE) AS last_day
    FROM invitations GROUP BY survey_id
), answered AS (
    SELECT survey_id, count(*) AS n, CAST(min(responded_at) AS DATE) AS first_day,
           CAST(max(responded_at) AS DATE) AS last_day
    FROM responses WHERE survey_id IS NOT NULL GROUP BY survey_id
)
SELECT ids.survey_id, s.name, s.kind, s.trigger, s.source,
       coalesce(sent.n, 0), sent.first_day, sent.last_day,
       coalesce(answered.n, 0), answered.first_day, answered.last_day
FROM ids
LEFT JOIN surveys s ON s.survey_id = ids.survey_id
LEFT JOIN sent ON sent.survey_id = ids.survey_id
LEFT JOIN answered ON answered.survey_id = ids.survey_id
ORDER BY ids.survey_id
"""


def surveys_in_data(store: Store) -> dict[str, dict[str, Any]]:
    """Survey id -> its row in the data: name, kind, trigger and source from the surveys table (None
    when only invitations or responses name it), invitations and responses with their first and last
    day."""
    names = (
        "id",
        "name",
        "kind",
        "trigger",
        "source",
        "invitations",
        "first_sent",
        "last_sent",
        "responses",
        "first_response",
        "last_response",
    )
    rows = store.execute(IN_DATA).fetchall()
    return {str(row[0]): dict(zip(names, row, strict=True)) for row in rows}
