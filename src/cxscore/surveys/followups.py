"""The closed loop: a detractor, a low CSAT or a hard effort answer opens a follow-up task.

The task goes to the case's agent (an answer about a case), else the account's owner on the day of the
answer, else the person the answer credits; it is due `due_hours` after the answer (48 by default; a
survey's `follow_up:` changes the thresholds and the delay, `follow_up: false` turns it off). Anonymous
answers never open one: nobody may know whom to call.

Tasks are listed, assigned, noted (a note can record the first contact) and closed with an outcome.
`summary` gives the loop's own metrics: share of tasks contacted, time to first contact, outcomes,
overdue tasks, and whether the customers renewed afterwards.

>>> from cxscore.store import Store
>>> store = Store.duckdb(); store.create_schema()
>>> _ = store.execute("INSERT INTO responses (response_id, responded_at, nps, contact_id) "
...                   "VALUES ('R-1', TIMESTAMP '2025-03-06 18:00:00', 3, 'C-1')")
>>> open_followups(store, {})
1
>>> [(f.reason, f.due_at.isoformat(" ")) for f in list_followups(store)]
[('detractor', '2025-03-08 18:00:00')]
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import reduce
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from cxscore.errors import DefinitionError, FollowupError
from cxscore.model.surveys import FOLLOWUP_OUTCOMES
from cxscore.store import Store
from cxscore.surveys.definition import FollowUpRule, Survey
from cxscore.surveys.dialect import SHA256_HEX, changed_rows, exclusive, require_engine

if TYPE_CHECKING:
    from cxscore.metrics import Catalog, Metric

__all__ = [
    "Followup",
    "Note",
    "assign",
    "close",
    "followup_id_for",
    "get_followup",
    "list_followups",
    "note",
    "open_followups",
    "summary",
]

_COLUMNS = (
    "followup_id, response_id, survey_id, account_id, contact_id, case_id, reason, assignee_id, team_id, "
    "opened_at, due_at, first_contact_at, closed_at, outcome, status"
)


@dataclass(frozen=True)
class Followup:
    """One follow-up task as stored."""

    followup_id: str
    response_id: str
    survey_id: str | None
    account_id: str | None
    contact_id: str | None
    case_id: str | None
    reason: str
    assignee_id: str | None
    team_id: str | None
    opened_at: datetime
    due_at: datetime
    first_contact_at: datetime | None
    closed_at: datetime | None
    outcome: str | None
    status: str

    def overdue(self, now: datetime) -> bool:
        """Due and nobody contacted the customer yet."""
        return self.first_contact_at is None and self.status == "open" and now > self.due_at


@dataclass(frozen=True)
class Note:
    followup_id: str
    noted_at: datetime
    author: str | None
    kind: str
    text: str | None


def followup_id_for(response_id: str) -> str:
    """The task id of a response: one task per response, so opening twice opens once."""
    return "F-" + hashlib.sha256(response_id.encode()).hexdigest()[:12]


def open_followups(
    store: Store,
    surveys: Mapping[str, Survey],
    *,
    response_ids: Iterable[str] | None = None,
    since: datetime | None = None,
) -> int:
    """Open the tasks that answers call for (those named, or all answered since `since`); return how
    many were opened. Imported and webhook answers use the default rule unless their survey is defined."""
    rules = [(s.id, s.follow_up) for s in surveys.values()]
    default = FollowUpRule()
    require_engine(store)
    # Typed, so that PostgreSQL does not read the parameters of a VALUES list as text.
    row = (
        "(CAST({0} AS TEXT), CAST({0} AS BOOLEAN), CAST({0} AS INTEGER), CAST({0} AS INTEGER), "
        "CAST({0} AS INTEGER), CAST({0} AS DOUBLE PRECISION))"
    )
    values = ", ".join(row.format("?") for _ in rules) or row.format("NULL")
    rule_params: list[Any] = []
    for survey_id, rule in rules:
        on = rule is not None
        rule = rule or default
        rule_params += [survey_id, on, rule.nps_at_most, rule.csat_at_most, rule.ces_at_most, rule.due_hours]
    where: list[str] = []
    params: list[Any] = []
    if response_ids is not None:
        ids = list(response_ids)
        if not ids:
            return 0
        where.append(f"r.response_id IN ({', '.join('?' for _ in ids)})")
        params += ids
    if since is not None:
        where.append("r.responded_at >= ?")
        params.append(since)
    task_hash = SHA256_HEX[store.backend].format("a.response_id")  # as followup_id_for
    sql = f"""
        WITH rules (survey_id, active, nps_max, csat_max, ces_max, due_hours) AS (VALUES {values}),
        hits AS (
          SELECT r.*, coalesce(u.due_hours, CAST(? AS DOUBLE PRECISION)) AS due_hours,
            CASE WHEN r.nps <= coalesce(u.nps_max, CASE WHEN u.survey_id IS NULL
                                                        THEN CAST(? AS INTEGER) END) THEN 'detractor'
                 WHEN r.csat <= coalesce(u.csat_max, CASE WHEN u.survey_id IS NULL
                                                          THEN CAST(? AS INTEGER) END) THEN 'low_csat'
                 WHEN r.ces <= u.ces_max THEN 'high_effort' END AS reason
          FROM responses r LEFT JOIN rules u ON u.survey_id = r.survey_id
          WHERE coalesce(u.active, TRUE) AND NOT coalesce(r.anonymous, FALSE)
            AND (r.contact_id IS NOT NULL OR r.account_id IS NOT NULL)
            AND r.response_id NOT IN (SELECT response_id FROM followups)
            {"AND " + " AND ".join(where) if where else ""}),
        assigned AS (
          SELECT h.*, coalesce(
            (SELECT k.agent_id FROM cases k WHERE k.case_id = h.case_id),
            (SELECT o.person_id FROM account_owners o WHERE o.account_id = h.account_id
               AND o.valid_from <= CAST(h.responded_at AS DATE)
               AND (o.valid_to IS NULL OR o.valid_to >= CAST(h.responded_at AS DATE))
             ORDER BY o.valid_from DESC LIMIT 1),
            h.person_id) AS assignee
          FROM hits h WHERE h.reason IS NOT NULL)
        INSERT INTO followups ({_COLUMNS})
        SELECT 'F-' || substr({task_hash}, 1, 12), a.response_id, a.survey_id, a.account_id,
          a.contact_id, a.case_id, a.reason, a.assignee,
          coalesce((SELECT b.team_id FROM memberships b WHERE b.person_id = a.assignee
                     AND b.valid_from <= CAST(a.responded_at AS DATE)
                     AND (b.valid_to IS NULL OR b.valid_to >= CAST(a.responded_at AS DATE))
                    ORDER BY b.valid_from DESC LIMIT 1), a.team_id),
          a.responded_at, a.responded_at + CAST(a.due_hours * 3600000 AS BIGINT) * INTERVAL '1 millisecond',
          NULL, NULL, NULL, 'open'
        FROM assigned a"""
    head = [default.due_hours, default.nps_at_most, default.csat_at_most]
    with exclusive(store, "followups"):  # two servers opening the same answer's task: one task
        return changed_rows(store, store.execute(sql, [*rule_params, *head, *params]))


def list_followups(
    store: Store,
    *,
    status: str = "open",
    assignee: str | None = None,
    team: str | None = None,
    overdue_at: datetime | None = None,
    limit: int = 200,
) -> list[Followup]:
    """Tasks, the soonest due first; `status` is open, closed or all; `overdue_at` keeps the overdue."""
    where: list[str] = []
    params: list[Any] = []
    if status != "all":
        where.append("status = ?")
        params.append(status)
    if assignee:
        where.append("assignee_id = ?")
        params.append(assignee)
    if team:
        where.append("team_id = ?")
        params.append(team)
    if overdue_at is not None:
        where.append("status = 'open' AND first_contact_at IS NULL AND due_at < ?")
        params.append(overdue_at)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = store.execute(
        f"SELECT {_COLUMNS} FROM followups {clause} ORDER BY due_at, followup_id LIMIT {int(limit)}", params
    ).fetchall()
    return [Followup(*row) for row in rows]


def get_followup(store: Store, followup_id: str) -> Followup:
    """The task `followup_id`, or a FollowupError saying there is none."""
    row = store.execute(f"SELECT {_COLUMNS} FROM followups WHERE followup_id = ?", [followup_id]).fetchone()
    if row is None:
        raise FollowupError(
            f"There is no follow-up '{followup_id}'. List them with `cxscore followups list --status all`."
        )
    return Followup(*row)


def notes(store: Store, followup_id: str) -> list[Note]:
    """The notes of a task, oldest first."""
    rows = store.execute(
        "SELECT followup_id, noted_at, author, kind, text FROM followup_notes WHERE followup_id = ? "
        "ORDER BY noted_at",
        [followup_id],
    ).fetchall()
    return [Note(*row) for row in rows]


def assign(store: Store, followup_id: str, person_id: str, *, author: str | None = None) -> Followup:
    """Give the task to `person_id` (a person of the `people` table)."""
    task = get_followup(store, followup_id)
    if store.execute("SELECT 1 FROM people WHERE person_id = ?", [person_id]).fetchone() is None:
        raise FollowupError(
            f"There is no person '{person_id}' in people. Give a person_id from the people table."
        )
    with store.transaction():
        store.execute("UPDATE followups SET assignee_id = ? WHERE followup_id = ?", [person_id, followup_id])
        _note(store, task.followup_id, author, "assign", f"assigned to {person_id}")
    return get_followup(store, followup_id)


def note(
    store: Store, followup_id: str, text: str, *, author: str | None = None, contacted: bool = False
) -> Followup:
    """Add a note; `contacted` records that the customer was reached (the first time sets the time)."""
    task = get_followup(store, followup_id)
    if not text.strip():
        raise FollowupError("A note needs some text: say what happened.")
    with store.transaction():
        noted = _note(store, task.followup_id, author, "contact" if contacted else "note", text.strip())
        if contacted and task.first_contact_at is None:
            store.execute(
                "UPDATE followups SET first_contact_at = ? WHERE followup_id = ?", [noted, followup_id]
            )
    return get_followup(store, followup_id)


def close(
    store: Store, followup_id: str, outcome: str, *, text: str | None = None, author: str | None = None
) -> Followup:
    """Close the task with an outcome (resolved, explained, not_resolved, no_reply, not_needed)."""
    task = get_followup(store, followup_id)
    if outcome not in FOLLOWUP_OUTCOMES:
        raise FollowupError(f"Outcome '{outcome}' is not one of {', '.join(FOLLOWUP_OUTCOMES)}. Pick one.")
    if task.status == "closed":
        raise FollowupError(f"Follow-up '{followup_id}' is already closed ({task.outcome}); nothing changed.")
    with store.transaction():
        closed = _note(store, task.followup_id, author, "close", text or outcome)
        store.execute(
            "UPDATE followups SET status = 'closed', outcome = ?, closed_at = ? WHERE followup_id = ?",
            [outcome, closed, followup_id],
        )
    return get_followup(store, followup_id)


def _note(store: Store, followup_id: str, author: str | None, kind: str, text: str) -> datetime:
    noted = datetime.now(UTC).replace(tzinfo=None)
    store.execute(
        "INSERT INTO followup_notes (followup_id, noted_at, author, kind, text) VALUES (?, ?, ?, ?, ?)",
        [followup_id, noted, author, kind, text],
    )
    return noted


#: Seconds from opening a task to the first contact; both engines take the epoch of an interval.
_SECONDS_TO_CONTACT = "extract(epoch FROM (first_contact_at - opened_at))"

#: The metrics of the shares `summary` gives: contacted on time, renewed after a follow-up.
_SHARE_METRICS = ("followups_contacted", "followup_renewal_rate")

#: The SQL that counts the shares, by store, then by the definitions (their text: parsed definitions hold
#: lists, which do not hash) and the day it was compiled for. Building the metrics' Ibis expressions and
#: compiling them to SQL took most of a summary's time; the SQL itself runs on every call, so new data
#: and notes show at once. A few entries per store: a new day or an edited definition makes a new one.
_COUNTS_SQL: WeakKeyDictionary[Store, dict[tuple[str, date], str]] = WeakKeyDictionary()
_COUNTS_KEPT = 8


def summary(
    store: Store, catalog: Catalog, *, since: datetime | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """The loop's figures over the tasks opened since `since`, as of `now`: how many tasks, how many
    contacted, median and 90th percentile hours to first contact, overdue, outcomes, and two shares
    (each with its n and 95% Wilson interval) computed by the metric engine from the metrics of
    `catalog` (the project's, `load_catalog(project.root)`: a project may redefine them), so they cannot
    drift from what `cxscore metrics show` prints: `followups_contacted` (built in: contacted by the due
    time, over the tasks whose due day has ended, not-needed ones left out) and `followup_renewal_rate`
    (built in: the renewal of the contract term in force when each task was opened, once known).

    >>> from cxscore.metrics import load_catalog
    >>> from cxscore.store import Store
    >>> store = Store.duckdb(); store.create_schema()
    >>> figures = summary(store, load_catalog())
    >>> figures["opened"], figures["contacted_on_time_n"], figures["contacted_on_time_share"]
    (0, 0, None)
    """
    now = now or datetime.now(UTC).replace(tzinfo=None)
    where, params = ("WHERE opened_at >= ?", [since]) if since else ("", [])
    row = store.execute(
        f"SELECT count(*), count(first_contact_at), "
        f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {_SECONDS_TO_CONTACT}) / 3600.0, "
        f"percentile_cont(0.9) WITHIN GROUP (ORDER BY {_SECONDS_TO_CONTACT}) / 3600.0, "
        "count(CASE WHEN status = 'open' AND first_contact_at IS NULL AND due_at < ? THEN 1 END) "
        f"FROM followups {where}",
        [now, *params],
    ).fetchone()
    opened, contacted, median_hours, p90_hours, overdue = row
    outcomes = dict(
        store.execute(
            f"SELECT coalesce(outcome, 'open'), count(*) FROM followups {where} GROUP BY 1 ORDER BY 1", params
        ).fetchall()
    )
    metrics = tuple(_since(_share_metric(catalog, name), since) for name in _SHARE_METRICS)
    on_time, renewed = _share_counts(store, catalog, metrics, now.date())
    return {
        "opened": int(opened),
        "contacted": int(contacted),
        "contacted_share": (contacted / opened) if opened else None,
        **_share("contacted_on_time", *on_time),
        "hours_to_first_contact_median": None if median_hours is None else float(median_hours),
        "hours_to_first_contact_p90": None if p90_hours is None else float(p90_hours),
        "overdue": int(overdue),
        "outcomes": {str(k): int(v) for k, v in outcomes.items()},
        **_share("renewed_after_followup", *renewed),
    }


def _share_metric(catalog: Catalog, name: str) -> Metric:
    """The catalogue's metric `name`, which the summary shows as a share of tasks."""
    from cxscore.metrics.definition import Aggregation

    metric = catalog.get(name)
    if metric.aggregation is not Aggregation.SHARE:
        raise DefinitionError(
            f"Metric '{name}' ({metric.location}) is a {metric.aggregation.value}, but the follow-up "
            "summary shows it as a share of tasks. Define it with `kind: share`, or give your metric "
            "another name."
        )
    return metric


def _since(metric: Metric, since: datetime | None) -> Metric:
    """`metric` over the facts from `since` on (its time column), or as it is without `since`."""
    from cxscore.metrics.definition import AllOf, Comparison

    if since is None:
        return metric
    here = metric.facts.location
    recent = (Comparison(metric.facts.time, "ge", since, here),)
    kept = (metric.facts.filters,) if metric.facts.filters is not None else ()
    return replace(metric, facts=replace(metric.facts, filters=AllOf((*kept, *recent), here)))


def _share_counts(
    store: Store, catalog: Catalog, metrics: tuple[Metric, ...], day: date
) -> list[tuple[int, int]]:
    """(successes, n) of each share metric for the whole company, with the views as of `day`: the
    engine's yearly statistics added up, in one query."""
    compiled = _COUNTS_SQL.setdefault(store, {})
    key = (repr(metrics), day)
    if key not in compiled:
        compiled[key] = _counts_sql(store, catalog, metrics, day)
        while len(compiled) > _COUNTS_KEPT:
            del compiled[next(iter(compiled))]
    row = store.execute(compiled[key]).fetchone()
    return [(int(row[2 * i] or 0), int(row[2 * i + 1] or 0)) for i in range(len(metrics))]


def _counts_sql(store: Store, catalog: Catalog, metrics: tuple[Metric, ...], day: date) -> str:
    """One SELECT of `s0, n0, s1, n1, ...`: each metric's successes and n over all its years."""
    from cxscore.metrics import MetricEngine
    from cxscore.metrics.views import as_of

    with as_of(day):
        engine = MetricEngine(store, catalog)  # made here: the views it compiles are as of that day
        totals = []
        for i, metric in enumerate(metrics):
            yearly = engine.compile(metric, grain="year").statistics
            totals.append(yearly.aggregate(**{f"s{i}": yearly.successes.sum(), f"n{i}": yearly.n.sum()}))
    return str(store.con.compile(reduce(lambda left, right: left.cross_join(right), totals)))


def _share(name: str, successes: int, n: int) -> dict[str, Any]:
    """`name_share`, `name_n` and the 95% Wilson bounds `name_lower`, `name_upper` (None without tasks)."""
    from cxscore.stats import wilson_interval

    if not n:
        return {f"{name}_share": None, f"{name}_n": 0, f"{name}_lower": None, f"{name}_upper": None}
    lower, upper = wilson_interval(successes, n)
    return {
        f"{name}_share": successes / n,
        f"{name}_n": n,
        f"{name}_lower": float(lower),
        f"{name}_upper": float(upper),
    }
