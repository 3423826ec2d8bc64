"""The diagnosis page's verbatims card: the report's notes (comments in no topic, mixed topics, merged
topics, other languages) are on the card for every role that sees it, as in the CLI and the JSON twin."""

from __future__ import annotations

from typing import Any

import pytest
from markupsafe import escape


@pytest.mark.parametrize(
    ("who", "query"),
    [
        ("executive", "metric=csat&period=2025"),  # the company's comments
        ("executive", "metric=csat&scope=team&id=T-SUP&period=2024"),
        ("manager", "metric=csat&period=2025"),  # a manager's company view: their own team's comments
    ],
)
def test_the_verbatims_card_shows_the_reports_notes(clients: dict[str, Any], who: str, query: str) -> None:
    data = clients[who].get(f"/api/diagnosis?{query}").json()
    notes = data["verbatims"]["notes"]
    assert any("in no topic" in n for n in notes), notes
    page = clients[who].get(f"/diagnosis?{query}").text
    card = page[page.index("<h2>Verbatims") :]
    for note in notes:
        assert str(escape(note)) in card, note


def test_the_verbatims_card_marks_mixed_topics_with_an_example_of_each_side(clients: dict[str, Any]) -> None:
    # Support's comments of 2024: "OK, issue solved." beside "The issue came back a week after it was
    # closed." is one subject, both sides.
    query = "metric=csat&scope=team&id=T-SUP&period=2024"
    topics = clients["executive"].get(f"/api/diagnosis?{query}").json()["verbatims"]["topics"]
    mixed = [t for t in topics if t["mixed"]]
    assert mixed and all(t["other_examples"] for t in mixed), [(t["name"], t["negative"]) for t in topics]
    card = clients["executive"].get(f"/diagnosis?{query}").text
    for topic in mixed:
        assert f"Other side: {escape(topic['other_examples'][0])}" in card
