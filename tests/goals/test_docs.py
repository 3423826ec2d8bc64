"""The goal and scorecard docs cannot rot: every shipped benchmark, policy, flag and scorecard is in them."""

from __future__ import annotations

from pathlib import Path

from cxscore.goals import PolicyKind, load_benchmarks
from cxscore.goals.setting import FLAG_TEXT
from cxscore.metrics import load_catalog
from cxscore.scorecards import load_scorecards

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_shipped_benchmark_is_in_the_docs_table() -> None:
    page = (DOCS / "goals.md").read_text(encoding="utf-8")
    for row in load_benchmarks():
        lines = [line for line in page.splitlines() if line.startswith(f"| `{row.metric}` |")]
        assert any(row.segment in line or row.segment == "all" for line in lines), row
        assert any(str(row.year or "n.d.") in line and row.quality in line for line in lines), row


def test_every_policy_and_flag_is_documented() -> None:
    page = (DOCS / "goals.md").read_text(encoding="utf-8")
    concepts = (DOCS / "concepts" / "goal-policies.md").read_text(encoding="utf-8")
    for kind in PolicyKind:
        assert f"`{kind.value}`" in page and f"`{kind.value}`" in concepts
    for flag in FLAG_TEXT:
        assert f"| `{flag}` |" in page


def test_every_shipped_scorecard_is_documented() -> None:
    page = (DOCS / "scorecards.md").read_text(encoding="utf-8")
    for card in load_scorecards(None, frozenset(m.name for m in load_catalog())):
        assert f"| `{card.name}` |" in page
        assert f"{card.customer_share:.0%} |" in page.split(f"| `{card.name}` |", 1)[1].split("\n", 1)[0]
