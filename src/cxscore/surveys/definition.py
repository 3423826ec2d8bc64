"""Survey definitions: what a survey asks, whom it goes to, when, and who is credited with the answer.

A survey is one YAML file in the project's `surveys/` folder (or a mapping given to `api.define_survey`).
Reading a folder reports *every* problem of every file, each with its file and line, before anything is
used (`SurveyDefinitionError.problems`).

>>> survey = parse_survey({"id": "q-nps", "name": "Quarterly NPS", "trigger": "relationship",
...                        "questions": [{"id": "nps", "kind": "nps", "text": "How likely ...?"}]})
>>> survey.kind, survey.credit, survey.questions[0].scale
('relationship', 'account_owner', (0, 10))
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cxscore.errors import SurveyDefinitionError
from cxscore.model.surveys import QUESTION_KINDS, TRIGGERS

__all__ = [
    "CREDITS",
    "Problem",
    "Question",
    "Survey",
    "load_surveys",
    "parse_survey",
    "read_survey_file",
]

#: Who each trigger credits by default; `credit:` in the file overrides it.
DEFAULT_CREDIT = {
    "relationship": "account_owner",
    "case_closed": "agent",
    "renewal": "account_owner",
    "event_attended": "event",
    "upgrade": "product_manager",
    "touchpoint": "touchpoint",
    "manual": "account_owner",
}
CREDITS = ("agent", "account_owner", "product_manager", "event", "touchpoint", "none")
#: Answer scales of the scored question kinds (`rating` defaults to 1-5, `scale: 7` changes it).
SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
LAYOUTS = ("one_page", "one_per_screen")
FIELDS = {
    "id": "stable id, lower case, digits, - and _",
    "name": "display name",
    "trigger": "what sends it: " + ", ".join(TRIGGERS),
    "delay_hours": "hours after the trigger before the invitation goes out (transactional)",
    "lookback_days": "how far back triggers are looked for on each send (transactional)",
    "every_days": "a contact gets this relationship survey at most once in this many days (90)",
    "credit": "who is credited: " + ", ".join(CREDITS),
    "touchpoint": "the touchpoint the survey asks about",
    "anonymous": "answers are reported for teams only, never linked to the person",
    "layout": "one_page or one_per_screen",
    "expires_days": "days a link stays valid",
    "reminder_after_days": "days without an answer before the one reminder (omit: no reminder)",
    "languages": "languages offered; the first is the default",
    "title": "the page title (text or {language: text})",
    "intro": "a sentence under the title",
    "questions": "the questions, in order",
    "comment": "the optional comment question's text",
    "follow_up": "when an answer opens a follow-up: {nps_at_most, csat_at_most, ces_at_most, due_hours}",
}
QUESTION_FIELDS = ("id", "kind", "text", "required", "choices", "scale", "low_label", "high_label")
FOLLOW_UP_FIELDS = ("nps_at_most", "csat_at_most", "ces_at_most", "due_hours")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class Problem:
    """One problem of a definition, with where it is."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Question:
    """One question; `text` maps a language to the question as the customer reads it."""

    id: str
    kind: str
    text: Mapping[str, str]
    required: bool = False
    choices: tuple[str, ...] = ()
    scale: tuple[int, int] | None = None
    low_label: Mapping[str, str] = field(default_factory=dict)
    high_label: Mapping[str, str] = field(default_factory=dict)

    def label(self, language: str) -> str:
        return _pick(self.text, language)


@dataclass(frozen=True)
class FollowUpRule:
    """Which answers open a follow-up task, and how soon the customer must be contacted."""

    nps_at_most: int | None = 6
    csat_at_most: int | None = 2
    ces_at_most: int | None = None
    due_hours: float = 48.0


@dataclass(frozen=True)
class Survey:
    """A validated survey definition."""

    id: str
    name: str
    kind: str
    trigger: str
    questions: tuple[Question, ...]
    credit: str
    languages: tuple[str, ...] = ("en",)
    title: Mapping[str, str] = field(default_factory=dict)
    intro: Mapping[str, str] = field(default_factory=dict)
    comment: Mapping[str, str] = field(default_factory=dict)
    touchpoint: str | None = None
    anonymous: bool = False
    layout: str = "one_page"
    delay_hours: float = 0.0
    lookback_days: int = 7
    every_days: int = 90
    expires_days: int = 14
    reminder_after_days: int | None = None
    follow_up: FollowUpRule | None = field(default_factory=FollowUpRule)
    file: str = ""

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def language_for(self, wanted: str | None) -> str:
        """The survey's language closest to `wanted` (`de-AT` gets `de`), else its first one."""
        if wanted:
            for candidate in (wanted, wanted.split("-")[0].lower()):
                if candidate in self.languages:
                    return candidate
        return self.languages[0]

    def title_in(self, language: str) -> str:
        return _pick(self.title, language) or self.name


def _pick(texts: Mapping[str, str], language: str) -> str:
    return texts.get(language) or next(iter(texts.values()), "")


