"""Verbatims: what customers write, by topic and sentiment, linked to the touchpoints and teams it is about.

Every comment is masked first (e-mail addresses and phone numbers become [email] and [phone]), so no
output, example or topic word carries them. Its language is taken from the response (`language`) or
guessed; English comments get a lexicon sentiment and topics discovered with NMF; comments in other
languages are counted by language and left out of sentiment and topics (the report says so). Each topic is
linked to the touchpoints its comments were given at, and through `touchpoint_teams` to the teams that
contribute to them. Methods: docs/concepts/verbatims.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cxscore import stats
from cxscore.diagnose.facts import Scope
from cxscore.diagnose.period import parse_period
from cxscore.diagnose.plain import without_nan
from cxscore.diagnose.text import Sentiment, detect_language, mask_personal_data, sentiment, tokens
from cxscore.diagnose.topics import SIMILAR, TopicModel, fit_topics
from cxscore.errors import DiagnosisError

if TYPE_CHECKING:
    from cxscore.store import Store

__all__ = [
    "Comment",
    "Score",
    "Topic",
    "TouchpointView",
    "VerbatimReport",
    "analyse_verbatims",
    "read_verbatims_csv",
    "verbatims",
]

#: Fewer comments in the analysed language than this and no topics are discovered.
MIN_COMMENTS = 20
#: A topic is mixed when both its positive and its negative comments are at least this share of it.
MIXED = 0.25


@dataclass(frozen=True)
class Score:
    """NPS (points, adjusted-Wald interval) or CSAT (share of 4-5, Wilson interval) of some comments."""

    kind: str
    value: float
    lower: float
    upper: float
    n: int


@dataclass(frozen=True)
class Comment:
    """One comment, masked, with its language, and (when in the analysed language) sentiment and topics."""

    id: str
    text: str
    language: str
    sentiment: float | None
    label: str | None
    topics: tuple[int, ...]
    touchpoint: str | None
    scores: dict[str, float]  # e.g. {"nps": 9}


@dataclass(frozen=True)
class Topic:
    """A discovered topic, named by its comments' top words, with their sentiment, score and touchpoints;
    `mixed` when at least MIXED of them are positive and MIXED negative (then `other_examples` too)."""

    number: int
    name: str
    words: tuple[str, ...]
    comments: int
    share: float  # of the analysed comments
    sentiment: float  # mean score in [-1, 1]
    negative: float  # share of its comments with negative sentiment
    scores: tuple[Score, ...]  # one per score kind its comments carry
    touchpoints: tuple[tuple[str, int], ...]  # (touchpoint, comments), most first
    teams: tuple[str, ...]  # teams contributing to its main touchpoints
    examples: tuple[str, ...]  # of its commonest sentiment
    positive: float = float("nan")  # share of its comments with positive sentiment
    mixed: bool = False  # both positive and negative comments are at least MIXED of it
    other_examples: tuple[str, ...] = ()  # when mixed: of the other side (negative or positive)


@dataclass(frozen=True)
class TouchpointView:
    """One touchpoint: its comments, their sentiment, its score and the teams that contribute to it."""

    touchpoint: str
    comments: int
    sentiment: float | None
    scores: tuple[Score, ...]
    teams: tuple[str, ...]


@dataclass(frozen=True)
class VerbatimReport:
    """Topics, touchpoints and every comment, for one scope and period (or one file)."""

    source: str
    total: int  # comments
    languages: dict[str, int]
    language: str  # the language analysed
    analysed: int
    topics: tuple[Topic, ...]
    touchpoints: tuple[TouchpointView, ...]
    comments: tuple[Comment, ...]
    notes: tuple[str, ...] = field(default=())

    def to_dict(self, comments: bool = True) -> dict[str, Any]:
        """Plain data for JSON (NaN as None); the comments are masked already."""
        data = asdict(self)
        if not comments:
            data.pop("comments")
        result: dict[str, Any] = without_nan(data)
        return result


def analyse_verbatims(
    texts: Sequence[str],
    *,
    ids: Sequence[str] | None = None,
    languages: Sequence[str | None] | None = None,
    touchpoints: Sequence[str | None] | None = None,
    scores: Mapping[str, Sequence[float | None]] | None = None,
    teams: Mapping[str, Sequence[str]] | None = None,
    topics: int = 8,
    language: str = "en",
    examples: int = 3,
    source: str = "comments",
    seed: int = 0,
    names: Sequence[str] = (),
) -> VerbatimReport:
    """Topics and sentiment of `texts`, linked to `touchpoints` (and their `teams`) and `scores`
    (`{"nps": [...], "csat": [...]}`, one value or None per text).

    The words of `names` (the products', the company's) are left out of the topics: customers name the
    product in praise and complaint alike, so a topic of its name would join the two. A topic's examples
    are its comments of its commonest sentiment, those most in the topic first.

    >>> texts = ["Call me on 0207 946 0958, the parcel is late", "Friendly and helpful agent"] * 15
    >>> report = analyse_verbatims(texts, topics=2)
    >>> report.comments[0].text, report.comments[0].label
    ('Call me on [phone], the parcel is late', 'negative')
    >>> sorted(t.name for t in report.topics)
    ['agent / friendly / helpful', 'call / late / parcel']
    """
    n = len(texts)
    masked = [mask_personal_data(t) for t in texts]
    found = [lang or detect_language(t) for lang, t in zip(languages or [None] * n, masked, strict=True)]
    counted = dict(Counter(found).most_common())
    chosen = [i for i in range(n) if found[i] == language]
    notes = _language_notes(counted, language)
    if len(chosen) < MIN_COMMENTS:
        raise DiagnosisError(
            f"Only {len(chosen)} comments in language '{language}' (of {n}; languages: {counted}); topics "
            f"need at least {MIN_COMMENTS}. Widen the scope or period, or choose --language."
        )
    ignore = {w for name in names for w in tokens(name)}
    model = fit_topics([masked[i] for i in chosen], topics, language=language, seed=seed, ignore=ignore)
    notes.extend(_fit_notes(model, topics))
    tags = model.tags()
    strengths = model.strengths()
    scored = language == "en"
    position = {i: j for j, i in enumerate(chosen)}
    points = list(touchpoints or [None] * n)
    kinds = {k: list(v) for k, v in (scores or {}).items()}
    comments = tuple(
        _comment(
            str(ids[i]) if ids is not None else str(i),
            masked[i],
            found[i],
            sentiment(masked[i]) if scored and i in position else None,
            tuple(tags[position[i]]) if i in position else (),
            points[i],
            {k: float(v[i]) for k, v in kinds.items() if _number(v[i]) is not None},  # type: ignore[arg-type]
        )
        for i in range(n)
    )
    analysed = [comments[i] for i in chosen]
    links = {k: tuple(v) for k, v in (teams or {}).items()}
    strength = [float(strengths[k, c.topics[0]]) if c.topics else 0.0 for k, c in enumerate(analysed)]
    found_topics = _topics(model.top_words, analysed, strength, tuple(kinds), links, examples)
    views = _touchpoints(comments, tuple(kinds), links)  # every comment: scores do not depend on language
    alone = [c for c in analysed if not c.topics]
    if alone:
        notes.append(_alone_note(alone, len(analysed), model.words, len(model.top_words)))
    mixed = [t.name for t in found_topics if t.mixed]
    if mixed:
        notes.append(
            f"Mixed topics (at least {MIXED:.0%} of their comments positive and {MIXED:.0%} negative: "
            "praise and complaints about the same thing, with an example of each side): "
            f"{', '.join(mixed)}."
        )
    if len(found_topics) < len(model.top_words):
        notes.append(
            f"{len(model.top_words) - len(found_topics)} topics had no comment of their own, left out."
        )
    return VerbatimReport(
        source, n, counted, language, len(chosen), found_topics, views, comments, tuple(notes)
    )


def _fit_notes(model: TopicModel, asked: int) -> list[str]:
    notes = []
    if model.merged:
        notes.append(
            f"{model.merged} of the {len(model.top_words) + model.merged} topics came out as the same as "
            f"another (cosine of their word weights above {SIMILAR}) and were merged: these comments hold "
            f"{len(model.top_words)} distinct topics, not {asked}."
        )
    if not model.converged:
        notes.append(
            f"The topic model had not settled after {model.iterations} updates (relative error "
            f"{model.error:.3f}): topics may change a little with more comments or fewer topics."
        )
    return notes


def _alone_note(alone: Sequence[Comment], analysed: int, words: Sequence[str], topics: int) -> str:
    """How many comments are in no topic, and the topic words most of them use (what more topics would
    show: on the demo, the release's complaints when 8 topics are too few for them).

    >>> texts = ["Fine.", "3.2 crashed", "3.2 again"]
    >>> said = [Comment(str(i), t, "en", None, None, (), None, {}) for i, t in enumerate(texts)]
    >>> _alone_note(said, 10, ["3.2", "crashed", "fine"], 4)  # doctest: +NORMALIZE_WHITESPACE
    '3 of the 10 comments (30%) are in no topic: none of the 4 topics makes up a tenth of them (ask for
    more topics to see more). The topic words most of them use (comments): 3.2 2, crashed 1, fine 1.'
    """
    known = set(words)
    counted = Counter(w for c in alone for w in set(tokens(c.text)) & known)
    common = ", ".join(f"{w} {n}" for w, n in sorted(counted.items(), key=lambda x: (-x[1], x[0]))[:5])
    return (
        f"{len(alone)} of the {analysed} comments ({len(alone) / analysed:.0%}) are in no topic: none of the "
        f"{topics} topics makes up a tenth of them (ask for more topics to see more)."
        + (f" The topic words most of them use (comments): {common}." if common else "")
    )


def _comment(
    ident: str,
    text: str,
    language: str,
    feeling: Sentiment | None,
    topics: tuple[int, ...],
    touchpoint: str | None,
    scores: dict[str, float],
) -> Comment:
    score = feeling.score if feeling is not None else None
    label = feeling.label if feeling is not None else None
    return Comment(ident, text, language, score, label, topics, touchpoint, scores)


def _number(value: float | None) -> float | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else float(value)


def _language_notes(counted: dict[str, int], language: str) -> list[str]:
    others = {k: v for k, v in counted.items() if k != language}
    notes = []
    if others:
        listed = ", ".join(f"{k}: {v}" for k, v in others.items())
        notes.append(
            f"Comments in other languages ({listed}) are counted here and left out of topics and sentiment."
        )
    if language != "en":
        notes.append(
            f"Sentiment is scored for English only; the '{language}' comments get topics, not sentiment."
        )
    return notes


def _scores(kinds: Sequence[str], comments: Sequence[Comment]) -> tuple[Score, ...]:
    found = (_score(k, [c.scores[k] for c in comments if k in c.scores]) for k in kinds)
    return tuple(s for s in found if s is not None)


def _score(kind: str, values: Sequence[float]) -> Score | None:
    known = np.array(values, dtype=float)
    if not len(known):
        return None
    if kind == "nps":
        promoters, detractors = int(np.sum(known >= 9)), int(np.sum(known <= 6))
        lower, upper = stats.nps_interval(promoters, detractors, len(known))
        return Score(
            "nps", 100.0 * (promoters - detractors) / len(known), float(lower), float(upper), len(known)
        )
    satisfied = int(np.sum(known >= 4))
    lower, upper = stats.wilson_interval(satisfied, len(known))
    return Score("csat", satisfied / len(known), float(lower), float(upper), len(known))


def _teams_of(points: Sequence[tuple[str, int]], links: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Teams of the touchpoints that hold at least a fifth of the comments."""
    total = sum(c for _, c in points) or 1
    chosen = [p for p, c in points if c >= 0.2 * total]
    return tuple(dict.fromkeys(t for p in chosen for t in links.get(p, ())))


