"""Credit follows the date of the fact, rolls up the team hierarchy, and slices by any dimension."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from cxscore.errors import ConfigError
from cxscore.metrics import MetricEngine
from cxscore.metrics.loader import parse_text
from cxscore.store import Store

D = dt.date
T = dt.datetime


def load(store: Store, put: Any, responses: list[dict[str, Any]]) -> MetricEngine:
    put(
        store,
        "teams",
        [
            {"team_id": "CO", "name": "Company", "function": "executive"},
            {"team_id": "SUP", "name": "Support", "parent_team_id": "CO", "function": "support"},
            {"team_id": "SUP-A", "name": "Support A", "parent_team_id": "SUP", "function": "support"},
            {"team_id": "SUP-B", "name": "Support B", "parent_team_id": "SUP", "function": "support"},
            {"team_id": "SALES", "name": "Sales", "parent_team_id": "CO", "function": "sales"},
        ],
    )
    put(
        store,
        "memberships",
        [
            {"person_id": "P1", "team_id": "SUP-A", "role_id": "agent", "valid_from": D(2024, 1, 1),
             "valid_to": D(2025, 2, 14)},
            {"person_id": "P1", "team_id": "SUP-B", "role_id": "lead", "valid_from": D(2025, 2, 15)},
        ],
    )  # fmt: skip
    put(store, "responses", responses)
    return MetricEngine(store)


@pytest.fixture
def put() -> Any:
    from cxscore.model import TABLES
    from cxscore.store.store import ibis_schema

    def put(store: Store, name: str, rows: list[dict[str, Any]]) -> None:
        import pyarrow as pa

        schema = ibis_schema(TABLES[name]).to_pyarrow()
        store.load(
            name, pa.Table.from_pylist([{c: r.get(c) for c in schema.names} for r in rows], schema=schema)
        )

    return put


def by(result: pd.DataFrame, *keys: str) -> dict[Any, dict[str, Any]]:
    return {tuple(r[k] for k in keys): r for r in result.to_dict("records")}


def test_a_person_who_changed_teams_mid_quarter_credits_each_team_for_its_own_days(
    any_store: Store, put: Any
) -> None:
    engine = load(
        any_store,
        put,
        [
            {"response_id": "R1", "responded_at": T(2025, 2, 14, 23, 59), "nps": 10, "person_id": "P1"},
            {"response_id": "R2", "responded_at": T(2025, 2, 15, 0, 1), "nps": 0, "person_id": "P1"},
            {"response_id": "R3", "responded_at": T(2025, 3, 30, 12), "nps": 8, "person_id": "P1"},
        ],
    )
    result = by(engine.compute("nps", by=["team"], grain="quarter"), "scope_id")
    assert (result[("SUP-A",)]["n"], result[("SUP-A",)]["promoters"], result[("SUP-A",)]["detractors"]) == (
        1,
        1,
        0,
    )
    assert (result[("SUP-B",)]["n"], result[("SUP-B",)]["promoters"], result[("SUP-B",)]["detractors"]) == (
        2,
        0,
        1,
    )
    assert result[("SUP",)]["n"] == 3 and result[("CO",)]["n"] == 3
    assert ("SALES",) not in result  # a sibling gets nothing
    assert result[("SUP-B",)]["value"] == pytest.approx(-50.0)
    roles = by(engine.compute("nps", by=["person", "role"], grain="quarter"), "scope_id", "role")
    assert roles[("P1", "agent")]["n"] == 1 and roles[("P1", "lead")]["n"] == 2


def test_without_a_membership_the_fact_falls_back_to_its_team_column(any_store: Store, put: Any) -> None:
    engine = load(
        any_store,
        put,
        [
            {
                "response_id": "R1",
                "responded_at": T(2023, 6, 1),
                "nps": 10,
                "person_id": "P1",
                "team_id": "SALES",
            },
            {"response_id": "R2", "responded_at": T(2025, 6, 1), "nps": 10, "team_id": "SALES"},
            {"response_id": "R3", "responded_at": T(2025, 6, 1), "nps": 10},
        ],
    )
    teams = engine.compute("nps", by=["team"], grain="year")
    assert set(teams.scope_id) == {"SALES", "CO"}
    assert int(teams[teams.scope_id == "CO"].n.sum()) == 2  # R3 credits no team
    company = engine.compute("nps", grain="year")
    assert int(company.n.sum()) == 3  # but the company counts every fact


def test_a_cycle_in_the_hierarchy_is_an_error_naming_it(store: Store, put: Any) -> None:
    put(
        store,
        "teams",
        [
            {"team_id": "X", "name": "X", "parent_team_id": "Y", "function": "other"},
            {"team_id": "Y", "name": "Y", "parent_team_id": "X", "function": "other"},
        ],
    )
    with pytest.raises(ConfigError, match=r"cycle: X -> Y -> X"):
        MetricEngine(store).compute("nps", by=["team"])


def test_slicing_by_a_column_of_a_referenced_table(world: Any) -> None:
    answers = world.frames["responses"].dropna(subset=["nps"])
    segments = world.frames["accounts"].set_index("account_id").segment
    answers = answers.assign(segment=answers.account_id.map(segments))
    answers = answers.assign(
        period=[pd.Timestamp(t).to_period("Y").start_time.date() for t in answers.responded_at]
    )
    expected = answers.groupby(["segment", "period"]).size().to_dict()
    result = world.compute("nps", by=["segment"], grain="year")
    assert {(r["segment"], r["period"]): r["n"] for r in result.to_dict("records")} == expected


def test_slicing_by_team_and_a_column_of_the_source(world: Any) -> None:
    result = world.compute("reopen_rate", by=["team", "channel"], grain="year")
    assert set(result.channel) == {"email", "phone", "chat"}
    company = world.compute("reopen_rate", by=["channel"], grain="year")
    co = result[result.scope_id == "CO"].groupby("channel").n.sum()
    # every resolved case has an agent with a team or a team of its own: the company root sees all of them
    assert co.to_dict() == company.groupby("channel").n.sum().to_dict()


def test_unknown_dimension_is_an_error_with_the_choices(world: Any) -> None:
    with pytest.raises(ConfigError, match=r"cannot be sliced by 'colour'.*\(case_id, account_id"):
        world.compute("reopen_rate", by=["colour"])


def test_a_metric_without_attribution_cannot_be_sliced_by_team(world: Any) -> None:
    metric, problems = parse_text("name: cases\nkind: count\nsource: cases\ntime: opened_at\n", "cases.yml")
    assert metric is not None and not problems
    with pytest.raises(ConfigError, match=r"credits no person or team .* cannot be sliced by team"):
        world.engine.compute(metric, by=["team"])
    assert int(world.engine.compute(metric, grain="year").n.sum()) == len(world.frames["cases"])


def test_one_scope_at_a_time(world: Any) -> None:
    with pytest.raises(ConfigError, match="one scope at a time"):
        world.compute("nps", by=["team", "person"])


def test_overlapping_effective_dated_rows_are_reported(any_store: Store, put: Any) -> None:
    engine = load(any_store, put, [])
    assert engine.overlaps().empty  # P1 leaves SUP-A on 2025-02-14 and joins SUP-B on 2025-02-15
    put(
        any_store,
        "memberships",
        [{"person_id": "P2", "team_id": "SUP-A", "role_id": "agent", "valid_from": D(2024, 1, 1)},
         {"person_id": "P2", "team_id": "SALES", "role_id": "rep", "valid_from": D(2024, 6, 1),
          "valid_to": D(2024, 6, 30)}],
    )  # fmt: skip
    put(
        any_store,
        "account_owners",
        [{"account_id": "A1", "person_id": "R1", "valid_from": D(2024, 1, 1), "valid_to": D(2024, 3, 31)},
         {"account_id": "A1", "person_id": "R2", "valid_from": D(2024, 3, 31)}],
    )  # fmt: skip
    found = engine.overlaps().sort_values("table").reset_index(drop=True)
    assert found[["table", "key"]].values.tolist() == [["account_owners", "A1"], ["memberships", "P2"]]
    assert pd.Timestamp(found.loc[1, "second_from"]).date() == D(2024, 6, 1)
    assert pd.isna(found.loc[1, "first_to"])


def test_a_compiled_query_is_reused_and_still_reads_new_rows(store: Store, put: Any) -> None:
    answer = {"response_id": "R1", "responded_at": T(2025, 3, 3, 9), "nps": 10, "person_id": "P1"}
    engine = load(store, put, [answer])
    assert engine.compile("nps", by=["team"]) is engine.compile("nps", by=["team"])
    assert engine.compile("nps", by=["team"]) is not engine.compile("nps", by=["person"])
    assert engine.compute("nps", by=["person"]).n.tolist() == [1]
    put(store, "responses", [{**answer, "response_id": "R2", "nps": 0}])
    assert engine.compute("nps", by=["person"]).n.tolist() == [2]
