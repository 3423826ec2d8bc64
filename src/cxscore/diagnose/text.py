"""Plain-text tools for verbatims, offline: masking personal data, guessing the language, English sentiment.

Nothing is downloaded: the stopword lists and the sentiment lexicon are written here. The sentiment is a
lexicon score with negation and intensifiers, in the spirit of VADER (Hutto and Gilbert 2014) but with its
own, small, customer-service vocabulary; it is for English only. Other languages are detected and left
unscored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["STOPWORDS", "Sentiment", "detect_language", "mask_personal_data", "sentiment", "tokens"]

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# A run of digits with the usual separators, holding 7 or more digits: phone numbers in any format.
_PHONE = re.compile(r"(?<![\w])(?:\+|00)?[\d][\d\s().-]{5,}\d(?![\w])")
# Words, and version numbers such as 3.2 (customers name the release that hurts them).
_WORD = re.compile(r"[a-zà-ÿ][a-zà-ÿ']*|\d+(?:\.\d+)+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def mask_personal_data(text: str) -> str:
    """Replace e-mail addresses and phone numbers by [email] and [phone].

    >>> mask_personal_data("Mail jo.doe@example.com or call +44 20 7946 0958, ref 2024.")
    'Mail [email] or call [phone], ref 2024.'
    """
    masked = _EMAIL.sub("[email]", text)
    return _PHONE.sub(lambda m: "[phone]" if sum(c.isdigit() for c in m.group()) >= 7 else m.group(), masked)


def tokens(text: str) -> list[str]:
    """Lower-case words (letters and apostrophes) and version numbers, for topics and sentiment.

    >>> tokens("Didn't work in 3.2, AT ALL!")
    ["didn't", 'work', 'in', '3.2', 'at', 'all']
    """
    return _WORD.findall(text.lower())


_EN = _words(
    """a about above after again against all am an and any are aren't as at be because been before being
    below between both but by can can't could couldn't did didn't do does doesn't doing don't down during
    each few for from further had hadn't has hasn't have haven't having he her here hers herself him himself
    his how i i'm i've if in into is isn't it it's its itself just let's me more most my myself no nor not
    of off on once only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too under until up very
    was wasn't we were weren't what when where which while who whom why will with won't would you your
    yours yourself also get got us still even much really one would could thank thanks"""
)
_PT = _words(
    """a ao aos as até com como da das de dela dele do dos e ela ele eles em entre era essa esse esta este
    eu foi for foram há isso isto já lhe mais mas me meu minha muito na nas nem no nos nós o os ou para
    pela pelo por qual quando que se sem ser seu sua são só também te tem tinha um uma você vocês não sim
    estou está ainda foi ter produto"""
)
_ES = _words("el la los las y en de que por para con una es pero muy del al lo su no")
_FR = _words("le la les et en de que pour avec une est mais très du au des pas je")
_DE = _words("der die das und in zu den mit ist nicht ein eine ich sehr auf für")
#: Stopwords per language code, also used to drop function words from topics.
STOPWORDS: dict[str, frozenset[str]] = {"en": _EN, "pt": _PT, "es": _ES, "fr": _FR, "de": _DE}
_MARKERS = {
    "en": _words("the and is was to it of you my not with have very but they this"),
    "pt": _words("o e é foi não de que com muito mas produto para um uma do da chegou"),
    "es": _ES - {"de", "que", "no", "para", "con", "una", "la", "en"},
    "fr": _FR - {"de", "que", "en", "la", "est"},
    "de": _DE - {"die", "in"},
}


def detect_language(text: str) -> str:
    """The language of a comment from its function words: en, pt, es, fr, de, or 'und' when unclear.

    >>> detect_language("The engineer was very helpful"), detect_language("Chegou antes do prazo, muito bom")
    ('en', 'pt')
    """
    words = tokens(text)
    hits = {code: sum(w in marker for w in words) for code, marker in _MARKERS.items()}
    best = max(hits, key=lambda code: hits[code])
    if hits[best] == 0 or sorted(hits.values())[-2] == hits[best]:
        return _accents(text) if hits[best] == 0 else "und"
    return best


def _accents(text: str) -> str:
    """Short comments without function words: content words and accents decide."""
    words = set(tokens(text))
    if re.search(r"[ãõçáéíóúâêô]", text.lower()) or words & _PT_CONTENT:
        return "pt"
    if words & (_POSITIVE | _NEGATIVE | _EN_CONTENT):
        return "en"
    return "und"


_EN_CONTENT = _words(
    """service customer engineer staff experience overall price broadband internet installation order
    delivery payment bill router connection speed support team product process website app so far"""
)
_PT_CONTENT = _words(
    """otimo ótimo bom boa recebi entrega prazo recomendo chegou rapido rápido excelente adorei loja
    obrigado obrigada veio certo antes ainda nao recebido pedido"""
)


_POSITIVE = _words(
    """good great excellent amazing awesome brilliant fantastic perfect love loved lovely happy pleased
    helpful friendly polite professional quick quickly fast easy easily smooth simple efficient efficiently
    reliable recommend recommended satisfied superb outstanding wonderful nice fine best better solved
    resolved fixed thank thanks thankful appreciate appreciated kind patient knowledgeable clear courteous
    prompt promptly responsive seamless painless impressed impressive pleasant stable improved fair
    affordable value worth glad delighted excellent exceptional super straightforward accurate informative
    competent reassuring sorted speedy timely convenient flawless positive well"""
)
_NEGATIVE = _words(
    """bad poor terrible awful horrible worst worse slow slowly late delay delayed delays waiting wait waited
    problem problems issue issues broken broke crash crashes crashing crashed bug bugs buggy error errors
    fail failed failure fails faulty wrong rude unhelpful useless disappointed disappointing disappointment
    frustrated frustrating frustration annoying annoyed angry confusing confused complicated difficult hard
    expensive overcharged unreliable unstable outage outages down lost missing never nobody nothing
    cancel cancelled complaint complain complained unacceptable incompetent ignored lack lacking hassle
    stuck unresolved reopened again disconnected dropped dropping drops nightmare shocking pathetic mess
    charged incorrect inaccurate misleading rubbish appalling dreadful painful chasing chase
    unanswered unprofessional sucks hate hated"""
)
_NEGATORS = _words(
    "not no never don't didn't doesn't isn't wasn't aren't weren't won't can't couldn't hardly"
)
_INTENSIFIERS = {"very": 1.5, "really": 1.4, "extremely": 1.8, "so": 1.3, "super": 1.5, "totally": 1.5}


@dataclass(frozen=True)
class Sentiment:
    """A comment's lexicon score in [-1, 1] and its label (negative below -0.05, positive above 0.05)."""

    score: float
    label: str


def sentiment(text: str) -> Sentiment:
    """English sentiment: each lexicon word +1 or -1, flipped after a negator within three words, scaled
    by an intensifier before it; the sum normalised as s / sqrt(s^2 + 4) (as VADER's compound score).

    >>> sentiment("Very helpful and friendly engineer").label, sentiment("Not helpful at all").label
    ('positive', 'negative')
    """
    words = tokens(text)
    total = 0.0
    for i, word in enumerate(words):
        polarity = 1.0 if word in _POSITIVE else -1.0 if word in _NEGATIVE else 0.0
        if not polarity:
            continue
        if i and words[i - 1] in _INTENSIFIERS:
            polarity *= _INTENSIFIERS[words[i - 1]]
        if any(w in _NEGATORS for w in words[max(0, i - 3) : i]) and word not in _NEGATORS:
            polarity *= -0.75
        total += polarity
    score = total / (total**2 + 4.0) ** 0.5
    label = "positive" if score > 0.05 else "negative" if score < -0.05 else "neutral"
    return Sentiment(round(score, 4), label)
