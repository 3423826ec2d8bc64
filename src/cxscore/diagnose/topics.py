"""Topics discovered from the comments themselves: non-negative matrix factorisation of TF-IDF.

The comments become a documents x words matrix of TF-IDF weights (words in at least `min_df` comments
and at most `max_df` of them, stopwords out); NMF factors it into W (comments x topics) and H (topics x
words), both non-negative, minimising ||X - WH||^2 with Lee and Seung's (2001) multiplicative updates
from the non-negative double SVD start of Boutsidis and Gallopoulos (2008), until the error stops
falling. Two topics whose word weights point the same way are one topic found twice: the weaker is
dropped and the fit goes on. A topic is named by its top words in H; a comment is tagged with the topics
that make up at least half as much of it as its strongest one does (W scaled by the length of H's rows),
and with none when no topic makes up a tenth of it.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse.linalg import svds

from cxscore.diagnose.text import STOPWORDS, tokens
from cxscore.errors import DiagnosisError

__all__ = ["TopicModel", "fit_topics", "nndsvd", "similarity"]

FloatArray = npt.NDArray[np.float64]
#: A comment belongs to no topic unless one makes up at least this much of it (see TopicModel.strengths).
LEAST = 0.1
#: Two topics whose word weights (rows of H) have a cosine above this are one topic found twice: one is
#: dropped and the fit goes on from where it was (see docs/concepts/verbatims.md).
SIMILAR = 0.5
#: A topic's words are its top words of at least this share of its top word's weight: the updates leave
#: the other words small but not zero ('job / upgrade / 3.2' named comments that only said "Did the job.").
WORD = 0.1
#: Singular values below this share of the largest are zero (X's rank is reached): their vectors are noise.
RANK = 1e-9
#: The error (relative to ||X||) is checked every CHECK updates; the fit stops when it fell by less than
#: `tolerance` since the last check.
CHECK = 10


@dataclass(frozen=True)
class TopicModel:
    """Topic names (top words, each of at least WORD of the top one's weight), the comment-topic weights W
    and the topic-word weights H."""

    words: tuple[str, ...]
    top_words: tuple[tuple[str, ...], ...]
    weights: FloatArray  # comments x topics
    loadings: FloatArray  # topics x words
    error: float  # relative reconstruction error ||X - WH|| / ||X||
    iterations: int = 0  # multiplicative updates run (all fits, when duplicates were merged)
    converged: bool = True  # the error stopped falling (by less than `tolerance` over 10 updates)
    merged: int = 0  # topics dropped as duplicates of another (cosine of their words above `similar`)

    def strengths(self) -> FloatArray:
        """How much of each comment each topic makes up (comments x topics): W scaled by the length of
        H's rows, i.e. the length of that topic's part of the comment's rebuilt TF-IDF row (of length 1).
        Unlike W alone, it does not depend on how NMF happened to split the scale between W and H."""
        result: FloatArray = self.weights * np.linalg.norm(self.loadings, axis=1)
        return result

    def tags(self, share: float = 0.5, least: float = LEAST) -> list[list[int]]:
        """For each comment: its topics, strongest first (those within `share` of its strongest), none when
        no topic makes up at least `least` of it (its words are in no topic: NMF's leftovers are noise)."""
        out = []
        for row in self.strengths():
            top = row.max(initial=0.0)
            chosen = [
                int(j) for j in np.argsort(-row, kind="stable") if top >= least and row[j] >= share * top
            ]
            out.append(chosen)
        return out


def _vocabulary(documents: Sequence[list[str]], min_df: int, max_df: float) -> list[str]:
    counts = Counter(w for doc in documents for w in set(doc))
    limit = max_df * len(documents)
    return sorted(w for w, c in counts.items() if min_df <= c <= limit)


def tfidf(documents: Sequence[list[str]], vocabulary: Sequence[str]) -> sparse.csr_matrix:
    """Sublinear TF-IDF rows, each of unit length: (1 + log tf) * (1 + log((1 + n) / (1 + df)))."""
    index = {w: i for i, w in enumerate(vocabulary)}
    rows, cols, vals = [], [], []
    for r, doc in enumerate(documents):
        for word, tf in Counter(w for w in doc if w in index).items():
            rows.append(r)
            cols.append(index[word])
            vals.append(1.0 + np.log(tf))
    matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(len(documents), len(vocabulary)))
    df = np.bincount(matrix.indices, minlength=len(vocabulary))
    idf = 1.0 + np.log((1.0 + len(documents)) / (1.0 + df))
    matrix = matrix @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    result: sparse.csr_matrix = sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ matrix
    return result.tocsr()


def fit_topics(
    texts: Sequence[str],
    topics: int = 8,
    *,
    language: str = "en",
    min_df: int = 3,
    max_df: float = 0.5,
    iterations: int = 1000,
    tolerance: float = 1e-6,
    top: int = 6,
    seed: int = 0,
    ignore: Iterable[str] = (),
    similar: float = SIMILAR,
) -> TopicModel:
    """Discover `topics` topics in `texts` (fewer when the vocabulary is small, or when two come out alike:
    cosine of their word weights above `similar`), leaving out stopwords and the words in `ignore` (lower
    case: e.g. the products' names, which customers write whatever they say). The start is NNDSVD, so
    the same comments give the same topics; the updates stop when the error falls by less than
    `tolerance` over 10 updates (it is relative to ||X||, between 0 and 1), or after `iterations`.

    >>> texts = ["slow delivery late parcel"] * 5 + ["friendly helpful agent"] * 5
    >>> model = fit_topics(texts, 2, min_df=2, max_df=0.9)
    >>> sorted(sorted(words[:2]) for words in model.top_words)
    [['agent', 'friendly'], ['delivery', 'late']]
    """
    stop = STOPWORDS.get(language, frozenset()) | set(ignore)
    documents = [[w for w in tokens(t) if len(w) > 2 and w not in stop and "'" not in w] for t in texts]
    vocabulary = _vocabulary(documents, min_df, max_df)
    if not vocabulary:
        raise DiagnosisError(
            f"No word is in at least {min_df} and at most {max_df:.0%} of the {len(texts)} comments: "
            "too few or too similar comments for topics."
        )
    x = tfidf(documents, vocabulary)
    k = max(1, min(topics, len(vocabulary), len(texts)))
    w, h = nndsvd(x, k, seed)
    w, h, done, converged = _updates(x, w, h, iterations, tolerance)
    merged = 0
    while (pair := _duplicate(w, h, similar)) is not None:
        keep = np.ones(len(h), dtype=bool)
        keep[pair[1]] = False
        w, h, more, converged = _updates(x, w[:, keep], h[keep], iterations, tolerance)
        done, merged = done + more, merged + 1
    fitted = TopicModel(tuple(vocabulary), (), w, h, _residual(x, w, h), done, converged, merged)
    names = tuple(_top(row, vocabulary, top) for row in _centroids(x, fitted))
    return dataclasses.replace(fitted, top_words=names)


def _centroids(x: sparse.csr_matrix, model: TopicModel) -> FloatArray:
    """Each topic's word weights in the comments it is the main topic of (their TF-IDF rows summed), or
    its row of H when it is no comment's main topic: a topic is named by what its comments say, not only
    by the words that set it apart ('fix / clear / explanation' held 228 comments about 3.2's bugs and 77
    'Clear explanation and a fast fix.')."""
    main = np.array([tags[0] if tags else -1 for tags in model.tags()])
    rows = [np.asarray(x[main == j].sum(axis=0)).ravel() for j in range(len(model.loadings))]
    return np.array([row if row.any() else h for row, h in zip(rows, model.loadings, strict=True)])


def _top(row: FloatArray, vocabulary: Sequence[str], top: int) -> tuple[str, ...]:
    best = np.argsort(-row, kind="stable")[:top]
    return tuple(vocabulary[j] for j in best if row[j] > 0 and row[j] >= WORD * row.max())


def _residual(x: sparse.csr_matrix, w: FloatArray, h: FloatArray) -> float:
    """||X - WH||_F / ||X||_F without forming WH: ||X||^2 - 2 tr(H X'W) + tr((W'W)(HH'))."""
    squared = float(x.multiply(x).sum())
    cross = float(np.sum(np.asarray(x @ h.T) * w))
    model = float(np.sum((w.T @ w) * (h @ h.T)))
    return float(np.sqrt(max(squared - 2 * cross + model, 0.0) / squared)) if squared else 0.0


def nndsvd(x: sparse.csr_matrix, k: int, seed: int = 0) -> tuple[FloatArray, FloatArray]:
    """Non-negative double SVD (Boutsidis and Gallopoulos 2008), a start for NMF made of the `k` leading
    singular triplets of `x`: the first is non-negative already (Perron-Frobenius), each other gives its
    positive or its negative part, whichever is larger; zeros are then filled with the mean of `x`
    (NNDSVDa), since multiplicative updates cannot move a zero. `seed` only sets ARPACK's start vector.

    >>> x = sparse.csr_matrix([[1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]])
    >>> w, h = nndsvd(x, 2)  # each topic starts from one block of words (the rest is the filled mean)
    >>> [np.flatnonzero(row > row.min()).tolist() for row in h]
    [[0, 1], [2, 3]]
    """
    u, s, vt = _svd(x, k, seed)
    w, h = np.zeros((x.shape[0], k)), np.zeros((k, x.shape[1]))
    for j in range(k):
        left, right = u[:, j], vt[j]
        sides = [(np.maximum(sign * left, 0), np.maximum(sign * right, 0)) for sign in (1.0, -1.0)]
        a, b = max(sides, key=lambda side: float(np.linalg.norm(side[0]) * np.linalg.norm(side[1])))
        size = float(np.linalg.norm(a) * np.linalg.norm(b))
        if size > 0 and s[j] > RANK * s[0]:  # past the rank the vectors are arbitrary: the mean alone
            w[:, j] = np.sqrt(s[j] * size) * a / np.linalg.norm(a)
            h[j] = np.sqrt(s[j] * size) * b / np.linalg.norm(b)
    mean = float(x.sum()) / (x.shape[0] * x.shape[1])
    w[w == 0], h[h == 0] = mean, mean
    return w, h


def _svd(x: sparse.csr_matrix, k: int, seed: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The `k` leading singular triplets, largest first (ARPACK, or LAPACK when `k` is near the rank)."""
    if k < min(x.shape) - 1:
        start = np.random.default_rng(seed).random(min(x.shape))
        u, s, vt = svds(x, k, v0=start)
    else:
        u, s, vt = np.linalg.svd(x.toarray(), full_matrices=False)
    order = np.argsort(-s, kind="stable")[:k]
    return u[:, order], s[order], vt[order]


def _updates(
    x: sparse.csr_matrix, w: FloatArray, h: FloatArray, most: int, tolerance: float
) -> tuple[FloatArray, FloatArray, int, bool]:
    """Lee and Seung's multiplicative updates from (w, h) until the relative error falls by less than
    `tolerance` over CHECK updates, or `most` updates: (W, H, updates run, whether it converged)."""
    w, h = w.copy(), h.copy()
    before = _residual(x, w, h)
    for done in range(1, most + 1):
        h *= (w.T @ x) / (w.T @ w @ h + 1e-12)
        w *= np.asarray(x @ h.T) / (w @ (h @ h.T) + 1e-12)
        if done % CHECK == 0:
            error = _residual(x, w, h)
            if before - error < tolerance:
                return w, h, done, True
            before = error
    return w, h, most, False


def similarity(loadings: FloatArray) -> FloatArray:
    """Cosine similarity of the topics' word weights (topics x topics; 1 on the diagonal).

    >>> similarity(np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0]])).tolist()
    [[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    lengths = np.linalg.norm(loadings, axis=1)
    unit = loadings / np.where(lengths > 0, lengths, 1.0)[:, None]
    result: FloatArray = unit @ unit.T
    return result


def _duplicate(w: FloatArray, h: FloatArray, similar: float) -> tuple[int, int] | None:
    """The most similar pair of topics above `similar` as (kept, dropped): the one that makes up less of
    the comments in all (W times the length of H's row, summed) is dropped."""
    if len(h) < 2:
        return None
    cosine = similarity(h)
    np.fill_diagonal(cosine, -1.0)
    a, b = np.unravel_index(int(np.argmax(cosine)), cosine.shape)
    if cosine[a, b] <= similar:
        return None
    total = (w * np.linalg.norm(h, axis=1)).sum(axis=0)
    return (int(a), int(b)) if total[a] >= total[b] else (int(b), int(a))
