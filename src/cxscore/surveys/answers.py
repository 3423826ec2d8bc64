"""Check the answers posted on a survey page against the survey, and turn them into stored rows.

Only the survey's own questions (and `comment`) are read from a form; anything else is ignored. Every
problem is reported, one per question, in the page's language.

>>> from cxscore.surveys.definition import parse_survey
>>> survey = parse_survey({"id": "s", "name": "S", "questions": [
...     {"id": "nps", "kind": "nps", "text": "Recommend?", "required": True}]})
>>> check_answers(survey, {"nps": "11"}, "en", final=True).errors
{'nps': 'Choose a value from 0 to 10.'}
>>> check_answers(survey, {"nps": " 9 ", "comment": "Great"}, "en", final=True).values
{'nps': '9', 'comment': 'Great'}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cxscore.surveys.definition import Question, Survey
from cxscore.surveys.messages import text

__all__ = ["COMMENT", "MAX_TEXT", "Checked", "check_answers", "question_ids"]

COMMENT = "comment"
#: Longest free-text answer accepted, in characters.
MAX_TEXT = 4000


@dataclass(frozen=True)
class Checked:
    """The cleaned answers (question id -> text) and the problem of each wrong one."""

    values: dict[str, str]
    errors: dict[str, str]


def question_ids(survey: Survey) -> list[str]:
    """Every field a survey's form has, in order (the comment last)."""
    return [q.id for q in survey.questions] + (
        [COMMENT] if survey.comment or _default_comment(survey) else []
    )


def _default_comment(survey: Survey) -> bool:
    # A survey without a `comment:` text still offers the comment unless it has a text question already.
    return not any(q.kind == "text" for q in survey.questions)


def check_answers(
    survey: Survey,
    form: Mapping[str, str],
    language: str,
    *,
    final: bool,
    only: Sequence[str] | None = None,
) -> Checked:
    """Check the answers in `form` to the questions `only` (default: all); `final` enforces `required`."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    wanted = only if only is not None else question_ids(survey)
    for question_id in wanted:
        raw = str(form.get(question_id, "") or "").strip()
        question = survey.question(question_id)
        if question_id == COMMENT and question is None:
            if len(raw) > MAX_TEXT:
                errors[question_id] = text(language, "error_long", limit=MAX_TEXT)
            elif raw:
                values[question_id] = raw
            continue
        if question is None:
            continue
        if not raw:
            if question.required and final:
                errors[question_id] = text(language, "error_required")
            continue
        problem = _problem(question, raw, language)
        if problem:
            errors[question_id] = problem
        else:
            values[question_id] = str(int(raw)) if question.scale else raw
    return Checked(values, errors)


def _problem(question: Question, raw: str, language: str) -> str | None:
    if question.scale:
        low, high = question.scale
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 3 and low <= int(raw) <= high):
            return text(language, "error_range", low=low, high=high)
        return None
    if question.kind == "choice":
        return None if raw in question.choices else text(language, "error_choice")
    if len(raw) > MAX_TEXT:
        return text(language, "error_long", limit=MAX_TEXT)
    return None
