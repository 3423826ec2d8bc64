"""The shared public datasets import as a user would import them (skipped when the datasets are absent).

Each import must account for every row: stored, merged as an identical duplicate, or quarantined.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cxscore.ingest import ImportOptions, ImportResult, import_files
from cxscore.store import Store

pytestmark = pytest.mark.datasets


def accounted(result: ImportResult) -> None:
    assert result.rows_read == result.stored + result.duplicates + result.quarantined


def test_nps_verbatims(store: Store, datasets: Path) -> None:
    source = datasets / "nps_verbatims_textsummary" / "nps_verbatims.csv"
    stages = import_files(
        store,
        "touchpoints",
        [source],
        ImportOptions(mapping={"touchpoint_id": "SURVEY_SUB_TYPE", "name": "SURVEY_SUB_TYPE"}),
    )
    assert stages.inserted == 4
    options = ImportOptions(
        mapping={
            "responded_at": "CUSTOMER_RESPONSE_DATE",
            "nps": "NPS_SCORE",
            "comment": "text",
            "touchpoint_id": "SURVEY_SUB_TYPE",
        },
        day_first=True,
        key_from_content=True,
    )
    result = import_files(store, "responses", [source], options)
    accounted(result)
    assert result.rows_read == 2385 and result.quarantined == 0
    # The 32 responses without a score keep their comment; the score stays empty, not zero.
    assert store.execute("SELECT count(*) FROM responses WHERE nps IS NULL").fetchone() == (32,)
    assert import_files(store, "responses", [source], options).unchanged == result.inserted


def test_nps_verbatims_keyed_by_time_stage_and_comment_take_a_corrected_score_as_an_update(
    store: Store, datasets: Path, tmp_path: Path
) -> None:
    text = (datasets / "nps_verbatims_textsummary" / "nps_verbatims.csv").read_text(encoding="utf-8-sig")
    source = tmp_path / "nps.csv"
    source.write_text(text, encoding="utf-8")
    mapping = {"responded_at": "CUSTOMER_RESPONSE_DATE", "nps": "NPS_SCORE", "comment": "text"}
    options = ImportOptions(
        mapping=mapping, day_first=True, key_from=("CUSTOMER_RESPONSE_DATE", "SURVEY_SUB_TYPE", "text")
    )
    result = import_files(store, "responses", [source], options)
    accounted(result)
    # Two answers share their time, stage and comment ("STOP"), one with a score: both wait in the
    # quarantine for someone to keep one, rather than one silently winning.
    assert (result.inserted, result.quarantined) == (2383, 2)
    lines = text.splitlines(keepends=True)
    second = lines[2]
    assert ",Detractor,0," in second
    lines[2] = second.replace(",Detractor,0,", ",Detractor,3,", 1)
    source.write_text("".join(lines), encoding="utf-8")
    corrected = import_files(store, "responses", [source], options)
    assert (corrected.inserted, corrected.updated, corrected.unchanged) == (0, 1, 2382)
    assert store.execute("SELECT count(*) FROM responses").fetchone() == (2383,)


def test_ambiguous_dates_without_day_first_are_quarantined_with_the_fix(store: Store, datasets: Path) -> None:
    source = datasets / "nps_verbatims_textsummary" / "nps_verbatims.csv"
    options = ImportOptions(
        mapping={"responded_at": "CUSTOMER_RESPONSE_DATE", "nps": "NPS_SCORE"}, key_from_content=True
    )
    result = import_files(store, "responses", [source], options)
    accounted(result)
    assert result.quarantined == 2385
    (reason,) = store.execute("SELECT min(reason) FROM _quarantine").fetchone()
    assert "pass --day-first or --month-first" in reason


def test_telco_churn_bom_crlf(store: Store, datasets: Path) -> None:
    source = datasets / "telco_churn" / "WA_Fn-UseC_-Telco-Customer-Churn.csv"
    options = ImportOptions(mapping={"account_id": "customerID", "segment": "Contract", "region": "City"})
    result = import_files(store, "accounts", [source], options)
    accounted(result)
    assert (result.inserted, result.quarantined) == (7043, 0)
    assert store.execute("SELECT count(DISTINCT segment) FROM accounts").fetchone() == (3,)


def test_marketing_customer_value_cr_only(store: Store, datasets: Path) -> None:
    source = datasets / "ibm_marketing_customer_value" / "WA_Fn-UseC_-Marketing-Customer-Value-Analysis.csv"
    options = ImportOptions(mapping={"account_id": "Customer", "region": "State", "segment": "Coverage"})
    result = import_files(store, "accounts", [source], options)
    accounted(result)
    assert (result.inserted, result.quarantined) == (9134, 0)


def test_twitter_support_malformed_record_is_kept(store: Store, datasets: Path) -> None:
    source = datasets / "twitter_customer_support_sample" / "twcs_head_subset.csv"
    options = ImportOptions(
        mapping={"case_id": "tweet_id", "opened_at": "created_at"}, date_format="%a %b %d %H:%M:%S %z %Y"
    )
    result = import_files(store, "cases", [source], options)
    accounted(result)
    assert result.inserted >= 4990
    assert result.quarantined >= 1
    reasons = [r[0] for r in store.execute("SELECT reason FROM _quarantine").fetchall()]
    assert all(r.startswith("malformed line") for r in reasons)


def test_olist_reviews(store: Store, datasets: Path) -> None:
    source = datasets / "olist_sample" / "olist_order_reviews_dataset.csv"
    options = ImportOptions(
        mapping={
            "response_id": "review_id",
            "csat": "review_score",
            "comment": "review_comment_message",
            "responded_at": "review_answer_timestamp",
        },
        constants={"language": "pt"},
    )
    result = import_files(store, "responses", [source], options)
    accounted(result)
    assert result.stored > 5000
    assert store.execute("SELECT min(csat), max(csat) FROM responses").fetchone() == (1, 5)
