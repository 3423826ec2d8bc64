"""Survey definitions and answer checks: every problem reported, and nothing but clear errors on any input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxscore.errors import SurveyDefinitionError
from cxscore.surveys.answers import check_answers
from cxscore.surveys.api import define_survey, list_surveys, validate_surveys
from cxscore.surveys.definition import parse_survey

SURVEY = parse_survey(
    {
        "id": "s",
        "name": "S",
        "languages": ["en", "de"],
        "questions": [
            {"id": "nps", "kind": "nps", "required": True, "text": {"en": "A?", "de": "A?"}},
            {"id": "stars", "kind": "rating", "scale": 7, "text": {"en": "B?", "de": "B?"}},
            {"id": "pick", "kind": "choice", "choices": ["x", "y"], "text": {"en": "C?", "de": "C?"}},
        ],
    }
)

values = st.one_of(st.text(max_size=30), st.integers(-100, 100).map(str), st.sampled_from(["x", "y", " 7 "]))


@settings(max_examples=300, deadline=None)
@given(form=st.dictionaries(st.sampled_from(["nps", "stars", "pick", "comment", "other"]), values))
def test_answers_are_either_clean_values_in_range_or_named_problems(form: dict[str, str]) -> None:
    checked = check_answers(SURVEY, form, "de", final=True)
    assert set(checked.values).isdisjoint(checked.errors)
    assert "other" not in checked.values and "other" not in checked.errors
    if "nps" in checked.values:
        assert 0 <= int(checked.values["nps"]) <= 10
    if "stars" in checked.values:
        assert 1 <= int(checked.values["stars"]) <= 7
    if "pick" in checked.values:
        assert checked.values["pick"] in ("x", "y")
    if "nps" not in checked.values:
        assert checked.errors["nps"]  # required: an answer or a problem, never silence


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12))
anything = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    data=st.dictionaries(
        st.sampled_from(
            [
                "id",
                "name",
                "trigger",
                "questions",
                "languages",
                "follow_up",
                "credit",
                "layout",
                "expires_days",
                "comment",
                "anonymous",
                "title",
            ]
        ),
        anything,
    )
)
def test_any_mapping_parses_or_raises_the_definition_error(data: dict[str, object]) -> None:
    try:
        parse_survey(data)
    except SurveyDefinitionError as error:
        assert error.problems and all(str(p).startswith("<api>:") for p in error.problems)


def test_define_survey_writes_a_file_that_reads_back(tmp_path: Path) -> None:
    data = {
        "id": "renewal-nps",
        "name": "Renewal NPS",
        "trigger": "renewal",
        "delay_hours": 48,
        "questions": [{"id": "nps", "kind": "nps", "text": "Would you recommend us?", "required": True}],
        "follow_up": {"nps_at_most": 6, "due_hours": 24},
    }
    survey = define_survey(tmp_path, data)
    assert (tmp_path / "surveys" / "renewal-nps.yml").is_file()
    assert [s.id for s in list_surveys(tmp_path)] == ["renewal-nps"] and validate_surveys(tmp_path) == []
    assert (
        survey.credit == "account_owner" and survey.follow_up is not None and survey.follow_up.due_hours == 24
    )
    with pytest.raises(SurveyDefinitionError, match="question kind 'stars' is not one of"):
        define_survey(tmp_path, {**data, "questions": [{"id": "q", "kind": "stars", "text": "?"}]})
    assert [s.id for s in list_surveys(tmp_path)] == ["renewal-nps"]  # nothing written for a bad one


def test_translations_must_be_complete(tmp_path: Path) -> None:
    with pytest.raises(SurveyDefinitionError) as error:
        parse_survey(
            {
                "id": "s",
                "name": "S",
                "languages": ["en", "pt"],
                "questions": [{"id": "q", "kind": "csat", "text": {"en": "Happy?", "fr": "Content ?"}}],
            }
        )
    text = str(error.value)
    assert "has texts in fr, not in languages" in text and "has no text in pt; add it" in text
