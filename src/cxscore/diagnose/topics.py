"""Topics discovered from the comments themselves: non-negative matrix factorisation of TF-IDF.

The comments become a documents x words matrix of TF-IDF weights (words in at least `min_df` comments
and at most `max_df` of them, stopwords out); NMF factors it into W (comments x topics) and H (topics x
words), both non-negative, minimising ||X - WH||^2 with Lee and Seung's (2001) multiplicative updates
from a seeded random start. A topic is named by its top words in H; a comment is tagged with the topics
that make up at least half as much of it as its strongest one does (W scaled by the length of H's rows),
and with none when no topic makes up a tenth of it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from cxscore.diagnose.text import STOPWORDS, tokens
from cxscore.errors import DiagnosisError

__all__ = ["TopicModel", "fit_topics"]

FloatArray = npt.NDArray[np.float64]
#: A comment belongs to no topic unless one makes up at least this much of it (see TopicModel.strengths).
LEAST = 0.1


@dataclass(frozen=True)
class TopicModel:
    """Topic names (top words), the comment-topic weights W and the topic-word weights H."""

    words: tuple[str, ...]
    top_words: tuple[tuple[str, ...], ...]
    weights: FloatArray  # comments x topics
    loadings: FloatArray  # topics x words
    error: float  # relative reconstruction error ||X - WH|| / ||X||

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
    iterations: int = 300,
    top: int = 6,
    seed: int = 0,
    ignore: Iterable[str] = (),
) -> TopicModel:
    """Discover `topics` topics in `texts` (fewer when the vocabulary is small), leaving out stopwords and
    the words in `ignore` (lower case: e.g. the products' names, which customers write whatever they say).

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
    rng = np.random.default_rng(seed)
    scale = np.sqrt(x.mean() / k) if x.nnz else 1.0
    w = rng.random((x.shape[0], k)) * scale
    h = rng.random((k, x.shape[1])) * scale
    for _ in range(iterations):
        h *= (w.T @ x) / (w.T @ w @ h + 1e-12)
        w *= np.asarray(x @ h.T) / (w @ (h @ h.T) + 1e-12)
    residual = _residual(x, w, h)
    names = tuple(
        tuple(vocabulary[j] for j in np.argsort(-row, kind="stable")[:top] if row[j] > 0) for row in h
    )
    return TopicModel(tuple(vocabulary), names, w, h, residual)


def _residual(x: sparse.csr_matrix, w: FloatArray, h: FloatArray) -> float:
    """||X - WH||_F / ||X||_F without forming WH: ||X||^2 - 2 tr(H X'W) + tr((W'W)(HH'))."""
    squared = float(x.multiply(x).sum())
    cross = float(np.sum(np.asarray(x @ h.T) * w))
    model = float(np.sum((w.T @ w) * (h @ h.T)))
    return float(np.sqrt(max(squared - 2 * cross + model, 0.0) / squared)) if squared else 0.0
