"""The demo company is deterministic for a seed, refuses to overwrite data, and summarises itself."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from cxscore.demo import SIZES, TRUTHS, DemoSummary, generate
from cxscore.errors import DemoError
from cxscore.model import TABLES

from .conftest import SEED

HASHED = {
    "cases": "case_id",
    "responses": "response_id",
    "contracts": "contract_id",
    "memberships": "person_id, valid_from",
}


def fingerprint(database: Path) -> dict[str, str]:
    """An md5 of the full content of a few tables, in key order."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        return {
            name: con.execute(
                f"SELECT md5(string_agg(CAST(t AS VARCHAR), '|' ORDER BY {key})) FROM {name} t"
            ).fetchone()[0]
            for name, key in HASHED.items()
        }
    finally:
        con.close()


@pytest.mark.slow
def test_same_seed_same_company_other_seed_other_company(
    demo_company: tuple[Path, DemoSummary], tmp_path: Path
) -> None:
    root, summary = demo_company
    again = generate(tmp_path / "again", "small", SEED)
    generate(tmp_path / "other", "small", SEED + 1)
    assert again.rows == summary.rows
    assert fingerprint(tmp_path / "again" / "cxscore.duckdb") == fingerprint(root / "cxscore.duckdb")
    mine, theirs = fingerprint(root / "cxscore.duckdb"), fingerprint(tmp_path / "other" / "cxscore.duckdb")
    assert all(mine[name] != theirs[name] for name in HASHED)


def test_summary_counts_every_table_and_measures_every_truth(demo_company: tuple[Path, DemoSummary]) -> None:
    _, summary = demo_company
    assert list(summary.rows) == list(TABLES)
    assert all(count > 0 for count in summary.rows.values())
    assert summary.total_rows == sum(summary.rows.values())
    assert (summary.first_day, summary.last_day) == ("2023-01-01", "2025-12-31")
    assert [m.truth.number for m in summary.truths] == [t.number for t in TRUTHS] == [1, 2, 3, 4, 5, 6, 7]
    assert all(m.measured for m in summary.truths)
    data = json.loads(json.dumps(summary.as_dict()))
    assert data["rows"] == summary.rows and data["truths"][0]["measured"] == summary.truths[0].measured


def test_small_stays_small(demo_company: tuple[Path, DemoSummary]) -> None:
    _, summary = demo_company
    assert 200 <= summary.rows["accounts"] <= 1_000
    assert summary.rows["responses"] <= 50_000
    assert SIZES["medium"].accounts == 10 * SIZES["small"].accounts


def test_refuses_a_folder_with_data_unless_forced(
    demo_company: tuple[Path, DemoSummary], tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(DemoError, match="--force"):
        generate(tmp_path, "small", SEED)
    with pytest.raises(DemoError, match="There is no demo size 'huge'"):
        generate(tmp_path / "new", "huge", SEED)