def _topics(
    words: tuple[tuple[str, ...], ...],
    comments: Sequence[Comment],
    strength: Sequence[float],
    kinds: Sequence[str],
    links: Mapping[str, tuple[str, ...]],
    examples: int,
) -> tuple[Topic, ...]:
    """The topics with comments of their own; `strength[k]`: how much of comment k its main topic makes up."""
    result = []
    names = topic_names(words)
    for number, top in enumerate(words):
        chosen = [k for k, c in enumerate(comments) if c.topics and c.topics[0] == number]
        if not chosen:
            continue
        mine = [comments[k] for k in chosen]
        feel = [c.sentiment for c in mine if c.sentiment is not None]
        points = tuple(Counter(c.touchpoint for c in mine if c.touchpoint).most_common())
        ranks = [strength[k] for k in chosen]
        labels = Counter(c.label for c in mine if c.label is not None).most_common()
        usual = labels[0][0] if labels else None
        positive = float(np.mean([c.label == "positive" for c in mine])) if feel else float("nan")
        negative = float(np.mean([c.label == "negative" for c in mine])) if feel else float("nan")
        mixed = bool(feel) and min(positive, negative) >= MIXED
        other = "negative" if usual == "positive" else "positive"
        result.append(
            Topic(
                number,
                names[number],
                top,
                len(mine),
                len(mine) / len(comments),
                float(np.mean(feel)) if feel else float("nan"),
                negative,
                _scores(kinds, mine),
                points,
                _teams_of(points, links),
                _typical(mine, top, ranks, examples, usual),
                positive,
                mixed,
                _typical(mine, top, ranks, examples, other) if mixed else (),
            )
        )
    return tuple(sorted(result, key=lambda t: -t.comments))


