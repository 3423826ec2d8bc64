"""The demo company's closed loop: follow-ups on its 2025 detractors, how they were handled, and opt-outs.

The company started closing the loop on 1 January 2025. The tasks are opened by the product's own rule
(`cxscore.surveys.followups.open_followups`: a detractor, a low CSAT or a hard-effort answer, assigned to
the case's agent or the account's owner on the day of the answer); only how people then handled them is
simulated:

- each assignee has their own diligence (the chance to reach the customer, Beta(8, 2): 80% on average);
- the first contact comes a log-normal time after the answer (median 20 hours, a quarter after two days);
- a reached customer's task closes a log-normal time later (median 2 days) as resolved (55%), explained
  (25%) or not resolved (20%); an unreached one closes a week after the answer as "no reply";
- tasks opened in the last three weeks of the history are still open, reached or not;
- every contact and every closing writes a note by the assignee.

The contacts who opted out of surveys (`contacts.unsubscribed_at`, and no invitation after it) are
recorded in `unsubscribes` too, the table cxscore's own survey sender honours forever.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from cxscore.demo.calendar import END
from cxscore.store import Store
from cxscore.surveys.followups import open_followups

__all__ = ["CLOSED_LOOP_START", "build_closed_loop"]

#: The first day whose answers open follow-up tasks.
CLOSED_LOOP_START = dt.datetime(2025, 1, 1)
_STILL_OPEN_AFTER = dt.datetime.combine(END, dt.time()) - dt.timedelta(days=21)
_OUTCOMES = np.array(["resolved", "explained", "not_resolved"])
_CONTACT_NOTES = np.array(
    [
        "Called the customer; walked through what went wrong.",
        "Reached them by phone; they explained the problem in detail.",
        "E-mail exchange; agreed on next steps.",
        "Short call; the customer appreciated being asked.",
    ]
)
_CLOSE_NOTES = {
    "resolved": "Fixed what the customer raised; they confirmed.",
    "explained": "Explained the behaviour and the workaround; the customer accepted it.",
    "not_resolved": "Could not fix it for now; logged with the product team.",
    "no_reply": "No reply after three attempts.",
}
_HOUR = np.timedelta64(3_600_000_000, "us")


def _hours(hours: np.ndarray) -> np.ndarray:
    """Durations in whole seconds (as the rest of the demo's timestamps are)."""
    return (hours * 3600).astype("timedelta64[s]").astype("timedelta64[us]")


def build_closed_loop(rng: np.random.Generator, store: Store) -> None:
    """Open the 2025 follow-up tasks with the product's rule, then write how they were handled."""
    open_followups(store, {}, since=CLOSED_LOOP_START)
    tasks = store.execute(
        "SELECT * FROM followups ORDER BY followup_id"  # a fixed order: the same seed, the same company
    ).to_arrow_table()
    if tasks.num_rows:
        handled, notes = _handle(rng, tasks)
        with store.transaction():
            store.execute("DELETE FROM followups")
            store.load("followups", handled)
            store.load("followup_notes", notes)
    _opt_outs(store)


def _handle(rng: np.random.Generator, tasks: pa.Table) -> tuple[pa.Table, pa.Table]:
    n = tasks.num_rows
    assignees = np.array([a or "" for a in tasks.column("assignee_id").to_pylist()])
    people, person_index = np.unique(assignees, return_inverse=True)
    diligence = rng.beta(8, 2, size=len(people))[person_index]
    opened = tasks.column("opened_at").to_numpy().astype("datetime64[us]")
    end = np.datetime64(dt.datetime.combine(END, dt.time(23, 59)), "us")

    reached = rng.random(n) < diligence
    contact_hours = rng.lognormal(np.log(20), 1.0, size=n)
    first_contact = opened + _hours(contact_hours)
    reached &= first_contact <= end
    close_hours = rng.lognormal(np.log(48), 0.8, size=n)
    closed_if_reached = first_contact + _hours(close_hours)
    closed_if_not = opened + 168 * _HOUR
    closed_at = np.where(reached, closed_if_reached, closed_if_not)
    recent = opened >= np.datetime64(_STILL_OPEN_AFTER, "us")
    is_closed = ~recent & (closed_at <= end)
    outcome = np.where(reached, _OUTCOMES[rng.choice(3, size=n, p=[0.55, 0.25, 0.20])], "no_reply")

    handled = (
        tasks.set_column(
            tasks.schema.get_field_index("first_contact_at"),
            "first_contact_at",
            pa.array(np.where(reached, first_contact, np.datetime64("NaT")), pa.timestamp("us")),
        )
        .set_column(
            tasks.schema.get_field_index("closed_at"),
            "closed_at",
            pa.array(np.where(is_closed, closed_at, np.datetime64("NaT")), pa.timestamp("us")),
        )
        .set_column(
            tasks.schema.get_field_index("outcome"),
            "outcome",
            pa.array([o if c else None for o, c in zip(outcome.tolist(), is_closed.tolist(), strict=True)]),
        )
        .set_column(
            tasks.schema.get_field_index("status"),
            "status",
            pa.array(np.where(is_closed, "closed", "open").tolist(), pa.string()),
        )
    )

    ids = tasks.column("followup_id").to_numpy(zero_copy_only=False).astype(str)
    contact_text = _CONTACT_NOTES[rng.integers(0, len(_CONTACT_NOTES), size=n)]
    close_text = np.array([_CLOSE_NOTES[o] for o in outcome])
    author = np.array([a or None for a in assignees.tolist()], dtype=object)
    notes = pa.table(
        {
            "followup_id": pa.array(np.concatenate([ids[reached], ids[is_closed]]).tolist(), pa.string()),
            "noted_at": pa.array(
                np.concatenate([first_contact[reached], closed_at[is_closed]]), pa.timestamp("us")
            ),
            "author": pa.array(np.concatenate([author[reached], author[is_closed]]).tolist(), pa.string()),
            "kind": pa.array(["contact"] * int(reached.sum()) + ["close"] * int(is_closed.sum())),
            "text": pa.array(np.concatenate([contact_text[reached], close_text[is_closed]]).tolist()),
        }
    )
    return handled, notes


def _opt_outs(store: Store) -> None:
    """The contacts who opted out (4%, with the day on `contacts`) in the table the survey sender honours."""
    store.execute(
        "INSERT INTO unsubscribes (contact_id, email, unsubscribed_at, source) "
        "SELECT contact_id, email, unsubscribed_at, 'link' FROM contacts WHERE unsubscribed_at IS NOT NULL"
    )
