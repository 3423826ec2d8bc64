"""A small hand-made company, loaded once per engine per test module, and the same rows as pandas frames.

Tests compute their expected numbers from the frames with plain pandas (or by hand), independently of
the compiler. `WORLD_ENGINES` lists the engines the world is built on: duckdb, postgres and spark, so
every result test runs on all three (identical counts, values within 1e-9).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from cxscore.metrics import MetricEngine
from cxscore.model import TABLES
from cxscore.store import Store
from cxscore.store.store import ibis_schema

engines = sys.modules["cxscore_test_engines"]

#: The engines the world is built on: all three (skip some locally with CXSCORE_SKIP_ENGINES=spark,...).
WORLD_ENGINES: tuple[str, ...] = engines.ENGINES

D = dt.date
T = dt.datetime

#: The team hierarchy, by hand: every team with its ancestors (including itself).
ANCESTORS = {
    "CO": ["CO"],
    "SUP": ["SUP", "CO"],
    "SUP-A": ["SUP-A", "SUP", "CO"],
    "SUP-B": ["SUP-B", "SUP", "CO"],
    "SALES": ["SALES", "CO"],
    "PROD": ["PROD", "CO"],
    "EVENTS": ["EVENTS", "CO"],
    "BAKERY": ["BAKERY", "CO"],
    "PACKING": ["PACKING", "CO"],
}


def frame(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows of a canonical table as a DataFrame with every column of the model."""
    columns = TABLES[name].column_names
    return pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=list(columns))


def put(store: Store, name: str, rows: list[dict[str, Any]]) -> None:
    """Load rows (dicts; missing columns are empty) into a store's table."""
    schema = ibis_schema(TABLES[name]).to_pyarrow()
    store.load(name, pa.Table.from_pylist([{c: r.get(c) for c in schema.names} for r in rows], schema=schema))


def _teams() -> list[dict[str, Any]]:
    parents = {team: (chain[1] if len(chain) > 1 else None) for team, chain in ANCESTORS.items()}
    return [{"team_id": t, "name": t, "parent_team_id": p, "function": "other"} for t, p in parents.items()]


def _memberships() -> list[dict[str, Any]]:
    return [
        # P1 moves from SUP-A to SUP-B in the middle of 2025 Q1.
        {
            "person_id": "P1",
            "team_id": "SUP-A",
            "role_id": "agent",
            "valid_from": D(2023, 1, 1),
            "valid_to": D(2025, 2, 14),
        },
        {"person_id": "P1", "team_id": "SUP-B", "role_id": "lead", "valid_from": D(2025, 2, 15)},
        {"person_id": "P2", "team_id": "SUP-B", "role_id": "agent", "valid_from": D(2023, 1, 1)},
        {"person_id": "R1", "team_id": "SALES", "role_id": "rep", "valid_from": D(2023, 1, 1)},
        {"person_id": "R2", "team_id": "SALES", "role_id": "rep", "valid_from": D(2023, 1, 1)},
        {"person_id": "PM1", "team_id": "PROD", "role_id": "pm", "valid_from": D(2023, 1, 1)},
        {"person_id": "PM2", "team_id": "PROD", "role_id": "pm", "valid_from": D(2023, 1, 1)},
    ]


def _responses() -> list[dict[str, Any]]:
    rng = np.random.default_rng(7)
    days = pd.date_range("2024-01-01", "2025-06-30", freq="D")
    rows = []
    for i in range(400):
        person = ["P1", "P2", None][int(rng.integers(0, 3))]
        rows.append(
            {
                "response_id": f"R{i:04d}",
                "invitation_id": f"I{i:04d}" if i % 5 else None,
                "account_id": f"A{int(rng.integers(1, 7))}",
                "responded_at": (
                    days[int(rng.integers(0, len(days)))] + pd.Timedelta(hours=int(rng.integers(0, 24)))
                ).to_pydatetime(),
                "nps": None if i % 11 == 0 else int(rng.integers(0, 11)),
                "csat": None if i % 7 == 0 else int(rng.integers(1, 6)),
                "ces": int(rng.integers(1, 8)) if i % 3 else None,
                "anonymous": bool(i % 13 == 0),
                "touchpoint_id": ["delivery", "cake", None][i % 3],
                "person_id": person,
                "team_id": None if person else ("SUP-A" if i % 2 else None),
                "case_id": f"C{i % 40:03d}" if i % 4 == 0 else None,
            }
        )
    return rows


