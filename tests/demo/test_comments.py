"""The demo's comments fit the survey they answer and the score beside them; its surveys are imported."""

from __future__ import annotations

from pathlib import Path

import duckdb

from cxscore.demo import DemoSummary
from cxscore.demo.comments import GROUPS
from cxscore.diagnose import sentiment
from cxscore.surveys.api import list_surveys

#: What a customer answering each survey writes about: the comment groups that fit it.
FITTING = {
    "case-csat": {"defect", "slow_response", "reopened", "long_resolution", "effort", "friendly", "neutral"},
    "relationship-nps": {"defect", "neglected", "price", "relationship_good", "relationship_neutral"},
    "order-csat": {"order_good", "effort"},
    "delivery-csat": {"late_delivery", "setup_trouble", "late_but_fine", "delivery_good"},
    "invoice-csat": {"billing_error", "invoice_unclear", "invoice_fixed", "invoice_good"},
    "upgrade-csat": {"defect", "upgrade_bad", "upgrade_good"},
    "event-feedback": {"event_good", "event_bad"},
}

COMMENTED = """
SELECT survey_id, comment, min(csat), max(csat), min(nps), max(nps), count(*)
FROM responses WHERE comment IS NOT NULL GROUP BY ALL ORDER BY ALL
"""


def test_every_comment_speaks_of_the_survey_it_answers(sql: duckdb.DuckDBPyConnection) -> None:
    group_of = {text: name for name, texts in GROUPS.items() for text in texts}
    used = {(survey, group_of[text]) for survey, text, *_ in sql.execute(COMMENTED).fetchall()}
    misplaced = sorted((survey, group) for survey, group in used if group not in FITTING[survey])
    assert not misplaced
    assert set().union(*FITTING.values()) == set(GROUPS)  # every group has its survey


def test_praise_comes_with_a_high_score_and_a_complaint_with_a_low_one(
    sql: duckdb.DuckDBPyConnection,
) -> None:
    """Told by the sentiment analysis, not by the generator's own groups: praise only beside a CSAT of 4-5
    and an NPS of 7-10, a complaint only beside a CSAT of 1-3 and an NPS of 0-7."""
    wrong = []
    for survey, text, low_csat, high_csat, low_nps, high_nps, n in sql.execute(COMMENTED).fetchall():
        label = sentiment(text).label
        praise_too_low = label == "positive" and ((low_csat or 5) < 4 or (low_nps or 10) < 7)
        complaint_too_high = label == "negative" and ((high_csat or 1) > 3 or (high_nps or 0) > 7)
        if praise_too_low or complaint_too_high:
            wrong.append((survey, text, low_csat, high_csat, low_nps, high_nps, n))
    assert not wrong


def test_the_surveys_are_imported_history_not_survey_files(
    demo_company: tuple[Path, DemoSummary], sql: duckdb.DuckDBPyConnection
) -> None:
    sources = sql.execute("SELECT DISTINCT source FROM surveys").fetchall()
    assert sources == [("import",)]
    assert list_surveys(demo_company[0]) == []
