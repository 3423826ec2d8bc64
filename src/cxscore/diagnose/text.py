"""Plain-text tools for verbatims, offline: masking personal data, guessing the language, English sentiment.

Nothing is downloaded: the stopword lists are written here, the sentiment lexicon in
`cxscore.diagnose.lexicon` and its rules in `cxscore.diagnose.sentiment` (re-exported here). Sentiment
is for English only; other languages are detected and left unscored.
"""

from __future__ import annotations

import re

from cxscore.diagnose.lexicon import WORDS
from cxscore.diagnose.sentiment import Sentiment, sentiment

__all__ = ["STOPWORDS", "Sentiment", "detect_language", "mask_personal_data", "sentiment", "tokens"]

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# A run of digits with the usual separators, holding 7 or more digits: phone numbers in any format.
_PHONE = re.compile(r"(?<![\w])(?:\+|00)?[\d][\d\s().-]{5,}\d(?![\w])")
# Words, and version numbers such as 3.2 (customers name the release that hurts them).
_WORD = re.compile(r"[a-zà-ÿ][a-zà-ÿ']*|\d+(?:\.\d+)+")
# Links and @handles are not words a customer said: "https" or a brand's handle would make topics.
_NOT_SAID = re.compile(r"(?:https?://|www\.)\S+|(?<![\w.])@\w+")


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
    """Lower-case words (letters and apostrophes) and version numbers, for topics and sentiment; links
    and @handles are left out.

    >>> tokens("Didn't work in 3.2, AT ALL!")
    ["didn't", 'work', 'in', '3.2', 'at', 'all']
    >>> tokens("@AcmeHelp still down https://t.co/x1Y2 see www.acme.example/status #outage")
    ['still', 'down', 'see', 'outage']
    >>> tokens("It doesn\\u2019t work")  # a typographic apostrophe is an apostrophe
    ['it', "doesn't", 'work']
    """
    return _WORD.findall(_NOT_SAID.sub(" ", text.lower().replace("\u2019", "'")))


_EN = _words(
    """a about above after again against all am an and any are aren't as at be because been before being
    below between both but by can can't could couldn't did didn't do does doesn't doing don't down during
    each few for from further had hadn't has hasn't have haven't having he her here hers herself him himself
    his how i i'm i've if in into is isn't it it's its itself just let's me more most my myself no nor not
    of off on once only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too under until up very
    was wasn't we were weren't what when where which while who whom why will with won't would you your
    yours yourself also get got us still even much really one would could thank thanks
    go goes going gone went come comes coming came make makes making made take takes taking took taken
    put puts say says said tell told"""
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
#: Marker words that are also English words or letters, too weak alone to call a comment Portuguese.
_AMBIGUOUS = _words("o e a do")
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
    if best == "pt" and all(w in _AMBIGUOUS for w in words if w in _MARKERS[best]):
        # Only words that are also English ("Where do I start.", "e I cannot..."): weak evidence, weighed
        # with the other words ("Esperando o instalador" stays Portuguese).
        return _accents(text, lean=0.5 * hits[best])
    return best


def _accents(text: str, lean: float = 0.0) -> str:
    """Short comments without clear function words: content words and English stopwords decide; an accent
    weighs half a word (a name such as Chloé in an English comment is not Portuguese), and so does each
    Portuguese marker that is also an English word (`lean`).

    >>> _accents("Great support, Chloé explained every step."), _accents("Ótimo"), _accents("Chloé")
    ('en', 'pt', 'pt')
    >>> _accents("Where do I start.", lean=0.5), _accents("Esperando o instalador", lean=0.5)
    ('en', 'pt')
    """
    words = set(tokens(text))
    accent = 0.5 if re.search(r"[ãõçáéíóúâêô]", text.lower()) else 0.0
    portuguese = len(words & _PT_CONTENT) + accent + lean
    english = len(words & (_OPINIONS | _EN_CONTENT | _EN_ONLY))
    if portuguese > english:
        return "pt"
    if english > portuguese:
        return "en"
    return "und"


_EN_CONTENT = _words(
    """service customer engineer staff experience overall price broadband internet installation order
    delivery payment bill router connection speed support team product process website app far"""
)
#: English stopwords that are not also Portuguese words ("no", "as", "me", "so" are both).
_EN_ONLY = _EN - _PT - _MARKERS["pt"] - _AMBIGUOUS - _words("so")
_PT_CONTENT = _words(
    """otimo ótimo bom boa recebi entrega prazo recomendo chegou rapido rápido excelente adorei loja
    obrigado obrigada veio certo antes ainda nao recebido pedido tudo"""
)
# Opinion words that say nothing of the language ("ok", "super" are Portuguese too).
_OPINIONS = frozenset(w for w, valence in WORDS.items() if valence) - {"ok", "okay", "super"}