# -- reading ----------------------------------------------------------------------------------------------


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping under the key `__line__`."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = {str(k): v for k, v in loader.construct_mapping(node, deep=True).items()}
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def read_survey_file(path: Path) -> tuple[Survey | None, list[Problem]]:
    """Read and validate one survey file: the survey, or None and every problem found."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        return None, [Problem(str(path), line, f"not valid YAML ({getattr(error, 'problem', error)}).")]
    if not isinstance(data, dict):
        return None, [Problem(str(path), 1, "a survey file holds a mapping with id, name and questions.")]
    return _Parser(str(path)).survey(data)


def load_surveys(root: Path) -> dict[str, Survey]:
    """Every survey in `root/surveys/` by id, or a SurveyDefinitionError with every problem of every file."""
    folder = root / "surveys"
    surveys: dict[str, Survey] = {}
    problems: list[Problem] = []
    files = sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]) if folder.is_dir() else []
    for path in files:
        survey, found = read_survey_file(path)
        problems += found
        if survey is None:
            continue
        if survey.id in surveys:
            problems.append(
                Problem(str(path), 1, f"survey id '{survey.id}' is also used by {surveys[survey.id].file}.")
            )
        surveys[survey.id] = survey
    if problems:
        raise SurveyDefinitionError(problems)
    return surveys


def parse_survey(data: Mapping[str, Any], file: str = "<api>") -> Survey:
    """Validate a survey given as a mapping (as the YAML file would hold it); raise with every problem."""
    survey, problems = _Parser(file).survey(dict(data))
    if survey is None:
        raise SurveyDefinitionError(problems)
    return survey


class _Parser:
    """Turns one file's mapping into a Survey, collecting every problem instead of stopping at the first."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, where: Mapping[str, Any], message: str) -> None:
        self.problems.append(Problem(self.file, int(where.get("__line__", 1)), message))

    def survey(self, data: dict[str, Any]) -> tuple[Survey | None, list[Problem]]:
        unknown = sorted(k for k in data if k not in FIELDS and k != "__line__")
        for key in unknown:
            self.problem(data, f"unknown field '{key}' (fields: {', '.join(FIELDS)}).")
        survey_id = self.identifier(data, "id", "survey")
        name = self.text(data, "name", required=True)
        trigger = str(data.get("trigger", "manual"))
        if trigger not in TRIGGERS:
            self.problem(data, f"trigger '{trigger}' is not one of {', '.join(TRIGGERS)}.")
        credit = str(data.get("credit", DEFAULT_CREDIT.get(trigger, "none")))
        if credit not in CREDITS:
            self.problem(data, f"credit '{credit}' is not one of {', '.join(CREDITS)}.")
        languages = self.languages(data)
        layout = str(data.get("layout", "one_page"))
        if layout not in LAYOUTS:
            self.problem(data, f"layout '{layout}' is not one of {', '.join(LAYOUTS)}.")
        questions = self.questions(data, languages)
        survey = Survey(
            id=survey_id,
            name=name,
            kind="relationship" if trigger == "relationship" else "transactional",
            trigger=trigger,
            questions=questions,
            credit=credit,
            languages=languages,
            title=self.texts(data, "title", languages),
            intro=self.texts(data, "intro", languages),
            comment=self.texts(data, "comment", languages),
            touchpoint=str(data["touchpoint"]) if data.get("touchpoint") else None,
            anonymous=self.flag(data, "anonymous"),
            layout=layout,
            delay_hours=self.number(data, "delay_hours", 0.0, 0, 24 * 365),
            lookback_days=int(self.number(data, "lookback_days", 7, 1, 3650)),
            every_days=int(self.number(data, "every_days", 90, 1, 3650)),
            expires_days=int(self.number(data, "expires_days", 14, 1, 365)),
            reminder_after_days=(
                int(self.number(data, "reminder_after_days", 3, 1, 365))
                if data.get("reminder_after_days") is not None
                else None
            ),
            follow_up=self.follow_up(data),
            file=self.file,
        )
        if survey.credit == "touchpoint" and not survey.touchpoint:
            self.problem(data, "credit 'touchpoint' needs 'touchpoint: ID' naming the touchpoint.")
        if self.problems:
            return None, self.problems
        return survey, []

    def identifier(self, data: Mapping[str, Any], key: str, what: str) -> str:
        value = str(data.get(key, "")).strip()
        if not value:
            self.problem(data, f"the {what} needs '{key}:' (lower case, digits, - and _).")
        elif not _ID.match(value):
            self.problem(data, f"{what} {key} '{value}' must be lower case letters, digits, - and _.")
        return value

    def text(self, data: Mapping[str, Any], key: str, required: bool = False) -> str:
        value = data.get(key)
        if value is None or not str(value).strip():
            if required:
                self.problem(data, f"'{key}:' is required.")
            return ""
        return str(value).strip()

    def texts(self, data: Mapping[str, Any], key: str, languages: tuple[str, ...]) -> dict[str, str]:
        """A text given as one string (the first language) or as {language: text}."""
        value = data.get(key)
        if value is None:
            return {}
        if isinstance(value, str):
            return {languages[0]: value.strip()}
        if isinstance(value, dict):
            texts = {str(k): str(v).strip() for k, v in value.items() if k != "__line__"}
            extra = sorted(set(texts) - set(languages))
            if extra:
                self.problem(value, f"'{key}' has texts in {', '.join(extra)}, not in languages.")
            missing = [lang for lang in languages if not texts.get(lang)]
            if missing:
                self.problem(value, f"'{key}' has no text in {', '.join(missing)}; add it.")
            return texts
        self.problem(data, f"'{key}' must be a text or a mapping of language to text, not {value!r}.")
        return {}

    def flag(self, data: Mapping[str, Any], key: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.problem(data, f"'{key}' must be true or false, not {value!r}.")
            return False
        return value

    def number(self, data: Mapping[str, Any], key: str, default: float, low: float, high: float) -> float:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            self.problem(data, f"'{key}' must be a number from {low:g} to {high:g}, not {value!r}.")
            return default
        return float(value)

    def languages(self, data: Mapping[str, Any]) -> tuple[str, ...]:
        value = data.get("languages", ["en"])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            self.problem(data, f"'languages' must be a list such as [en, de], not {value!r}.")
            return ("en",)
        bad = [str(v) for v in value if not _LANGUAGE.match(str(v))]
        if bad:
            self.problem(data, f"languages {', '.join(bad)} are not language tags such as en, de, pt-BR.")
        return tuple(str(v) for v in value)

    def questions(self, data: Mapping[str, Any], languages: tuple[str, ...]) -> tuple[Question, ...]:
        items = data.get("questions")
        if not isinstance(items, list) or not items:
            self.problem(data, "'questions' must list at least one question (e.g. {id: nps, kind: nps}).")
            return ()
        questions, seen = [], set()
        for item in items:
            if not isinstance(item, dict):
                self.problem(data, f"a question must be a mapping with id, kind and text, not {item!r}.")
                continue
            question = self.question(item, languages)
            if question.id in seen:
                self.problem(item, f"question id '{question.id}' appears twice; ids must differ.")
            seen.add(question.id)
            questions.append(question)
        for kind in SCALES:
            if sum(q.kind == kind for q in questions) > 1:
                self.problem(
                    data, f"a survey asks at most one '{kind}' question (it fills responses.{kind})."
                )
        return tuple(questions)

    def question(self, item: dict[str, Any], languages: tuple[str, ...]) -> Question:
        for key in sorted(k for k in item if k not in QUESTION_FIELDS and k != "__line__"):
            self.problem(item, f"unknown question field '{key}' (fields: {', '.join(QUESTION_FIELDS)}).")
        question_id = self.identifier(item, "id", "question")
        if question_id == "comment":
            self.problem(item, "question id 'comment' is reserved; use the survey's 'comment:' field.")
        kind = str(item.get("kind", ""))
        if kind not in QUESTION_KINDS:
            self.problem(item, f"question kind '{kind}' is not one of {', '.join(QUESTION_KINDS)}.")
        text = self.texts(item, "text", languages)
        if not text:
            self.problem(item, f"question '{question_id}' needs 'text:'.")
        choices: tuple[str, ...] = ()
        if kind == "choice":
            raw = item.get("choices")
            if not isinstance(raw, list) or len(raw) < 2:
                self.problem(item, f"choice question '{question_id}' needs 'choices:' with two or more.")
            else:
                choices = tuple(str(c) for c in raw)
        scale = SCALES.get(kind)
        if kind == "rating":
            top = self.number(item, "scale", 5, 2, 10)
            scale = (1, int(top))
        return Question(
            id=question_id,
            kind=kind,
            text=text,
            required=self.flag(item, "required"),
            choices=choices,
            scale=scale,
            low_label=self.texts(item, "low_label", languages),
            high_label=self.texts(item, "high_label", languages),
        )

    def follow_up(self, data: Mapping[str, Any]) -> FollowUpRule | None:
        value = data.get("follow_up", {})
        if value is False or value is None:
            return None
        if not isinstance(value, dict):
            self.problem(data, f"'follow_up' must be a mapping or false, not {value!r}.")
            return None
        for key in sorted(k for k in value if k not in FOLLOW_UP_FIELDS and k != "__line__"):
            self.problem(value, f"unknown follow_up field '{key}' (fields: {', '.join(FOLLOW_UP_FIELDS)}).")
        rule = FollowUpRule()
        limits = {}
        for key, kind in (("nps_at_most", "nps"), ("csat_at_most", "csat"), ("ces_at_most", "ces")):
            default = getattr(rule, key)
            given = value.get(key, default)
            low, high = SCALES[kind]
            if given is not None and (
                isinstance(given, bool) or not isinstance(given, int) or not low <= given <= high
            ):
                self.problem(value, f"'{key}' must be a whole number from {low} to {high}, not {given!r}.")
                given = default
            limits[key] = given
        due = self.number(value, "due_hours", 48.0, 1, 24 * 90)
        return FollowUpRule(due_hours=due, **limits)