def _typical(
    comments: Sequence[Comment],
    words: Sequence[str],
    strength: Sequence[float],
    count: int,
    label: str | None,
) -> tuple[str, ...]:
    """Up to `count` different texts typical of a topic's `comments` of sentiment `label` (any when None),
    those with the most of the topic's top `words` first, then those the topic makes up most of
    (`strength`), then the shortest.

    A topic's examples are of its commonest label, never of its minority: the example shown beside the
    topic's sentiment and scores must read like them (a mixed topic also shows the other side's).

    >>> texts = [("Slow again.", "negative"), ("Fast now!", "positive"), ("Slow delivery.", "negative")]
    >>> said = [Comment(str(i), t, "en", None, label, (0,), None, {}) for i, (t, label) in enumerate(texts)]
    >>> _typical(said, ["delivery", "slow"], [0.9, 0.9, 0.8], 3, "negative")
    ('Slow delivery.', 'Slow again.')
    """
    top = set(words)
    ranked = sorted(
        (k for k, c in enumerate(comments) if label is None or c.label == label),
        key=lambda k: (-len(set(tokens(comments[k].text)) & top), -strength[k], len(comments[k].text)),
    )
    return tuple(dict.fromkeys(comments[k].text for k in ranked))[:count]


def topic_names(words: Sequence[Sequence[str]], size: int = 3) -> list[str]:
    """Each topic's name: its `size` top terms, except that topics whose names would be the same are
    named by their first `size - 1` terms and their best term that the others lack (and numbered if no
    term tells them apart).

    >>> topic_names([("always", "excellent", "service", "fast"), ("always", "excellent", "service", "price")])
    ['always / excellent / fast', 'always / excellent / price']
    """
    plain = [" / ".join(top[:size]) for top in words]
    named = list(plain)
    for name in set(plain):
        same = [i for i, n in enumerate(plain) if n == name]
        if len(same) < 2:
            continue
        for i in same:
            others = set().union(*(words[j] for j in same if j != i))
            unique = [t for t in words[i] if t not in others]
            if unique:
                named[i] = " / ".join([*words[i][: size - 1], unique[0]])
    for name in set(named):  # still the same (no term tells them apart): the second is "name (2)", ...
        same = [i for i, n in enumerate(named) if n == name]
        for count, i in enumerate(same[1:], start=2):
            named[i] = f"{name} ({count})"
    return named


