"""The examples of docs/concepts/fair-rankings.md and docs/rewards.md run, so the pages cannot rot."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("page", ["concepts/fair-rankings.md", "rewards.md"])
def test_examples_run(page: str) -> None:
    result = doctest.testfile(str(DOCS / page), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0


def test_every_program_field_and_award_is_documented() -> None:
    from cxscore.rewards.programs import _FIELDS, AwardKind, load_programs

    page = (DOCS / "rewards.md").read_text(encoding="utf-8")
    for name in _FIELDS:
        assert f"| `{name}` |" in page, f"program field {name!r} is missing from docs/rewards.md"
    for kind in AwardKind:
        assert f"| `{kind.value}` |" in page, f"award {kind.value!r} is missing from docs/rewards.md"
    assert len(load_programs(None)) == 4 and "ships four" in page