def _invitations(responses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for i in range(480):
        rows.append(
            {
                "invitation_id": f"I{i:04d}",
                "survey_id": "s",
                "sent_at": T(2024, 1, 1) + dt.timedelta(days=(i * 7) % 540),
                "credited_person_id": ["P1", "P2", None][i % 3],
                "credited_team_id": "SUP-A" if i % 3 == 2 else None,
            }
        )
    return rows


def _cases() -> list[dict[str, Any]]:
    rng = np.random.default_rng(11)
    rows = []
    for i in range(40):
        opened = T(2024, 10, 1) + dt.timedelta(days=int(rng.integers(0, 250)), hours=int(rng.integers(0, 24)))
        resolved = None if i % 9 == 0 else opened + dt.timedelta(hours=float(rng.integers(1, 200)))
        rows.append(
            {
                "case_id": f"C{i:03d}",
                "account_id": f"A{1 + i % 6}",
                "agent_id": ["P1", "P2"][i % 2] if i % 10 else None,
                "team_id": "SUP-A" if i % 10 == 0 else None,
                "channel": ["email", "phone", "chat"][i % 3],
                "opened_at": opened,
                "resolved_at": resolved,
                "reopen_count": int(rng.integers(0, 3)) if i % 4 == 0 else 0,
                "contacts_to_resolve": None if i % 8 == 0 else int(rng.integers(1, 4)),
            }
        )
    return rows


def _accounts() -> list[dict[str, Any]]:
    return [
        {
            "account_id": f"A{i}",
            "segment": ["enterprise", "smb"][i % 2],
            "region": ["EMEA", "AMER", "APAC"][i % 3],
        }
        for i in range(1, 7)
    ]


def _account_owners() -> list[dict[str, Any]]:
    # A1 changes owner from R1 to R2 on 2025-01-01.
    return [
        {"account_id": "A1", "person_id": "R1", "valid_from": D(2022, 1, 1), "valid_to": D(2024, 12, 31)},
        {"account_id": "A1", "person_id": "R2", "valid_from": D(2025, 1, 1)},
        *[
            {"account_id": f"A{i}", "person_id": "R1" if i % 2 else "R2", "valid_from": D(2022, 1, 1)}
            for i in range(2, 7)
        ],
    ]


def _contracts() -> list[dict[str, Any]]:
    def term(
        cid: str,
        account: str,
        kind: str,
        booked: dt.date,
        start: dt.date,
        arr: float,
        outcome: str,
        previous: str | None = None,
        person: str = "R1",
    ) -> dict[str, Any]:
        end = D(start.year + 1, start.month, start.day) - dt.timedelta(days=1)
        return {
            "contract_id": cid,
            "account_id": account,
            "kind": kind,
            "booked_on": booked,
            "start_date": start,
            "end_date": end,
            "arr": arr,
            "renewal_outcome": outcome,
            "previous_contract_id": previous,
            "credited_person_id": person,
        }

    return [
        term("K0", "A5", "new_business", D(2022, 12, 1), D(2023, 1, 1), 10.0, "churned"),  # ends 2023-12-31
        term(
            "K1", "A1", "new_business", D(2023, 12, 20), D(2024, 1, 1), 100.0, "expanded"
        ),  # ends 2024-12-31
        term("K1R", "A1", "renewal", D(2024, 12, 15), D(2025, 1, 1), 130.0, "pending", "K1"),
        term("K2", "A2", "new_business", D(2024, 1, 10), D(2024, 2, 1), 200.0, "churned", person="R2"),
        term("K3", "A3", "new_business", D(2024, 3, 5), D(2024, 4, 1), 50.0, "contracted"),
        term("K3R", "A3", "renewal", D(2025, 3, 20), D(2025, 4, 1), 40.0, "pending", "K3"),
        term(
            "K4", "A4", "new_business", D(2024, 2, 1), D(2024, 3, 1), 80.0, "renewed", person="R2"
        ),  # no successor row
        term("K5", "A5", "new_business", D(2024, 12, 1), D(2025, 1, 1), 60.0, "churned"),  # ends 2025-12-31
        term("K6", "A6", "new_business", D(2023, 11, 1), D(2024, 1, 1), 90.0, "churned", person="R2"),
        term("K6X", "A6", "expansion", D(2024, 6, 1), D(2024, 6, 1), 30.0, "pending", "K6", person="R2"),
        term("K1X", "A1", "expansion", D(2024, 7, 1), D(2024, 7, 1), 25.0, "pending", "K1"),
    ]


def _activities() -> list[dict[str, Any]]:
    return [
        {
            "activity_id": "X1",
            "account_id": "A1",
            "person_id": "R1",
            "kind": "call",
            "occurred_at": T(2024, 1, 5, 10),
        },  # K1 +16 days
        {
            "activity_id": "X2",
            "account_id": "A2",
            "person_id": "R2",
            "kind": "qbr",
            "occurred_at": T(2024, 3, 30, 10),
        },  # K2 +80
        {
            "activity_id": "X3",
            "account_id": "A3",
            "person_id": "R1",
            "kind": "meeting",
            "occurred_at": T(2024, 3, 6, 9),
        },  # K3 +1
        {
            "activity_id": "X4",
            "account_id": "A1",
            "person_id": "R2",
            "kind": "visit",
            "occurred_at": T(2025, 1, 10, 9),
        },  # K1R +26
        {
            "activity_id": "X5",
            "account_id": "A6",
            "person_id": "R2",
            "kind": "email",
            "occurred_at": T(2023, 10, 1, 9),
        },  # before K6
    ]


def _products() -> dict[str, list[dict[str, Any]]]:
    return {
        "product_versions": [
            {"product_id": "atlas", "version": "1", "released_on": D(2023, 1, 1)},
            {"product_id": "atlas", "version": "2", "released_on": D(2024, 3, 1)},
            {"product_id": "comet", "version": "1", "released_on": D(2023, 6, 1)},
            {"product_id": "comet", "version": "2", "released_on": D(2024, 9, 1)},
        ],
        "product_managers": [
            {
                "product_id": "atlas",
                "person_id": "PM1",
                "valid_from": D(2022, 1, 1),
                "valid_to": D(2024, 6, 30),
            },
            {"product_id": "atlas", "person_id": "PM2", "valid_from": D(2024, 7, 1)},
            {"product_id": "comet", "person_id": "PM2", "valid_from": D(2022, 1, 1)},
        ],
        "installations": [
            {"account_id": "A1", "product_id": "atlas", "version": "1", "installed_on": D(2023, 2, 1)},
            {
                "account_id": "A1",
                "product_id": "atlas",
                "version": "2",
                "installed_on": D(2024, 4, 10),
            },  # 40 days
            {"account_id": "A2", "product_id": "atlas", "version": "1", "installed_on": D(2023, 3, 1)},
            {
                "account_id": "A2",
                "product_id": "atlas",
                "version": "2",
                "installed_on": D(2024, 8, 28),
            },  # 180 days
            {
                "account_id": "A3",
                "product_id": "atlas",
                "version": "1",
                "installed_on": D(2023, 4, 1),
            },  # never
            {
                "account_id": "A4",
                "product_id": "atlas",
                "version": "2",
                "installed_on": D(2024, 2, 1),
            },  # beta: no opportunity
            {"account_id": "A4", "product_id": "atlas", "version": "1", "installed_on": D(2023, 4, 1)},
            {"account_id": "A5", "product_id": "comet", "version": "1", "installed_on": D(2023, 7, 1)},
            {
                "account_id": "A5",
                "product_id": "comet",
                "version": "2",
                "installed_on": D(2024, 9, 11),
            },  # 10 days
            {"account_id": "A6", "product_id": "comet", "version": "1", "installed_on": D(2023, 7, 1)},
            {
                "account_id": "A6",
                "product_id": "comet",
                "version": "2",
                "installed_on": D(2024, 10, 1),
            },  # 30 days
        ],
    }


def _events() -> dict[str, list[dict[str, Any]]]:
    events = [
        {
            "event_id": "S23",
            "series": "summit",
            "name": "Summit 2023",
            "starts_on": D(2023, 10, 1),
            "team_id": "EVENTS",
        },
        {
            "event_id": "S24",
            "series": "summit",
            "name": "Summit 2024",
            "starts_on": D(2024, 10, 1),
            "team_id": "EVENTS",
        },
        {
            "event_id": "M24",
            "series": "meetup",
            "name": "Meetup 2024",
            "starts_on": D(2024, 11, 5),
            "team_id": "EVENTS",
        },
    ]
    came = {"S23": ["a", "b", "c", "d"], "S24": ["a", "b", "e", "f", "g", "h"], "M24": ["a", "z"]}
    registrations = [
        {"event_id": e, "attendee_id": who, "attended": True} for e, people in came.items() for who in people
    ]
    registrations += [{"event_id": "S24", "attendee_id": "noshow", "attended": False}]
    talks = [
        {"submission_id": f"TS{i}", "event_id": "S24" if i < 5 else "S23", "by_customer": i % 2 == 0}
        for i in range(8)
    ]
    testimonials = [
        {
            "testimonial_id": "TM1",
            "account_id": "A1",
            "event_id": "S24",
            "recorded_on": D(2024, 10, 1),
            "format": "video",
        },
        {
            "testimonial_id": "TM2",
            "account_id": "A2",
            "event_id": "S24",
            "recorded_on": D(2024, 10, 2),
            "format": "quote",
        },
        {
            "testimonial_id": "TM3",
            "account_id": "A3",
            "event_id": "M24",
            "recorded_on": D(2024, 11, 5),
            "format": "quote",
        },
        {
            "testimonial_id": "TM4",
            "account_id": "A3",
            "event_id": None,
            "recorded_on": D(2024, 11, 9),
            "format": "review",
        },
    ]
    return {
        "events": events,
        "event_registrations": registrations,
        "talk_submissions": talks,
        "testimonials": testimonials,
    }


def _followups() -> list[dict[str, Any]]:
    """Follow-up tasks, by hand (see the expected numbers in test_builtin.py). Due 48 hours after opening."""

    def task(
        fid: str,
        account: str | None,
        person: str,
        team: str,
        opened: dt.datetime,
        contact_hours: float | None,
        outcome: str | None,
    ) -> dict[str, Any]:
        return {
            "followup_id": fid,
            "response_id": f"R-{fid}",
            "account_id": account,
            "reason": "detractor",
            "assignee_id": person,
            "team_id": team,
            "opened_at": opened,
            "due_at": opened + dt.timedelta(hours=48),
            "first_contact_at": None if contact_hours is None else opened + dt.timedelta(hours=contact_hours),
            "closed_at": None if outcome is None else opened + dt.timedelta(days=6),
            "outcome": outcome,
            "status": "closed" if outcome else "open",
        }

    today = dt.datetime.combine(dt.date.today(), dt.time(0, 30))
    return [
        task("F1", "A1", "R1", "SALES", T(2024, 3, 10, 10), 23, "resolved"),  # term K1: expanded
        task("F2", "A2", "R2", "SALES", T(2024, 5, 2, 8), 96, "not_resolved"),  # K2: churned; late
        task("F3", "A4", "R2", "SALES", T(2024, 6, 15, 12), None, "no_reply"),  # K4: renewed
        # Reassigned from R2 to P1 after opening: credited to P1 (and P1's team then), not to SALES.
        task("F10", "A2", "P1", "SALES", T(2024, 11, 20, 10), 24, "resolved"),  # K2: churned
        task("F4", "A3", "P1", "SUP-A", T(2025, 2, 10, 9), 6, "explained"),  # K3: contracted
        task("F5", "A3", "P1", "SUP-B", T(2025, 3, 1, 9), 36, None),  # K3; P1 moved to SUP-B
        task("F6", "A5", "P2", "SUP-B", T(2025, 4, 1, 10), None, "not_needed"),  # K5: churned
        task("F7", "A1", "P2", "SUP-B", T(2025, 5, 5, 10), 2, None),  # K1R: pending
        task("F8", None, "P2", "SUP-B", T(2025, 6, 1, 10), None, None),  # no account
        task("F9", "A6", "R2", "SALES", today, None, None),  # not due yet; A6 has no term
    ]


@dataclass
class World:
    """The hand-made company: its frames (for expected values) and an engine over a store holding it."""

    frames: dict[str, pd.DataFrame]
    engine: MetricEngine
    ancestors: dict[str, list[str]]

    def compute(self, metric: str, **query: Any) -> pd.DataFrame:
        return self.engine.compute(metric, **query)


def world_rows() -> dict[str, list[dict[str, Any]]]:
    responses = _responses()
    return {
        "teams": _teams(),
        "memberships": _memberships(),
        "accounts": _accounts(),
        "account_owners": _account_owners(),
        "responses": responses,
        "invitations": _invitations(responses),
        "cases": _cases(),
        "contracts": _contracts(),
        "activities": _activities(),
        "followups": _followups(),
        "touchpoint_teams": [
            {"touchpoint_id": "delivery", "team_id": "PACKING", "contribution": "owner"},
            {"touchpoint_id": "cake", "team_id": "BAKERY", "contribution": "owner", "weight": 0.7},
            {"touchpoint_id": "cake", "team_id": "PACKING", "contribution": "contributor", "weight": 0.3},
            # Listed, with no share of the credit: never credited.
            {"touchpoint_id": "delivery", "team_id": "SUP-A", "contribution": "informed", "weight": 0.0},
        ],
        **_products(),
        **_events(),
    }


@contextmanager
def _store(engine: str, request: pytest.FixtureRequest) -> Iterator[Store]:
    if engine in engines.skipped_engines():
        pytest.skip(f"{engine} is listed in {engines.SKIP_ENV}")
    if engine == "duckdb":
        store = Store.duckdb()
        cleanup: Callable[[], None] = lambda: None  # noqa: E731
    elif engine == "postgres":
        server = request.getfixturevalue("postgres_server")
        database = server.create_database()
        store = Store.postgres(server.url(database))
        cleanup = lambda: server.drop_database(database)  # noqa: E731
    else:
        databases = request.getfixturevalue("spark_databases")
        session, database, folder = databases.new()
        store = Store.spark(session, database=database, path=str(folder))
        cleanup = lambda: databases.drop(database, folder)  # noqa: E731
    try:
        store.create_schema()
        yield store
    finally:
        store.close()
        cleanup()


@pytest.fixture(
    scope="module", params=[pytest.param(e, marks=getattr(pytest.mark, e)) for e in WORLD_ENGINES]
)
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    """The hand-made company in a fresh store, once per engine per test module."""
    rows = world_rows()
    with _store(request.param, request) as store:
        for name, table_rows in rows.items():
            put(store, name, table_rows)
        frames = {name: frame(name, table_rows) for name, table_rows in rows.items()}
        yield World(frames, MetricEngine(store), ANCESTORS)


@pytest.fixture(scope="module")
def duckdb_world() -> Iterator[MetricEngine]:
    """The hand-made company on DuckDB, as the reference the other engines' results are compared with."""
    store = Store.duckdb()
    store.create_schema()
    for name, table_rows in world_rows().items():
        put(store, name, table_rows)
    yield MetricEngine(store)
    store.close()
