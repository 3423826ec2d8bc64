"""The demo's closed loop: tasks opened by the product's own rule on 2025 answers, handled plausibly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

import cxscore
from cxscore.demo import DemoSummary


def one(sql: duckdb.DuckDBPyConnection, query: str) -> tuple[object, ...]:
    row = sql.execute(query).fetchone()
    assert row is not None
    return tuple(row)


def test_every_2025_detractor_or_low_csat_answer_has_exactly_one_task(sql: duckdb.DuckDBPyConnection) -> None:
    expected, opened = one(
        sql,
        """SELECT
             (SELECT count(*) FROM responses
               WHERE responded_at >= TIMESTAMP '2025-01-01' AND NOT coalesce(anonymous, FALSE)
                 AND (contact_id IS NOT NULL OR account_id IS NOT NULL) AND (nps <= 6 OR csat <= 2)),
             (SELECT count(DISTINCT response_id) FROM followups)""",
    )
    assert expected == opened and isinstance(opened, int) and opened > 300
    (earliest,) = one(sql, "SELECT min(opened_at) FROM followups")
    assert str(earliest) >= "2025-01-01"


def test_handling_is_consistent_with_its_notes(sql: duckdb.DuckDBPyConnection) -> None:
    contacted, contact_notes, closed, close_notes, open_tasks = one(
        sql,
        """SELECT count(first_contact_at), (SELECT count(*) FROM followup_notes WHERE kind = 'contact'),
                  count(*) FILTER (WHERE status = 'closed'),
                  (SELECT count(*) FROM followup_notes WHERE kind = 'close'),
                  count(*) FILTER (WHERE status = 'open')
           FROM followups""",
    )
    assert contacted == contact_notes and closed == close_notes
    assert isinstance(open_tasks, int) and 0 < open_tasks < 50  # the last three weeks' tasks
    (mismatched,) = one(
        sql,
        """SELECT count(*) FROM followups f JOIN followup_notes n USING (followup_id)
           WHERE (n.kind = 'contact' AND n.noted_at <> f.first_contact_at)
              OR (n.kind = 'close' AND n.noted_at <> f.closed_at)
              OR n.author IS DISTINCT FROM f.assignee_id""",
    )
    assert mismatched == 0
    (bad,) = one(
        sql,
        """SELECT count(*) FROM followups
           WHERE first_contact_at < opened_at OR closed_at < coalesce(first_contact_at, opened_at)
              OR (status = 'closed') <> (outcome IS NOT NULL)
              OR (outcome = 'no_reply') <> (status = 'closed' AND first_contact_at IS NULL)""",
    )
    assert bad == 0
    (share,) = one(sql, "SELECT avg(CAST(first_contact_at IS NOT NULL AS DOUBLE)) FROM followups")
    assert isinstance(share, float) and 0.65 < share < 0.92  # Beta(8, 2) diligence: 80% on average


def test_opt_outs_come_after_the_last_invitation(sql: duckdb.DuckDBPyConnection) -> None:
    opted_out, later = one(
        sql,
        """SELECT count(*),
                  (SELECT count(*) FROM invitations i JOIN unsubscribes u USING (contact_id)
                    WHERE i.sent_at > u.unsubscribed_at)
           FROM unsubscribes""",
    )
    assert isinstance(opted_out, int) and opted_out > 5 and later == 0


def test_the_loop_metrics_of_2025_match_how_the_tasks_were_handled(
    demo_company: tuple[Path, DemoSummary],
) -> None:
    root = demo_company[0]

    def year(metric: str, **query: Any) -> pd.DataFrame:
        frame = cxscore.compute(metric, grain="year", project=root, **query)
        return frame[frame.period.astype(str) == "2025-01-01"].set_index("scope_id")

    # Diligence 80% on average times the chance of a first contact within 48 hours of a log-normal delay
    # with median 20 hours and sigma 1 (Phi(ln 2.4) = 0.81): about 65% contacted in time.
    contacted = year("followups_contacted").loc["company"]
    assert 0.55 < contacted.value < 0.75 and contacted.n > 300
    assert 15 < year("followup_time_to_contact").loc["company"].value < 26  # median 20 hours
    recovered = year("followups_recovered").loc["company"]  # reached (80%) x resolved or explained (80%)
    assert 0.55 < recovered.value < 0.78
    teams = year("followups_contacted", by=["team"])
    assert teams.loc["T-COMPANY"].n == contacted.n  # every task is credited to a team, rolled up once
    sure = teams[~teams.insufficient]
    assert len(sure) >= 5 and sure.value.between(0.3, 0.95).all()
    renewal = year("followup_renewal_rate", by=["contacted"])
    assert set(renewal.contacted) == {True, False} and renewal.n.sum() > 100