def _touchpoints(
    comments: Sequence[Comment], kinds: Sequence[str], links: Mapping[str, tuple[str, ...]]
) -> tuple[TouchpointView, ...]:
    names = sorted({c.touchpoint for c in comments if c.touchpoint})
    views = []
    for name in names:
        mine = [c for c in comments if c.touchpoint == name]
        feel = [c.sentiment for c in mine if c.sentiment is not None]
        views.append(
            TouchpointView(
                name,
                len(mine),
                float(np.mean(feel)) if feel else None,
                _scores(kinds, mine),
                links.get(name, ()),
            )
        )
    return tuple(views)


def verbatims(
    *,
    scope: str | Scope | None = None,
    period: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    topics: int = 8,
    language: str = "en",
    limit: int = 50_000,
    names: Sequence[str] = (),
    project: Path | str | None = None,
    store: Store | None = None,
) -> VerbatimReport:
    """The comments of the survey responses of a project, for a scope (the team credited or below it, or
    the person) and period, with the NPS and CSAT of the responses that carry them; the products' names
    and ids, and `names`, are left out of the topics (see `analyse_verbatims`)."""
    from cxscore.store import open_project

    if period is not None:
        start, end = parse_period(period)
    chosen = scope if isinstance(scope, Scope) else Scope.parse(scope)
    opened = store if store is not None else open_project(None if project is None else Path(project)).store()
    try:
        rows, links = _read(opened, chosen, start, end, limit)
        products = opened.con.execute(opened.table("products").select("product_id", "name"))
    finally:
        if store is None:
            opened.close()
    if rows.empty:
        raise DiagnosisError(f"No comments for {chosen} in {period or 'any period'}.")
    when = f"{start} to {end}" if start else "all periods"
    report = analyse_verbatims(
        rows["comment"].tolist(),
        ids=rows["response_id"].tolist(),
        languages=[v if isinstance(v, str) and v else None for v in rows["language"]],
        touchpoints=[v if isinstance(v, str) else None for v in rows["touchpoint_id"]],
        scores={k: [None if v is None or v != v else float(v) for v in rows[k]] for k in ("nps", "csat")},
        teams=links,
        topics=topics,
        language=language,
        source=f"survey comments of {chosen}, {when}",
        names=[*(v for v in (*products["product_id"], *products["name"]) if isinstance(v, str)), *names],
    )
    if len(rows) == limit:
        extra = f"The {limit:,} most recent comments were analysed (--limit)."
        return dataclasses.replace(report, notes=(*report.notes, extra))
    return report


