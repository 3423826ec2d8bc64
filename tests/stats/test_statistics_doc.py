"""docs/concepts/statistics.md cannot rot: its examples run here, and every public function is in it."""

from __future__ import annotations

import doctest
from pathlib import Path

import cxscore.stats

DOC = Path(__file__).resolve().parents[2] / "docs" / "concepts" / "statistics.md"
TYPE_ALIASES = {"FloatArray", "Interval", "Statistic"}


def test_every_example_in_the_doc_gives_the_printed_result() -> None:
    text = DOC.read_text(encoding="utf-8")
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, {}, DOC.name, str(DOC), 0)
    assert len(test.examples) >= 20, "the statistics doc lost its worked examples"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    output: list[str] = []
    result = runner.run(test, out=output.append)
    assert result.failed == 0, "".join(output)


def test_every_public_name_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in cxscore.stats.__all__ if name not in TYPE_ALIASES and f"`{name}" not in text]
    assert not missing, f"add these to {DOC.name}: {missing}"
