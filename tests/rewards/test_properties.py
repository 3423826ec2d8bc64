"""Properties of priors, posteriors and rankings (hypothesis): bounds, betweenness, row-order invariance."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from cxscore.rewards import beta_posterior, dirichlet_posterior, fit_beta_binomial, rank_frame

counts = st.lists(st.tuples(st.integers(1, 300), st.floats(0.0, 1.0)), min_size=2, max_size=12)


def _shares(pairs: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
    n = np.array([size for size, _ in pairs])
    return np.array([round(size * share) for size, share in pairs]), n


@settings(max_examples=25, deadline=None)
@given(counts)
def test_a_shrunk_share_lies_between_its_raw_value_and_the_prior_mean(pairs: list[tuple[int, float]]) -> None:
    x, n = _shares(pairs)
    prior = fit_beta_binomial(x, n)
    post = beta_posterior(x, n, draws=200)
    low, high = np.minimum(x / n, prior.mean), np.maximum(x / n, prior.mean)
    assert np.all((post.values >= low - 1e-9) & (post.values <= high + 1e-9))
    assert np.all(
        (post.lower >= 0) & (post.lower <= post.values) & (post.values <= post.upper) & (post.upper <= 1)
    )


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 200), st.floats(0, 1), st.floats(0, 1)), min_size=2, max_size=10))
def test_a_shrunk_nps_stays_within_its_range(rows: list[tuple[int, float, float]]) -> None:
    n = np.array([size for size, _, _ in rows])
    promoters = np.array([round(size * a) for size, a, _ in rows])
    detractors = np.array([round((size - p) * b) for (size, _, b), p in zip(rows, promoters, strict=True)])
    post = dirichlet_posterior(promoters, detractors, n, draws=200)
    assert np.all((post.values >= -100) & (post.values <= 100))
    assert np.all((post.lower >= -100) & (post.upper <= 100))


@settings(max_examples=20, deadline=None)
@given(counts, st.randoms(use_true_random=False))
def test_the_order_of_the_rows_does_not_change_the_ranking(
    pairs: list[tuple[int, float]], rng: object
) -> None:
    x, n = _shares(pairs)
    frame = pd.DataFrame(
        {
            "scope_id": [f"S{i}" for i in range(len(n))],
            "value": x / n,
            "n": n,
            "successes": x,
            "lower": 0.0,
            "upper": 1.0,
        }
    )
    shuffled = frame.sample(frac=1.0, random_state=rng.randint(0, 10**6)).reset_index(drop=True)  # type: ignore[attr-defined]
    settings_ = {"metric": "csat", "scope": "team", "period": "p", "kind": "share", "draws": 500}
    assert rank_frame(frame, **settings_) == rank_frame(shuffled, **settings_)  # type: ignore[arg-type]