def _read(
    store: Store, scope: Scope, start: dt.date | None, end: dt.date | None, limit: int
) -> tuple[Any, dict[str, list[str]]]:
    from cxscore.metrics.attribution import team_closure
    from cxscore.metrics.views import within_days

    r = store.table("responses")
    r = r.filter(r.comment.notnull() & (r.comment.strip() != ""))
    if within := within_days(r.responded_at, start, end):
        r = r.filter(*within)
    if scope.kind == "person":
        r = r.filter(r.person_id == scope.id)
    elif scope.kind == "team":
        closure = team_closure(store.table)
        below = closure.filter(closure.ancestor_id == scope.id).team_id
        r = r.filter(r.team_id.isin(below))
    r = r.order_by([r.responded_at.desc(), r.response_id]).limit(limit)
    rows = store.con.execute(r.select("response_id", "comment", "language", "touchpoint_id", "nps", "csat"))
    links = store.con.execute(store.table("touchpoint_teams").select("touchpoint_id", "team_id"))
    teams: dict[str, list[str]] = {}
    for point, team in links.itertuples(index=False):
        teams.setdefault(point, []).append(team)
    return rows, teams


def read_verbatims_csv(
    path: Path,
    text_column: str,
    touchpoint_column: str | None = None,
    nps_column: str | None = None,
    csat_column: str | None = None,
    **options: Any,
) -> VerbatimReport:
    """Analyse the comments of a CSV file (any encoding with a BOM, any line endings) without importing it."""
    import pandas as pd

    try:
        frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise DiagnosisError(f"Cannot read '{path}': {error}. Give a UTF-8 CSV file.") from error
    wanted = [c for c in (text_column, touchpoint_column, nps_column, csat_column) if c]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise DiagnosisError(
            f"'{path}' has no column {', '.join(missing)} (has: {', '.join(frame.columns)}). "
            "Name the columns with --text-column, --touchpoint-column, --nps-column, --csat-column."
        )
    frame = frame[frame[text_column].str.strip() != ""]
    scores = {
        kind: pd.to_numeric(frame[column], errors="coerce").tolist()
        for kind, column in (("nps", nps_column), ("csat", csat_column))
        if column
    }
    return analyse_verbatims(
        frame[text_column].tolist(),
        touchpoints=frame[touchpoint_column].tolist() if touchpoint_column else None,
        scores=scores,
        source=str(path.name),
        **options,
    )
