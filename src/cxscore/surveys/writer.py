"""The answer writer: group commit of survey submissions, acknowledged only once committed.

The embedded store has one writer. Requests hand their submission to one writer thread, which takes
every submission waiting (up to `max_batch`), looks their links up in one query, checks each against its
survey, stores the good ones in *one* transaction (responses, other answers, the links' single use,
follow-ups) and only then answers each request. Many answers share one commit, so the store keeps up
with hundreds of submissions a second while no answer is acknowledged before it is durable.

Idempotent by link: a link is used once. A retry of the same form (same submission id) gets the same
acknowledgement and stores nothing; another submission on a used link gets "used".

Follow-up tasks for unhappy answers are opened by the same thread right after the acknowledgements, at
most once a second for everything stored since; a restart opens any a killed process left unopened.
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa

from cxscore.store import Store
from cxscore.surveys.answers import COMMENT, check_answers
from cxscore.surveys.definition import Survey
from cxscore.surveys.followups import open_followups

__all__ = ["Outcome", "Submission", "Writer"]

log = logging.getLogger(__name__)
#: How far back `start()` looks for answers whose follow-ups a killed process did not open.
RECOVERY = timedelta(days=2)


@dataclass(frozen=True)
class Submission:
    """A completed survey form: which link, which submission (the form's nonce), the answers as posted."""

    link_id: str
    submission: str
    form: Mapping[str, str]
    language: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What happened to a submission: `stored` (also for a retry of a stored one), `used` (the link
    was used by another submission), `invalid` (answers have problems: `errors`), `unknown` (no such
    link) or `failed` (the store refused; nothing was stored, try again)."""

    status: str
    survey: Survey | None = None
    language: str = "en"
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class _Item:
    submission: Submission
    future: Future[Outcome]


_LOOKUP = """
    SELECT l.invitation_id, l.survey_id, l.language, l.used_at, l.submission, i.contact_id, i.account_id,
           i.case_id, i.event_id, i.touchpoint_id, i.product_id, i.credited_person_id, i.credited_team_id
    FROM _survey_links l JOIN invitations i USING (invitation_id)
    WHERE l.invitation_id IN ({marks})"""
_RESPONSE_COLUMNS = [
    *("response_id", "survey_id", "invitation_id", "account_id", "contact_id", "responded_at"),
    *("nps", "csat", "ces", "comment", "language", "anonymous"),
    *("case_id", "event_id", "touchpoint_id", "product_id", "person_id", "team_id"),
]


class Writer:
    """One thread that commits submissions in groups; `submit` returns a Future of the Outcome."""

    def __init__(
        self,
        store: Store,
        lock: threading.RLock,
        surveys: Callable[[], Mapping[str, Survey]],
        *,
        max_batch: int = 500,
        followup_seconds: float = 1.0,
    ) -> None:
        self.store = store
        self.lock = lock
        self.surveys = surveys
        self.max_batch = max_batch
        self._queue: queue.Queue[_Item | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self.batches = 0
        self.committed = 0
        #: Stored answers that may open a follow-up, opened in one go at most every `followup_seconds`.
        self._follow_up: list[str] = []
        self._followed_at = 0.0
        self.followup_seconds = followup_seconds

    # -- the part's life ------------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self.open_followups(since=datetime.now(UTC).replace(tzinfo=None) - RECOVERY)
            self._thread = threading.Thread(target=self._run, name="cxscore-answer-writer", daemon=True)
            self._thread.start()

    def close(self) -> None:
        """Commit what is queued, then stop."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._thread = None
            self.open_followups()

    def submit(self, submission: Submission) -> Future[Outcome]:
        future: Future[Outcome] = Future()
        if self._thread is None:
            future.set_result(Outcome("failed"))
        else:
            self._queue.put(_Item(submission, future))
        return future

    # -- the thread -----------------------------------------------------------------------------------

    def _run(self) -> None:
        stopping = False
        while not stopping:
            try:
                first = self._queue.get(timeout=self.followup_seconds if self._follow_up else None)
            except queue.Empty:  # quiet for a moment: open the follow-ups still waiting
                self.open_followups()
                continue
            if first is None:
                break
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            self._commit(batch)

    def _commit(self, batch: list[_Item]) -> None:
        try:
            with self.lock:
                outcomes = self._write(batch)
        except Exception:  # the store refused the batch: nothing of it is stored, every request is told
            log.exception("The answer writer could not commit %d submissions", len(batch))
            outcomes = [Outcome("failed") for _ in batch]
        self.batches += 1
        for item, outcome in zip(batch, outcomes, strict=True):
            item.future.set_result(outcome)
        if self._follow_up and time.monotonic() - self._followed_at >= self.followup_seconds:
            self.open_followups()

    def open_followups(self, since: datetime | None = None) -> int:
        """Open the follow-ups the answers stored lately call for (or all answered since `since`).

        This runs after the answers are acknowledged, so the tasks never slow an answer down; if the
        process dies first, `start()` opens them (it looks back `RECOVERY`)."""
        named, self._follow_up = self._follow_up, []
        self._followed_at = time.monotonic()
        try:
            with self.lock:
                if since is not None:
                    return open_followups(self.store, self.surveys(), since=since)
                return open_followups(self.store, self.surveys(), response_ids=named) if named else 0
        except Exception:  # the answers are safe; the tasks are opened again at the next start
            log.exception("Could not open follow-ups for %d answers", len(named))
            return 0

    def _write(self, batch: list[_Item]) -> list[Outcome]:
        if self.store.backend == "postgres":
            # Several servers may share the database: the batch's links stay locked (FOR UPDATE) from
            # the look-up to the commit, so a link answered in two processes at once is stored once.
            # Locked in the order of their ids, so that two batches sharing links never deadlock.
            with self.store.transaction():
                return self._write_batch(batch, _LOOKUP + " ORDER BY l.invitation_id FOR UPDATE OF l")
        # One process owns the embedded store, and in it only the surveys' connection (under its lock)
        # writes links: nothing changes them between the look-up and the commit.
        return self._write_batch(batch, _LOOKUP)

    def _write_batch(self, batch: list[_Item], lookup: str) -> list[Outcome]:
        surveys = self.surveys()
        ids = sorted({f"I-{item.submission.link_id}" for item in batch})
        rows = self.store.execute(lookup.format(marks=_marks(ids)), ids).fetchall()
        links: dict[str, list[Any]] = {str(r[0]): list(r) for r in rows}
        now = datetime.now(UTC).replace(tzinfo=None)
        outcomes: list[Outcome] = []
        responses: list[dict[str, Any]] = []
        answers: list[dict[str, Any]] = []
        uses: list[tuple[Any, ...]] = []
        for item in batch:
            outcome, stored = self._check(item.submission, links, surveys, now)
            outcomes.append(outcome)
            if stored is not None:
                response, extra, use = stored
                responses.append(response)
                answers += extra
                uses.append(use)
        if responses:
            with self.store.transaction():
                self.store.load("responses", _arrow(responses, _RESPONSE_COLUMNS))
                if answers:
                    self.store.load(
                        "response_answers", _arrow(answers, ["response_id", "question_id", "value", "score"])
                    )
                _mark_used(self.store, uses)
                links_of = [(u[3], r) for u, r in zip(uses, responses, strict=True)]
                # The response rate counts anonymous answers by their invitation (the answers name none).
                _where_in(
                    self.store,
                    "UPDATE invitations SET answered_anonymously = true WHERE invitation_id IN ({marks})",
                    [link for link, r in links_of if r["anonymous"]],
                )
                # Only surveys shown one question per screen keep partial answers.
                _where_in(
                    self.store,
                    "DELETE FROM _survey_partials WHERE invitation_id IN ({marks})",
                    [link for link, r in links_of if _stepped(r, surveys)],
                )
            self.committed += len(responses)
            self._follow_up += [r["response_id"] for r in responses if _may_follow_up(r, surveys)]
        return outcomes

    def _check(
        self,
        submission: Submission,
        links: dict[str, list[Any]],
        surveys: Mapping[str, Survey],
        now: datetime,
    ) -> tuple[Outcome, tuple[dict[str, Any], list[dict[str, Any]], tuple[Any, ...]] | None]:
        invitation_id = f"I-{submission.link_id}"
        link = links.get(invitation_id)
        survey = surveys.get(str(link[1])) if link else None
        if link is None or survey is None:
            return Outcome("unknown"), None
        language = survey.language_for(submission.language or str(link[2]))
        if link[3] is not None:  # used: by this very submission (a retry) or by another
            status = "stored" if link[4] == submission.submission else "used"
            return Outcome(status, survey, language), None
        checked = check_answers(survey, submission.form, language, final=True)
        if checked.errors:
            return Outcome("invalid", survey, language, checked.errors, checked.values), None
        response_id = "R-" + secrets.token_urlsafe(12)
        response, extra = _rows(survey, response_id, link, checked.values, language, now)
        # Within the batch the link is now used: a second copy of it is a retry or a reuse.
        link[3], link[4] = now, submission.submission
        use = (now, submission.submission, None if survey.anonymous else response_id, invitation_id)
        return Outcome("stored", survey, language), (response, extra, use)


def _rows(
    survey: Survey,
    response_id: str,
    link: list[Any],
    values: dict[str, str],
    language: str,
    now: datetime,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    (_, survey_id, _, _, _, contact, account, case, event, touchpoint, product, person, team) = link
    scored = {q.kind: q.id for q in survey.questions if q.kind in ("nps", "csat", "ces")}
    response: dict[str, Any] = {
        "response_id": response_id,
        "survey_id": survey_id,
        "responded_at": now,
        "language": language,
        "anonymous": survey.anonymous,
        "event_id": event,
        "touchpoint_id": touchpoint,
        "product_id": product,
        "team_id": team,
        "comment": values.get(COMMENT),
    }
    for kind, question_id in scored.items():
        response[kind] = int(values[question_id]) if question_id in values else None
    if survey.anonymous:
        # Nothing that leads back to the person: no invitation, contact, account, case or person, and the
        # day only, not the moment.
        response["responded_at"] = now.replace(hour=0, minute=0, second=0, microsecond=0)
    else:
        response |= {
            "invitation_id": link[0],
            "contact_id": contact,
            "account_id": account,
            "case_id": case,
            "person_id": person,
        }
    extra = []
    for question in survey.questions:
        if question.kind in scored or question.id not in values:
            continue
        value = values[question.id]
        extra.append(
            {
                "response_id": response_id,
                "question_id": question.id,
                "value": value,
                "score": float(value) if question.scale else None,
            }
        )
    return response, extra


def _marks(values: list[str]) -> str:
    """The `?` placeholders of an IN list of `values`."""
    return ", ".join("?" for _ in values)


def _where_in(store: Store, sql: str, ids: list[str]) -> None:
    """Run `sql` with its `{marks}` filled for `ids`; nothing when there are none."""
    if ids:
        store.execute(sql.format(marks=_marks(ids)), ids)


def _mark_used(store: Store, uses: list[tuple[Any, ...]]) -> None:
    """Record the links' single use (used_at, submission, response_id, invitation_id) in one statement."""
    if store.backend == "postgres":
        _mark_used_postgres(store, uses)
    else:
        _mark_used_duckdb(store, uses)


def _mark_used_postgres(store: Store, uses: list[tuple[Any, ...]]) -> None:
    """One UPDATE joined to the uses as a VALUES list (one round trip for the whole batch)."""
    rows = ", ".join(
        "(CAST(? AS TIMESTAMP), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT))" for _ in uses
    )
    store.execute(
        "UPDATE _survey_links "
        "SET used_at = u.used_at, submission = u.submission, response_id = u.response_id "
        f"FROM (VALUES {rows}) AS u (used_at, submission, response_id, invitation_id) "
        "WHERE _survey_links.invitation_id = u.invitation_id",
        [value for use in uses for value in use],
    )


def _mark_used_duckdb(store: Store, uses: list[tuple[Any, ...]]) -> None:
    """An UPDATE joined to the uses registered as an Arrow table (DuckDB updates row by row are slow)."""
    raw = store.con.con
    used = pa.table(
        {
            "used_at": pa.array([u[0] for u in uses], pa.timestamp("us")),
            "submission": [u[1] for u in uses],
            "response_id": pa.array([u[2] for u in uses], pa.string()),
            "invitation_id": [u[3] for u in uses],
        }
    )
    raw.register("_cx_link_uses", used)
    try:
        raw.execute(
            "UPDATE _survey_links SET used_at = u.used_at, submission = u.submission, "
            "response_id = u.response_id "
            "FROM _cx_link_uses u WHERE _survey_links.invitation_id = u.invitation_id"
        )
    finally:
        raw.unregister("_cx_link_uses")


def _stepped(response: dict[str, Any], surveys: Mapping[str, Survey]) -> bool:
    survey = surveys.get(str(response["survey_id"]))
    return survey is None or survey.layout == "one_per_screen"


def _may_follow_up(response: dict[str, Any], surveys: Mapping[str, Survey]) -> bool:
    """Whether a stored answer can open a follow-up (the store applies the exact rule)."""
    survey = surveys.get(str(response["survey_id"]))
    rule = survey.follow_up if survey else None
    if response["anonymous"] or rule is None:
        return False
    limits = (("nps", rule.nps_at_most), ("csat", rule.csat_at_most), ("ces", rule.ces_at_most))
    return any(
        limit is not None and response.get(kind) is not None and response[kind] <= limit
        for kind, limit in limits
    )


def _arrow(rows: list[dict[str, Any]], columns: list[str]) -> pa.Table:
    return pa.table({c: [r.get(c) for r in rows] for c in columns})
