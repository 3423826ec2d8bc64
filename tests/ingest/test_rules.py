"""One test per validation rule: the row is quarantined with a reason that names column, value and fix."""

from __future__ import annotations

from typing import Any

import pytest

from cxscore.store import Store

RESPONSE = ["response_id", "responded_at", "nps", "csat", "ces", "anonymous"]


def test_good_row_is_stored(load: Any, store: Store) -> None:
    result = load("responses", RESPONSE, [["R1", "2025-01-02 10:00:00", "9", "5", "7", "no"]])
    assert (result.inserted, result.quarantined) == (1, 0)
    row = store.execute("SELECT nps, csat, ces, anonymous, responded_at FROM responses").fetchone()
    assert row[:4] == (9, 5, 7, False)
    assert str(row[4]) == "2025-01-02 10:00:00"


def test_out_of_range_nps_is_quarantined(load: Any, reasons: Any) -> None:
    result = load("responses", RESPONSE, [["R1", "2025-01-02", "11", "", "", ""]])
    assert result.quarantined == 1
    assert reasons() == ["nps: 11 is above the maximum 10"]


def test_below_minimum(load: Any, reasons: Any) -> None:
    load("responses", RESPONSE, [["R1", "2025-01-02", "", "0", "", ""]])
    assert reasons() == ["csat: 0 is below the minimum 1"]


def test_not_a_number(load: Any, reasons: Any) -> None:
    load("responses", RESPONSE, [["R1", "2025-01-02", "nine", "", "", ""]])
    assert reasons() == ["nps: 'nine' is not a whole number"]


def test_fraction_where_whole_number_needed(load: Any, reasons: Any) -> None:
    load(
        "responses",
        RESPONSE,
        [["R1", "2025-01-02", "7.5", "", "", ""], ["R2", "2025-01-02", "7.0", "", "", ""]],
    )
    assert reasons() == ["nps: '7.5' is not a whole number"]


def test_required_field_missing(load: Any, reasons: Any) -> None:
    load("responses", RESPONSE, [["R1", "  ", "9", "", "", ""]])
    assert reasons() == ["responded_at is required but empty; fill it in"]


def test_bad_boolean(load: Any, reasons: Any) -> None:
    load("responses", RESPONSE, [["R1", "2025-01-02", "", "", "", "maybe"]])
    assert reasons() == ["anonymous: 'maybe' is not true/false (or yes/no, 1/0)"]


def test_choice_outside_the_list(load: Any, reasons: Any) -> None:
    load("teams", ["team_id", "name", "function"], [["T1", "Support", "sorcery"]])
    assert reasons()[0].startswith("function: sorcery is not one of sales, account_management, support")


def test_choice_is_matched_ignoring_case_and_spaces(load: Any, store: Store) -> None:
    load("teams", ["team_id", "name", "function"], [["T1", "AM", "Account Management"]])
    assert store.execute("SELECT function FROM teams").fetchone() == ("account_management",)


def test_future_timestamp(load: Any, reasons: Any) -> None:
    load("responses", RESPONSE, [["R1", "2999-01-01 00:00:00", "9", "", "", ""]])
    assert reasons() == ["responded_at: 2999-01-01 00:00:00 is in the future; check the date or clock"]


def test_resolved_before_opened(load: Any, reasons: Any) -> None:
    load(
        "cases",
        ["case_id", "opened_at", "resolved_at"],
        [["C1", "2025-03-05 10:00:00", "2025-03-04 09:00:00"]],
    )
    assert reasons() == [
        "resolved_at (2025-03-04 09:00:00) is before opened_at (2025-03-05 10:00:00); fix one of the two"
    ]


def test_unknown_reference(load: Any, reasons: Any) -> None:
    load("contacts", ["contact_id", "account_id"], [["C1", "A-404"]])
    assert reasons() == [
        "account_id: 'A-404' is not in accounts.account_id; import it into accounts first, "
        "then run `cxscore quarantine retry`"
    ]


