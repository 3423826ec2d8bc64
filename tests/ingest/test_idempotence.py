"""Properties of import: re-importing changes nothing, order and batching do not matter, updates apply."""

from __future__ import annotations

import csv
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxscore.ingest import ImportOptions, ImportResult, import_files
from cxscore.ingest.importer import retry_quarantined
from cxscore.store import Store

HEADER = ["response_id", "responded_at", "nps", "csat", "comment", "anonymous"]

responses = st.lists(
    st.tuples(
        st.integers(1, 10_000).map(lambda i: f"R{i}"),
        st.datetimes(
            min_value=datetime(2020, 1, 1),
            max_value=datetime(2025, 12, 31),
        ).map(lambda d: d.replace(microsecond=0).isoformat(sep=" ")),
        st.one_of(st.just(""), st.integers(0, 10).map(str)),
        st.one_of(st.just(""), st.integers(1, 5).map(str)),
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30),
        st.sampled_from(["", "yes", "no", "true", "0"]),
    ),
    min_size=1,
    max_size=40,
    unique_by=lambda row: row[0],
)

SETTINGS = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def fresh_store() -> Store:
    store = Store.duckdb()
    store.create_schema()
    return store


def write(folder: Path, name: str, rows: list[Any]) -> Path:
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def contents(store: Store) -> list[tuple[Any, ...]]:
    return sorted(store.execute("SELECT * FROM responses").fetchall(), key=repr)


@SETTINGS
@given(rows=responses)
def test_importing_twice_changes_nothing(rows: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), "a.csv", rows)
        store = fresh_store()
        first = import_files(store, "responses", [path])
        before = contents(store)
        second = import_files(store, "responses", [path])
        assert contents(store) == before
        assert (second.inserted, second.updated, second.unchanged) == (0, 0, first.inserted)


@SETTINGS
@given(rows=responses, data=st.data())
def test_order_and_batches_do_not_matter(rows: list[Any], data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(rows))
    cut = data.draw(st.integers(0, len(rows)))
    with tempfile.TemporaryDirectory() as folder:
        whole, split = fresh_store(), fresh_store()
        import_files(whole, "responses", [write(Path(folder), "all.csv", rows)])
        import_files(split, "responses", [write(Path(folder), "one.csv", shuffled[:cut])])
        import_files(split, "responses", [write(Path(folder), "two.csv", shuffled[cut:])])
        assert contents(whole) == contents(split)


def test_a_corrected_file_updates_what_changed(store: Store, tmp_path: Path) -> None:
    rows = [
        ["R1", "2025-01-01 10:00:00", "9", "5", "great", "no"],
        ["R2", "2025-01-01 11:00:00", "3", "", "", ""],
    ]
    import_files(store, "responses", [write(tmp_path, "v1.csv", rows)])
    rows[1][2] = "4"
    result = import_files(store, "responses", [write(tmp_path, "v2.csv", rows)])
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 1)
    assert store.execute("SELECT nps FROM responses WHERE response_id = 'R2'").fetchone() == (4,)


def test_a_file_with_fewer_columns_patches_rows(store: Store, tmp_path: Path) -> None:
    import_files(
        store, "responses", [write(tmp_path, "v1.csv", [["R1", "2025-01-01 10:00:00", "9", "5", "ok", ""]])]
    )
    patch = tmp_path / "patch.csv"
    patch.write_text(
        "response_id,responded_at,comment\nR1,2025-01-01 10:00:00,updated comment\n", encoding="utf-8"
    )
    import_files(store, "responses", [patch])
    assert store.execute("SELECT nps, csat, comment FROM responses").fetchone() == (9, 5, "updated comment")


def test_requarantining_the_same_bad_file_does_not_duplicate(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", [["R1", "2025-01-01", "11", "", "", ""]])
    import_files(store, "responses", [path])
    import_files(store, "responses", [path])
    assert store.count("_quarantine") == 1


def test_retry_stores_rows_once_their_reference_exists(store: Store, tmp_path: Path) -> None:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("contact_id,account_id\nC1,A1\nC2,A2\n", encoding="utf-8")
    assert import_files(store, "contacts", [contacts]).quarantined == 2
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("account_id,name\nA1,Acme\n", encoding="utf-8")
    import_files(store, "accounts", [accounts])
    (result,) = retry_quarantined(store)
    assert (result.inserted, result.quarantined) == (1, 1)
    statuses = dict(store.execute("SELECT status, count(*) FROM _quarantine GROUP BY 1").fetchall())
    assert statuses == {"resolved": 1, "open": 1}
    assert store.execute("SELECT contact_id FROM contacts").fetchall() == [("C1",)]


def test_options_json_round_trip() -> None:
    options = ImportOptions(mapping={"nps": "Score"}, day_first=True, key_from_content=True)
    assert ImportOptions.from_json(options.to_json()) == options


#: Rows with every kind of trouble: scores out of range or not numbers, repeated ids (identical or not).
messy = st.lists(
    st.tuples(
        st.integers(1, 30).map(lambda i: f"R{i}"),
        st.sampled_from(["2025-01-02 10:00:00", "2025-01-02T10:00:00+02:00", "", "02/01/2025", "2999-01-01"]),
        st.sampled_from(["", "0", "7", "10", "11", "nine", " 9 "]),
        st.sampled_from(["", "1", "5", "6"]),
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=10),
        st.sampled_from(["", "yes", "maybe"]),
    ),
    min_size=1,
    max_size=30,
)


def counts(result: ImportResult) -> tuple[int, ...]:
    return (
        result.rows_read,
        result.inserted,
        result.updated,
        result.unchanged,
        result.duplicates,
        result.quarantined,
        result.resolved,
    )


def history(store: Store, folder: Path, first: list[Any], second: list[Any]) -> list[tuple[int, ...]]:
    """Import `first`, again, then `second` (a corrected export) and retry: what each step did."""
    one, two = write(folder, "one.csv", first), write(folder, "two.csv", second)
    done = [counts(import_files(store, "responses", [path])) for path in (one, one, two)]
    return done + [counts(r) for r in retry_quarantined(store)]


def quarantine(store: Store) -> list[tuple[Any, ...]]:
    return sorted(
        store.execute(
            "SELECT quarantine_id, file, line, column_name, value, reason, raw, status FROM _quarantine"
        ).fetchall()
    )


@pytest.mark.postgres
@SETTINGS
@given(first=messy, second=messy)
def test_duckdb_and_postgres_agree(postgres_server: Any, first: list[Any], second: list[Any]) -> None:
    database = postgres_server.create_database()
    duckdb, postgres = fresh_store(), Store.postgres(postgres_server.url(database))
    try:
        postgres.create_schema()
        with tempfile.TemporaryDirectory() as folder:
            assert history(postgres, Path(folder), first, second) == history(
                duckdb, Path(folder), first, second
            )
        assert contents(postgres) == contents(duckdb)
        assert quarantine(postgres) == quarantine(duckdb)
        imports = (
            "SELECT rows_read, inserted, updated, unchanged, duplicates, quarantined FROM _imports "
            "ORDER BY started_at"
        )
        assert postgres.execute(imports).fetchall() == duckdb.execute(imports).fetchall()
    finally:
        duckdb.close()
        postgres.close()
        postgres_server.drop_database(database)
