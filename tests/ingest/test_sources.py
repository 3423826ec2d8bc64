"""Messy real-world files load: BOM, CRLF and CR-only line ends, multi-line fields, Parquet, JSON Lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxscore.errors import ImportFileError, LoadError, MappingError
from cxscore.ingest import ImportOptions, import_files
from cxscore.store import Store

ROWS = (
    "response_id,responded_at,nps,comment{nl}"
    "R1,2025-01-02 10:00:00,9,fine{nl}"
    "R2,2025-01-03 11:00:00,3,slow{nl}"
)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
@pytest.mark.parametrize("bom", ["", "\ufeff"], ids=["plain", "bom"])
def test_line_endings_and_bom(store: Store, tmp_path: Path, newline: str, bom: str) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes((bom + ROWS.format(nl=newline)).encode("utf-8"))
    result = import_files(store, "responses", [path])
    assert (result.inserted, result.quarantined) == (2, 0)
    assert store.execute("SELECT nps FROM responses ORDER BY response_id").fetchall() == [(9,), (3,)]


def test_quoted_multiline_fields(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        'response_id,responded_at,comment\nR1,2025-01-02,"first line\nsecond, with comma"\n'
        "R2,2025-01-02,ok\n",
        encoding="utf-8",
    )
    result = import_files(store, "responses", [path])
    assert result.inserted == 2
    assert store.execute("SELECT comment FROM responses WHERE response_id = 'R1'").fetchone() == (
        "first line\nsecond, with comma",
    )


def test_malformed_line_is_quarantined_not_lost(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("product_id,name,line\natlas,Atlas,Platform\nbroken\nnova,Nova,Apps\n", encoding="utf-8")
    result = import_files(store, "products", [path])
    assert (result.rows_read, result.inserted, result.quarantined) == (3, 2, 1)
    reason, value = store.execute("SELECT reason, value FROM _quarantine").fetchone()
    assert reason.startswith("malformed line") and value == "broken"


def test_parquet(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    pq.write_table(
        pa.table({"response_id": ["R1"], "responded_at": ["2025-01-02 10:00:00"], "nps": [10]}), path
    )
    assert import_files(store, "responses", [path]).inserted == 1
    assert store.execute("SELECT nps FROM responses").fetchone() == (10,)


def test_json_lines(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    lines = [
        {"response_id": "R1", "responded_at": "2025-01-02", "nps": 7, "extra": True},
        {"response_id": "R2"},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    result = import_files(store, "responses", [path])
    assert (result.inserted, result.quarantined) == (1, 1)
    assert result.ignored_columns == {str(path): ("extra",)}


def test_a_folder_of_files(store: Store, tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("product_id,name\natlas,Atlas\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("product_id,name\nnova,Nova\n", encoding="utf-8")
    assert import_files(store, "products", [tmp_path]).inserted == 2


def test_mapping_and_constants(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("Id,When,Score\nR1,2025-01-02,8\n", encoding="utf-8")
    options = ImportOptions(
        mapping={"response_id": "Id", "responded_at": "When", "nps": "Score"}, constants={"language": "en"}
    )
    import_files(store, "responses", [path], options)
    assert store.execute("SELECT nps, language FROM responses").fetchone() == (8, "en")


def test_key_from_content_is_stable(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("responded_at,nps\n2025-01-02,8\n2025-01-03,9\n", encoding="utf-8")
    options = ImportOptions(key_from_content=True)
    assert import_files(store, "responses", [path], options).inserted == 2
    assert import_files(store, "responses", [path], options).unchanged == 2


def test_a_mapped_file_column_does_not_also_fill_the_table_column_of_its_name(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "stages.csv"
    path.write_text("Stage\nOrder\nFirst Payment\n", encoding="utf-8")
    options = ImportOptions(mapping={"touchpoint_id": "Stage", "name": "Stage"})
    result = import_files(store, "touchpoints", [path], options)
    # Matched by name too, the names would have gone into the integer `stage` and been quarantined.
    assert (result.inserted, result.quarantined) == (2, 0)
    assert store.execute("SELECT count(*) FROM touchpoints WHERE stage IS NULL").fetchone() == (2,)


def test_a_key_from_named_columns_lets_a_corrected_file_update_its_rows(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("When,Score,Comment\n2025-01-02,8,Quick\n2025-01-03,2,Slow\n", encoding="utf-8")
    options = ImportOptions(mapping={"responded_at": "When", "nps": "Score"}, key_from=("When", "Comment"))
    assert import_files(store, "responses", [path], options).inserted == 2
    assert import_files(store, "responses", [path], options).unchanged == 2
    path.write_text("When,Score,Comment\n2025-01-02,8,Quick\n2025-01-03,3,Slow \n", encoding="utf-8")
    corrected = import_files(store, "responses", [path], options)
    assert (corrected.inserted, corrected.updated, corrected.unchanged) == (0, 1, 1)
    assert store.execute("SELECT nps FROM responses ORDER BY responded_at").fetchall() == [(8,), (3,)]
    # Every value in the key: the corrected score was a new row beside the old one.
    content = ImportOptions(mapping={"responded_at": "When", "nps": "Score"}, key_from_content=True)
    assert import_files(store, "responses", [path], content).inserted == 2


def test_a_key_from_names_only_file_columns_and_only_when_the_key_is_missing(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "r.csv"
    path.write_text("When,Score\n2025-01-02,8\n", encoding="utf-8")
    mapping = {"responded_at": "When", "nps": "Score"}
    with pytest.raises(
        MappingError, match=r"--key-from names 'Time', which .* \(the file has: When, Score\)"
    ):
        import_files(store, "responses", [path], ImportOptions(mapping=mapping, key_from=("When", "Time")))
    keyed = tmp_path / "k.csv"
    keyed.write_text("response_id,responded_at\nR1,2025-01-02\n", encoding="utf-8")
    with pytest.raises(MappingError, match=r"--key-from responded_at is not needed. Drop --key-from"):
        import_files(store, "responses", [keyed], ImportOptions(key_from=("responded_at",)))
    with pytest.raises(MappingError, match=r"either --key-from-content .* or --key-from COLUMNS"):
        ImportOptions(key_from_content=True, key_from=("When",))
    assert ImportOptions.from_json(ImportOptions(key_from=("When",)).to_json()).key_from == ("When",)


def test_missing_key_column_says_how_to_map_it(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("when,score\n2025-01-02,8\n", encoding="utf-8")
    with pytest.raises(MappingError, match=r"--map response_id=FILE_COLUMN or pass --key-from FILE_COLUMNS"):
        import_files(store, "responses", [path])


def test_mapping_to_a_column_the_file_lacks(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("response_id,responded_at\nR1,2025-01-02\n", encoding="utf-8")
    with pytest.raises(MappingError, match=r"has no column 'Score' \(has: response_id, responded_at\)"):
        import_files(store, "responses", [path], ImportOptions(mapping={"nps": "Score"}))


def test_mapping_to_a_column_the_table_lacks(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("response_id,responded_at\nR1,2025-01-02\n", encoding="utf-8")
    with pytest.raises(MappingError, match=r"Table 'responses' has no column 'score'"):
        import_files(store, "responses", [path], ImportOptions(mapping={"score": "responded_at"}))


def test_unknown_file_type(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(ImportFileError, match=r"unknown file type '.xlsx'"):
        import_files(store, "responses", [path])


def test_a_bad_file_leaves_the_store_unchanged(store: Store, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("product_id,name\natlas,Atlas\n", encoding="utf-8")
    broken = tmp_path / "z.parquet"
    broken.write_bytes(b"not parquet at all")
    with pytest.raises(ImportFileError, match="Cannot read"):
        import_files(store, "products", [good, broken])
    assert store.count("products") == 0
    assert store.count("_imports") == 0


def test_a_nul_character_is_stored_on_duckdb_and_refused_whole_on_postgres(
    store: Store, tmp_path: Path, engine: str
) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(b"product_id,name\natlas,At\x00las\nnova,Nova\n")
    if engine == "duckdb":
        assert import_files(store, "products", [path]).inserted == 2
        return
    # PostgreSQL text cannot hold NUL: the import stops, names the record, and stores nothing.
    with pytest.raises(LoadError, match=rf"{path} record 1 has a NUL character \(\\0\) in name"):
        import_files(store, "products", [path])
    assert (store.count("products"), store.count("_imports")) == (0, 0)


@pytest.mark.spark
def test_a_spark_store_is_refused_with_the_way_out(spark_databases: Any, tmp_path: Path) -> None:
    session, database, folder = spark_databases.new()
    store = Store.spark(session, database=database, path=str(folder))
    path = tmp_path / "p.csv"
    path.write_text("product_id,name\natlas,Atlas\n", encoding="utf-8")
    try:
        with pytest.raises(LoadError, match=r"spark has none\. Import into a DuckDB or PostgreSQL store"):
            import_files(store, "products", [path])
    finally:
        store.close()
        spark_databases.drop(database, folder)