def test_reference_to_a_row_of_the_same_file(load: Any, store: Store) -> None:
    result = load(
        "teams",
        ["team_id", "name", "function", "parent_team_id"],
        [["T-SUP-EMEA", "Support EMEA", "support", "T-SUP"], ["T-SUP", "Support", "support", ""]],
    )
    assert (result.inserted, result.quarantined) == (2, 0)


def test_conflicting_duplicate_keys_are_all_quarantined(load: Any, reasons: Any, store: Store) -> None:
    result = load("products", ["product_id", "name"], [["atlas", "Atlas"], ["atlas", "Atlas Pro"]])
    assert (result.inserted, result.quarantined) == (0, 2)
    assert "appears on records 1, 2 of this import with different values" in reasons()[0]
    # Each shows the key it shares (the value column), as a bad score shows the score.
    found = store.execute("SELECT column_name, value FROM _quarantine ORDER BY line").fetchall()
    assert found == [("product_id", "atlas"), ("product_id", "atlas")]


def test_identical_duplicates_are_stored_once(load: Any) -> None:
    result = load("products", ["product_id", "name"], [["atlas", "Atlas"], ["atlas", "Atlas"]])
    assert (result.inserted, result.duplicates, result.quarantined) == (1, 1, 0)


def test_every_problem_of_a_row_is_reported(load: Any, reasons: Any) -> None:
    load("responses", RESPONSE, [["R1", "", "11", "9", "", ""]])
    assert reasons() == [
        "responded_at is required but empty; fill it in; nps: 11 is above the maximum 10; "
        "csat: 9 is above the maximum 5"
    ]


def test_ambiguous_dates_ask_for_the_order(load: Any, reasons: Any) -> None:
    load("responses", RESPONSE, [["R1", "11/04/2018 20:09", "", "", "", ""]])
    assert "day and month order is ambiguous: pass --day-first or --month-first" in reasons()[0]


@pytest.mark.parametrize(
    ("option", "expected"),
    [({"day_first": True}, "2018-04-11 20:09:00"), ({"month_first": True}, "2018-11-04 20:09:00")],
)
def test_day_first_and_month_first(load: Any, store: Store, option: dict[str, bool], expected: str) -> None:
    load("responses", RESPONSE, [["R1", "11/04/2018 20:09", "", "", "", ""]], **option)
    assert str(store.execute("SELECT responded_at FROM responses").fetchone()[0]) == expected


@pytest.mark.parametrize(
    ("written", "utc"),
    [
        ("2025-01-02T10:00:00+02:00", "2025-01-02 08:00:00"),
        ("2025-01-02 10:00:00-05:00", "2025-01-02 15:00:00"),
        ("2025-01-02T10:00:00Z", "2025-01-02 10:00:00"),
        ("2025-01-02T10:00:00", "2025-01-02 10:00:00"),
        ("2025-01-02", "2025-01-02 00:00:00"),
    ],
)
def test_offsets_are_converted_to_utc(load: Any, store: Store, written: str, utc: str) -> None:
    load("responses", RESPONSE, [["R1", written, "", "", "", ""]])
    assert str(store.execute("SELECT responded_at FROM responses").fetchone()[0]) == utc


def test_explicit_date_format(load: Any, store: Store) -> None:
    load(
        "responses",
        RESPONSE,
        [["R1", "Tue Oct 31 22:10:47 +0000 2017", "", "", "", ""]],
        date_format="%a %b %d %H:%M:%S %z %Y",
    )
    assert str(store.execute("SELECT responded_at FROM responses").fetchone()[0]) == "2017-10-31 22:10:47"


def test_blank_numerics_are_empty_not_zero(load: Any, store: Store) -> None:
    load("responses", RESPONSE, [["R1", "2025-01-02", " ", "", "", ""]])
    assert store.execute("SELECT nps FROM responses").fetchone() == (None,)
