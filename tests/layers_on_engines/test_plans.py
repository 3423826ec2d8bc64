"""Incentive plans on PostgreSQL pay what they pay on DuckDB, to the cent (see conftest.py): the payout
statements of a quarter, one person's statement, the what-if of the proposed plan and the balance check."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from cxscore.plans import check, payouts, whatif
from cxscore.store import Project

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_the_payout_statements_of_a_quarter_are_the_same(
    duckdb_demo: Project, postgres_demo: Project, assert_same: Any
) -> None:
    on_duckdb = payouts(duckdb_demo.root, "2025-Q4")
    assert len(on_duckdb) >= 5 and sum(s.total for s in on_duckdb) > Decimal(100_000)
    on_postgres = payouts(postgres_demo.root, "2025-Q4")
    # Money is identical (Decimal, to the cent), and so is the hash of the input rows behind each statement.
    assert [(s.person_id, s.total) for s in on_duckdb] == [(s.person_id, s.total) for s in on_postgres]
    assert_same(on_duckdb, on_postgres)
    assert_same([s.to_dict() for s in on_duckdb], [s.to_dict() for s in on_postgres])
    assert_same([s.csv_rows() for s in on_duckdb], [s.csv_rows() for s in on_postgres])


def test_one_statement_by_hand_on_postgresql(postgres_demo: Project) -> None:
    # The statement tests/plans/test_demo.py checks by hand on DuckDB, here from PostgreSQL.
    (s,) = payouts(postgres_demo.root, "2025-Q4", "P-00027")
    assert [(x.component, x.amount) for x in s.lines] == [
        ("new_logos", Decimal("38435.86")),
        ("renewals", Decimal("25143.70")),
        ("expansion", Decimal("410.81")),
        ("nps_bonus", Decimal("0.00")),
    ]


def test_the_what_if_and_the_balance_check_are_the_same(
    duckdb_demo: Project, postgres_demo: Project, assert_same: Any
) -> None:
    # The balance check reads the NPS gap between promoters and detractors who renew: before the fix it
    # cast a boolean to double, which PostgreSQL refuses.
    plans = ("plans/proposed.yml", "plans/current.yml")
    on_duckdb = whatif(*plans, 2025, duckdb_demo.root)
    assert on_duckdb.total_current != on_duckdb.total_proposed
    assert_same(on_duckdb, whatif(*plans, 2025, postgres_demo.root))
    balances = check(duckdb_demo.root)
    assert balances and any(b.findings for b in balances)
    assert_same(balances, check(postgres_demo.root))
