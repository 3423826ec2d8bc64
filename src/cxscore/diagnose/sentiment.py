"""English sentiment of customer comments: a lexicon and rules in the spirit of VADER, measured on real data.

A comment is split into tokens (words, numbers, punctuation); multi-word expressions of the lexicon
(`cxscore.diagnose.lexicon`) are matched first, longest first. Then, for each opinion word or expression:

- an intensifier or diminisher just before it scales it ("very helpful", "a bit slow");
- a negator up to three tokens before it, in the same clause, flips it ("not helpful" -> negative,
  "no problems" -> positive, both dampened); a negator whose scope holds no opinion but something the
  customer expected ("never answered", "not connected", "no engineer") counts as negative by itself;
- after "but" or "however" it weighs 1.5 times, before them half; inside an "although ..." clause half;
- in capitals (when the comment is not all capitals) it weighs 1.3 times.

A few emoji count as words (thumbs up +1.5, angry face -1.5); "!" adds emphasis in the direction of the
sum. The sum s becomes s / sqrt(s^2 + 4) in [-1, 1] (VADER's compound score): positive above 0.05,
negative below -0.05, neutral between. How good it is, on which data, with which split:
docs/concepts/verbatims.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from cxscore.diagnose.lexicon import (
    CONCESSIVE,
    CONTRAST,
    EMOJI,
    EXCESS,
    EXPECTATIONS,
    INTENSIFIERS,
    NEGATORS,
    PHRASES,
    SPELLINGS,
    WORDS,
)

__all__ = ["Sentiment", "SentimentCheck", "check_sentiment", "sentiment"]

#: Scores above this are positive, below minus this negative, in between neutral.
THRESHOLD = 0.05
_TOKEN = re.compile(r"[A-Za-z][A-Za-z']*|\d+|[.!?;:,]")
# Apostrophes as typed, and as broken encodings leave them ("doesn�t").
_APOSTROPHE = re.compile("(?<=[A-Za-z])[\u2019\u2018`\u00b4\ufffd](?=[A-Za-z])")
_CLAUSE_END = frozenset(".!?;:,")
# For each word that starts an expression: the lengths of its expressions, longest first.
_LENGTHS: dict[str, tuple[int, ...]] = {
    first: tuple(sorted({len(p) for p in PHRASES if p[0] == first}, reverse=True))
    for first in {p[0] for p in PHRASES}
}


@dataclass(frozen=True)
class Sentiment:
    """A comment's score in [-1, 1] and its label: negative below -0.05, positive above 0.05, else neutral."""

    score: float
    label: str


@dataclass(frozen=True)
class _Unit:
    """A word or a matched expression: its lower-case words, valence, and whether typed in capitals."""

    words: tuple[str, ...]
    valence: float
    shouted: bool


def _units(text: str) -> list[_Unit]:
    raw = _TOKEN.findall(_APOSTROPHE.sub("'", text))
    lower = [SPELLINGS.get(t.lower().rstrip("'"), t.lower().rstrip("'")) for t in raw]
    mixed_case = sum(t.isupper() and len(t) > 1 for t in raw) < 0.5 * max(len(raw), 1)
    units, i = [], 0
    while i < len(lower):
        lengths = _LENGTHS.get(lower[i], ())
        size = next((n for n in lengths if tuple(lower[i : i + n]) in PHRASES), 1)
        words = tuple(lower[i : i + size])
        valence = PHRASES[words] if words in PHRASES else WORDS.get(words[0], 0.0)
        shouted = mixed_case and all(t.isupper() and len(t) > 1 for t in raw[i : i + size])
        units.append(_Unit(words, valence, shouted))
        i += size
    return units


def _clause_weights(units: Sequence[_Unit]) -> list[float]:
    """1.5 after the last "but"/"however", 0.5 before it; 0.5 inside an "although ..." clause."""
    weights = [1.0] * len(units)
    turns = [i for i, u in enumerate(units) if u.words[0] in CONTRAST and len(u.words) == 1]
    if turns:
        last = turns[-1]
        weights = [0.5 if i < last else 1.5 for i in range(len(units))]
    inside = False
    for i, unit in enumerate(units):
        if unit.words[0] in CONCESSIVE and len(unit.words) == 1:
            inside = True
        elif unit.words[0] in _CLAUSE_END:
            inside = False
        if inside:
            weights[i] *= 0.5
    return weights


def _negator_before(units: Sequence[_Unit], i: int) -> int | None:
    """The negator up to three units before `i` in its clause, with no opinion between them."""
    for j in range(i - 1, max(-1, i - 4), -1):
        first = units[j].words[0]
        if first in _CLAUSE_END or first in CONTRAST:
            return None
        if len(units[j].words) == 1 and first in NEGATORS:
            return j
        if units[j].valence:
            return None
    return None


