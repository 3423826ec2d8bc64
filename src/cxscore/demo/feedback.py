"""Surveys, their questions, and the one way every generator sends invitations and records responses.

A generator decides who is invited, when, about what, who is credited and how satisfied the customer
is (a latent score `z`, about N(1, 1) for an ordinary experience); `Feedback.send` turns that into
invitation rows (with reminders) and response rows (NPS, CSAT, CES on their scales, a comment, some
anonymous), with ids numbered across all surveys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cxscore.demo.calendar import DAY, Ints
from cxscore.demo.comments import LABELS as COMMENTS
from cxscore.demo.organisation import TEAMS
from cxscore.demo.products import PRODUCTS
from cxscore.demo.writer import Ids, Labels, Values, Writer

__all__ = [
    "EVENT_IDS",
    "SURVEYS",
    "TOUCHPOINTS",
    "Feedback",
    "Invitations",
    "ces_scale",
    "csat_scale",
    "nps_scale",
]

#: survey id -> (name, kind, trigger, questions as (question id, kind, text))
SURVEYS: dict[str, tuple[str, str, str, tuple[tuple[str, str, str], ...]]] = {
    "case-csat": ("Support case satisfaction", "transactional", "case_closed", (
        ("csat", "csat", "How satisfied are you with how we handled your case?"),
        ("ces", "ces", "The company made it easy for me to handle my issue."),
        ("resolved", "choice", "Was your issue resolved?"),
        ("comment", "text", "What is the one thing we could have done better?"),
    )),
    "relationship-nps": ("Quarterly relationship survey", "relationship", "relationship", (
        ("nps", "nps", "How likely are you to recommend Meridian to a friend or colleague?"),
        ("comment", "text", "What is the main reason for your score?"),
    )),
    "order-csat": ("Order experience", "transactional", "touchpoint", (
        ("csat", "csat", "How satisfied are you with the ordering process?"),
        ("comment", "text", "Anything we should improve?"),
    )),
    "delivery-csat": ("Delivery and set-up", "transactional", "touchpoint", (
        ("csat", "csat", "How satisfied are you with the delivery and set-up?"),
        ("comment", "text", "Anything we should improve?"),
    )),
    "invoice-csat": ("Your first invoice", "transactional", "touchpoint", (
        ("csat", "csat", "Was your first invoice clear and correct?"),
        ("comment", "text", "Anything we should improve?"),
    )),
    "upgrade-csat": ("Upgrade experience", "transactional", "upgrade", (
        ("csat", "csat", "How satisfied are you with the upgrade to the new version?"),
        ("comment", "text", "Anything we should improve?"),
    )),
    "event-feedback": ("Meridian Summit feedback", "transactional", "event_attended", (
        ("nps", "nps", "How likely are you to recommend the Summit to a colleague?"),
        ("csat", "csat", "How satisfied were you with the Summit overall?"),
        ("comment", "text", "What should we change next year?"),
    )),
}  # fmt: skip

#: touchpoint id -> (name, stage, description, contributing teams as (team id, contribution, weight))
TOUCHPOINTS: dict[str, tuple[str, int, str, tuple[tuple[str, str, float], ...]]] = {
    "order": ("Order", 1, "The customer signs and orders.", (
        ("T-SALES", "owner", 0.6), ("T-PURCHASING", "contributor", 0.4))),
    "delivery": ("Delivery and set-up", 2, "Licences are provisioned and the edge appliance is shipped.", (
        ("T-LOGISTICS", "owner", 0.4), ("T-PROVISIONING", "contributor", 0.4),
        ("T-PURCHASING", "contributor", 0.2))),
    "first_invoice": ("First invoice", 3, "The customer receives the first invoice.", (
        ("T-BILLING", "owner", 1.0),)),
    "support_case": ("Support case", 4, "A support case is resolved and closed.", (
        ("T-SUP", "owner", 0.8), ("T-PRODUCT", "contributor", 0.2))),
    "upgrade": ("Upgrade", 5, "The customer moves to a new version.", (
        ("T-PRODUCT", "owner", 0.6), ("T-PROVISIONING", "contributor", 0.2), ("T-SUP", "contributor", 0.2))),
    "event": ("User conference", 6, "The customer attends the yearly Meridian Summit.", (
        ("T-EVENTS", "owner", 1.0),)),
}  # fmt: skip

_SURVEY_IDS = tuple(SURVEYS)
_TRIGGERS = ("relationship", "case_closed", "renewal", "event_attended", "upgrade", "touchpoint", "manual")
_TOUCHPOINT_IDS = tuple(TOUCHPOINTS)


def csat_scale(z: np.ndarray) -> Ints:
    """CSAT 1-5 from a latent score; an ordinary experience (z ~ N(1, 1)) gives about 80% 4-5.

    >>> csat_scale(np.array([-3.0, 0.0, 3.0])).tolist()
    [1, 3, 5]
    """
    return np.searchsorted(np.array([-1.4, -0.6, 0.15, 1.3]), z).astype(np.int64) + 1


def nps_scale(z: np.ndarray) -> Ints:
    """Likelihood to recommend 0-10 from a latent score.

    >>> nps_scale(np.array([-9.0, 1.0, 9.0])).tolist()
    [0, 9, 10]
    """
    return np.clip(np.rint(7.0 + 1.9 * z), 0, 10).astype(np.int64)


def ces_scale(z: np.ndarray) -> Ints:
    """Ease 1-7 (7 = very easy) from a latent score."""
    return np.clip(np.rint(4.6 + 1.2 * z), 1, 7).astype(np.int64)


@dataclass(frozen=True)
class Invitations:
    """A batch of invitations of one survey and what the invited customers would answer."""

    survey: str
    account: Ints
    contact: Ints
    sent: Ints  # seconds
    person: Ints  # credited person, -1 for none
    team: Ints  # credited team code, -1 for none
    z: np.ndarray  # latent satisfaction of each invited customer
    comments: Ints  # comment code for each, -1 for none
    case: Ints | None = None
    event: Ints | None = None
    touchpoint: str | None = None
    product: Ints | None = None
    respond: float = 0.45
    anonymous: float = 0.0
    responds: np.ndarray | None = None  # who responds, when the caller decided it already
    extra: dict[str, Ints] = field(default_factory=dict)  # response_answers: question id -> score


@dataclass
class Feedback:
    """Numbers invitations and responses across every survey and writes them in bulk."""

    writer: Writer
    invitations: int = 0
    responses: int = 0

    def define_surveys(self) -> None:
        """Write the surveys, their questions, the touchpoints and the teams behind them.

        The surveys ran in the company's survey tool and came in with the imported history (the project has
        no survey files, so cxscore sends none of them): their source is `import`, not `cxscore`.
        """
        w = self.writer
        w.write("surveys", {
            "survey_id": list(SURVEYS), "name": [s[0] for s in SURVEYS.values()],
            "kind": [s[1] for s in SURVEYS.values()], "trigger": [s[2] for s in SURVEYS.values()],
            "source": ["import"] * len(SURVEYS),
        })  # fmt: skip
        rows = [(s, q[0], i + 1, q[1], q[2]) for s, v in SURVEYS.items() for i, q in enumerate(v[3])]
        w.write("survey_questions", dict(zip(("survey_id", "question_id", "position", "kind", "text"),
                                             map(list, zip(*rows, strict=True)), strict=True)))  # fmt: skip
        w.write("touchpoints", {
            "touchpoint_id": list(TOUCHPOINTS), "name": [t[0] for t in TOUCHPOINTS.values()],
            "stage": np.array([t[1] for t in TOUCHPOINTS.values()]),
            "description": [t[2] for t in TOUCHPOINTS.values()],
        })  # fmt: skip
        links = [(tp, team, role, weight) for tp, t in TOUCHPOINTS.items() for team, role, weight in t[3]]
        w.write("touchpoint_teams", dict(zip(("touchpoint_id", "team_id", "contribution", "weight"),
                                             map(list, zip(*links, strict=True)), strict=True)))  # fmt: skip

    def send(self, rng: np.random.Generator, batch: Invitations) -> np.ndarray:
        """Write the invitations and the responses of one batch; return the mask of who responded."""
        n = len(batch.account)
        if n == 0:
            return np.zeros(0, dtype=bool)
        ids = np.arange(self.invitations, self.invitations + n)
        self.invitations += n
        responds = batch.responds if batch.responds is not None else rng.random(n) < batch.respond
        delay = rng.lognormal(np.log(6 * 3600), 1.2, n).astype(np.int64) + 60
        late = delay > 3 * DAY
        reminded = np.where(late | (~responds & (rng.random(n) < 0.7)), batch.sent + 3 * DAY, -1)
        delay = np.where(late, 3 * DAY + rng.integers(1800, 2 * DAY, n), delay)
        survey = np.full(n, _SURVEY_IDS.index(batch.survey))
        trigger = np.full(n, _TRIGGERS.index(SURVEYS[batch.survey][2]))
        touchpoint = np.full(n, -1 if batch.touchpoint is None else _TOUCHPOINT_IDS.index(batch.touchpoint))
        # Drawn here (the same draw _respond made before) so that the invitation can say it was answered.
        hidden = rng.random(int(responds.sum())) < batch.anonymous
        answered_anonymously = np.zeros(n, dtype=bool)
        answered_anonymously[np.flatnonzero(responds)[hidden]] = True
        common: dict[str, Ids | Labels | None] = {
            "survey_id": Labels(_SURVEY_IDS, survey),
            "case_id": None if batch.case is None else Ids("CS-", 7, batch.case),
            "event_id": None if batch.event is None else Labels(EVENT_IDS, batch.event),
            "touchpoint_id": Labels(_TOUCHPOINT_IDS, touchpoint),
            "product_id": None if batch.product is None else Labels([p[0] for p in PRODUCTS], batch.product),
        }
        self.writer.write("invitations", {
            "invitation_id": Ids("I-", 8, ids), "contact_id": Ids("C-", 7, batch.contact),
            "account_id": Ids("A-", 6, batch.account), "sent_at": batch.sent,
            "trigger": Labels(_TRIGGERS, trigger), "credited_person_id": Ids("P-", 5, batch.person),
            "credited_team_id": Labels([t.team_id for t in TEAMS], batch.team), "reminded_at": reminded,
            "answered_anonymously": answered_anonymously,
            **{k: v for k, v in common.items() if v is not None},
        })  # fmt: skip
        self._respond(rng, batch, responds, hidden, ids, batch.sent + delay, common)
        return responds

    def _respond(
        self,
        rng: np.random.Generator,
        batch: Invitations,
        responds: np.ndarray,
        hidden: np.ndarray,
        invitation: Ints,
        at: Ints,
        common: dict[str, Ids | Labels | None],
    ) -> None:
        rows = np.flatnonzero(responds)
        k = len(rows)
        ids = np.arange(self.responses, self.responses + k)
        self.responses += k
        asks = {q[1] for q in SURVEYS[batch.survey][3]}
        z = batch.z[rows]
        columns: dict[str, Values | None] = {
            "response_id": Ids("R-", 8, ids),
            "invitation_id": Ids("I-", 8, np.where(hidden, -1, invitation[rows])),
            "account_id": Ids("A-", 6, np.where(hidden, -1, batch.account[rows])),
            "contact_id": Ids("C-", 7, np.where(hidden, -1, batch.contact[rows])),
            "responded_at": at[rows],
            "nps": nps_scale(z) if "nps" in asks else None,
            "csat": csat_scale(z) if "csat" in asks else None,
            "ces": ces_scale(0.8 * z + rng.normal(0, 0.6, k)) if "ces" in asks else None,
            "comment": Labels(COMMENTS, batch.comments[rows]),
            "language": Labels(["en"], np.where(batch.comments[rows] >= 0, 0, -1)),
            "anonymous": hidden,
            "person_id": Ids("P-", 5, np.where(hidden, -1, batch.person[rows])),
            "team_id": Labels([t.team_id for t in TEAMS], batch.team[rows]),
        }
        for name, value in common.items():
            if value is None:
                continue
            if isinstance(value, Ids):
                # an anonymous answer must not lead back to its contact through the case
                columns[name] = Ids(value.prefix, value.width, np.where(hidden, -1, value.index[rows]))
            else:
                columns[name] = Labels(value.labels, value.codes[rows])
        self.writer.write("responses", {k2: v for k2, v in columns.items() if v is not None})
        for question, scores in batch.extra.items():
            picked = scores[rows]
            self.writer.write("response_answers", {
                "response_id": Ids("R-", 8, ids[picked >= 0]),
                "question_id": Labels([question], np.zeros(int((picked >= 0).sum()), dtype=np.int64)),
                "value": Labels(["No", "Yes"], picked[picked >= 0]),
                "score": picked[picked >= 0].astype(np.float64),
            })  # fmt: skip


EVENT_IDS = ("summit-2023", "summit-2024", "summit-2025")
