"""Message catalogues of the survey page and e-mails: one YAML file per language, the same keys in each.

>>> catalogue("de")["submit"]
'Antworten senden'
>>> text("en", "step", current=1, total=3)
'Question 1 of 3'
>>> catalogue("fr-CA") is catalogue("en")  # a language without a catalogue falls back to English
True
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

__all__ = ["LANGUAGES", "catalogue", "text"]

_FOLDER = Path(__file__).parent
LANGUAGES = tuple(sorted(p.stem for p in _FOLDER.glob("*.yml")))


@cache
def _load(language: str) -> dict[str, str]:
    data = yaml.safe_load((_FOLDER / f"{language}.yml").read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def catalogue(language: str) -> dict[str, str]:
    """The messages in `language` (or its base language, else English)."""
    for candidate in (language, language.split("-")[0].lower()):
        if candidate in LANGUAGES:
            return _load(candidate)
    return _load("en")


def text(language: str, key: str, **values: object) -> str:
    """One message, with `{name}` placeholders filled in."""
    return catalogue(language)[key].format(**values)