def _scaled(units: Sequence[_Unit], i: int) -> float:
    """Unit `i`'s valence after the intensifiers before it, capitals and negation."""
    value = units[i].valence
    for j in range(i - 1, max(-1, i - 3), -1):
        word = units[j].words[0]
        if len(units[j].words) > 1 or word not in INTENSIFIERS:
            break
        value *= INTENSIFIERS[word]
    if units[i].shouted:
        value *= 1.3
    if _negator_before(units, i) is not None:
        value *= -0.75 if value > 0 else -0.5
    return value


def _unmet(units: Sequence[_Unit], j: int) -> bool:
    """Whether `j` is a negator that governs no opinion but something expected ("never answered")."""
    if units[j].words[0] not in NEGATORS or len(units[j].words) > 1:
        return False
    scope = []
    for unit in units[j + 1 : j + 4]:
        if unit.words[0] in _CLAUSE_END or unit.words[0] in CONTRAST:
            break
        scope.append(unit)
    return not any(u.valence for u in scope) and any(u.words[0] in EXPECTATIONS for u in scope)


def _excess(units: Sequence[_Unit], i: int) -> bool:
    """Whether `i` is a "too" before a plain word ("too early"), not an opinion, a stop or the end."""
    if units[i].words != (EXCESS,):
        return False
    following = units[i + 1] if i + 1 < len(units) else None
    return following is not None and not following.valence and following.words[0][0].isalpha()


def sentiment(text: str) -> Sentiment:
    """English sentiment: the lexicon's words and expressions (effort and friction phrases too), with
    negation, intensifiers, contrast ("but") and emphasis; the sum normalised as s / sqrt(s^2 + 4).

    >>> sentiment("Very helpful and friendly engineer").label, sentiment("Not helpful at all").label
    ('positive', 'negative')
    >>> sentiment("Too much effort to get a simple answer.").label
    'negative'
    >>> sentiment("The engineer was polite, but the broadband still doesn't work").label
    'negative'
    """
    units = _units(text)
    weights = _clause_weights(units)
    total = 0.0
    for i, unit in enumerate(units):
        if unit.valence:
            total += _scaled(units, i) * weights[i]
        elif _unmet(units, i) or _excess(units, i):
            total -= 1.0 * weights[i]
    total += sum(EMOJI.get(character, 0.0) for character in text)
    if total:
        bangs = min(text.count("!"), 4)
        total += (0.3 if total > 0 else -0.3) * bangs
    score = total / (total**2 + 4.0) ** 0.5
    label = "positive" if score > THRESHOLD else "negative" if score < -THRESHOLD else "neutral"
    return Sentiment(round(score, 4), label)


@dataclass(frozen=True)
class SentimentCheck:
    """How well the labels match known positive and negative comments (neutral counts as a miss).

    `balanced_accuracy` is the mean of the two recalls, so it does not reward labelling everything as
    the larger class; `neutral_*` are the shares of each class labelled neutral.
    """

    positives: int
    negatives: int
    accuracy: float
    balanced_accuracy: float
    recall_positive: float
    recall_negative: float
    neutral_positive: float
    neutral_negative: float


def check_sentiment(texts: Sequence[str], truths: Sequence[str]) -> SentimentCheck:
    """Compare `sentiment` with known labels ('positive', 'negative'; anything else is left out).

    >>> texts = ["Great, thanks", "Awful", "Fine", "It is a box"]
    >>> check = check_sentiment(texts, ["positive", "negative"] * 2)
    >>> check.positives, check.recall_positive, check.recall_negative, check.neutral_negative
    (2, 1.0, 0.5, 0.5)
    """
    pairs = [(sentiment(t).label, truth) for t, truth in zip(texts, truths, strict=True)]
    pos = [label for label, truth in pairs if truth == "positive"]
    neg = [label for label, truth in pairs if truth == "negative"]
    if not pos or not neg:
        raise ValueError("check_sentiment needs at least one positive and one negative comment.")
    hits_pos, hits_neg = pos.count("positive"), neg.count("negative")
    recall_pos, recall_neg = hits_pos / len(pos), hits_neg / len(neg)
    return SentimentCheck(
        len(pos),
        len(neg),
        (hits_pos + hits_neg) / (len(pos) + len(neg)),
        (recall_pos + recall_neg) / 2,
        recall_pos,
        recall_neg,
        pos.count("neutral") / len(pos),
        neg.count("neutral") / len(neg),
    )
