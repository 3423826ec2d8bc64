"""Comparing each person with their peers: rates, means with account-clustered variances, odds ratios.

Every function takes one row per person (with a `team` column) and compares each row with the sum of the
other rows of its team, so a person is never their own peer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

__all__ = [
    "MIN_CLUSTERS",
    "MIN_N",
    "binomial_mass",
    "bunching_test",
    "log_odds_ratio",
    "mean_tests",
    "rates_against_peers",
]

#: A person needs this many cases, invitations or answers for a check to test them.
MIN_N = 30
#: Tests with account-clustered variances need this many accounts for the person and for the peers.
MIN_CLUSTERS = 10


def rates_against_peers(frame: pd.DataFrame, n: str, x: str, side: str) -> pd.DataFrame:
    """Each person's rate x/n against the rest of their team's (in the same year, when the frame has one),
    with a two-proportion z-test (pooled); `side` is "greater", "less" or "two-sided" (for the person)."""
    totals = frame.groupby(_peer_keys(frame, "team", "year"))[[n, x]].transform("sum")
    peers_n = (totals[n] - frame[n]).to_numpy(float)
    peers_x = (totals[x] - frame[x]).to_numpy(float)
    own_n, own_x = frame[n].to_numpy(float), frame[x].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        own, peers = own_x / own_n, peers_x / peers_n
        pooled = (own_x + peers_x) / (own_n + peers_n)
        se = np.sqrt(pooled * (1 - pooled) * (1 / own_n + 1 / peers_n))
        z = np.where(se > 0, (own - peers) / se, 0.0)
    p = {
        "greater": scipy_stats.norm.sf(z),
        "less": scipy_stats.norm.cdf(z),
        "two-sided": 2 * scipy_stats.norm.sf(np.abs(z)),
    }[side]
    out = frame.assign(n=own_n.astype(int), value=own, peers=peers, peers_n=peers_n.astype(int), p_value=p)
    out = out.assign(difference=out["value"] - out["peers"])
    return out[(out["n"] >= MIN_N) & (out["peers_n"] >= MIN_N)].reset_index(drop=True)


def log_odds_ratio(t: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """log odds of an invitation after a good outcome over the odds after a poor one, and its variance
    (Woolf 1955, with 0.5 added to every cell)."""
    a = t["invited_good"] + 0.5
    b = t["good"] - t["invited_good"] + 0.5
    c = t["invited_poor"] + 0.5
    d = t["poor"] - t["invited_poor"] + 0.5
    return np.log(a * d / (b * c)), 1 / a + 1 / b + 1 / c + 1 / d


def mean_tests(frame: pd.DataFrame, side: str) -> pd.DataFrame:
    """Each person's mean against the rest of the team on the same survey, with cluster-robust variances;
    `difference` is in the peers' standard deviations."""
    sums = ["n", "s", "q", "top", "ss_a", "sn_a", "nn_a", "clusters"]
    totals = frame.groupby(_peer_keys(frame, "team", "survey", "year"))[sums].transform("sum")
    peers = totals - frame[sums]
    peer_mean, peer_var = robust_mean(peers)
    # The person's variance around the peers' mean (the null hypothesis), not around their own: a rate
    # near 0 or 1 would otherwise have a tiny variance and a far too small p-value.
    own_mean, own_var = robust_mean(frame, around=peer_mean)
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = (own_mean - peer_mean).to_numpy(float)
        peer_sd = np.sqrt(np.clip((peers["q"] / peers["n"] - peer_mean**2).to_numpy(float), 0.0, None))
        z: np.ndarray = np.nan_to_num(gap / np.sqrt((own_var + peer_var).to_numpy(float)), nan=0.0)
        effect = gap / peer_sd
    p = scipy_stats.norm.sf(z) if side == "greater" else 2 * scipy_stats.norm.sf(np.abs(z))
    out = frame.assign(
        n=frame["n"].astype(int), value=own_mean, peers=peer_mean, peers_n=peers["n"].astype(int),
        peers_top=peers["top"], difference=effect, p_value=p,
    )  # fmt: skip
    # A cluster-robust variance from a handful of accounts is too small (Cameron and Miller 2015).
    enough = (frame["clusters"] >= MIN_CLUSTERS) & (totals["clusters"] - frame["clusters"] >= MIN_CLUSTERS)
    keep = (out["n"] >= MIN_N) & (out["peers_n"] >= MIN_N) & np.isfinite(out["difference"]) & enough
    kept: pd.DataFrame = out[keep].reset_index(drop=True)
    return kept


def robust_mean(t: pd.DataFrame, around: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
    """The mean and its cluster-robust variance from per-account sums: sum_a (S_a - n_a m)^2 / n^2, with m
    the mean itself or `around` (a value under a null hypothesis)."""
    n = t["n"].astype(float)
    mean = t["s"] / n
    m = mean if around is None else around
    spread = t["ss_a"] - 2 * m * t["sn_a"] + m**2 * t["nn_a"]
    return mean, np.clip(spread, 0.0, None) / n**2


def _peer_keys(frame: pd.DataFrame, *keys: str) -> list[str]:
    """The columns that define a person's peers, of those the frame has."""
    return [k for k in keys if k in frame.columns]


def binomial_mass(n: np.ndarray, p: np.ndarray, low: float, high: float) -> np.ndarray:
    """P(low <= X/n < high) for X ~ Binomial(n, p), elementwise."""
    top = scipy_stats.binom.cdf(np.ceil(high * n - 1e-9) - 1, n, p)
    bottom = scipy_stats.binom.cdf(np.ceil(low * n - 1e-9) - 1, n, p)
    return np.asarray(top - bottom, dtype=float)


def bunching_test(
    successes: np.ndarray, n: np.ndarray, level: np.ndarray, threshold: float, width: float
) -> tuple[int, int, float, float]:
    """Bunching at a threshold: of the values x/n within `width` of `threshold`, how many lie at or above it
    (and how many just below), the share at or above that binomial noise around each unit's own `level`
    would give, and the one-sided binomial p-value of seeing as many or more above.

    A discrete version of McCrary's (2008) density test: comparing the two bins next to the threshold with
    what each unit's Binomial(n, level) gives handles the lumpy values of small n (4/5 is exactly 80%).

    >>> above, below, expected, p = bunching_test(np.array([4.0, 8, 3]), np.array([5.0, 10, 4]),
    ...                                           np.array([0.8, 0.8, 0.75]), 0.8, 0.1)
    >>> above, below, round(expected, 2)
    (2, 1, 0.53)
    """
    value = successes / n
    above_p = binomial_mass(n, level, threshold, threshold + width)
    below_p = binomial_mass(n, level, threshold - width, threshold)
    tolerance = 1e-9
    above = int(((value >= threshold - tolerance) & (value < threshold + width - tolerance)).sum())
    below = int(((value >= threshold - width - tolerance) & (value < threshold - tolerance)).sum())
    expected = float(above_p.sum() / max(float(above_p.sum() + below_p.sum()), 1e-12))
    window = above + below
    p_value = float(scipy_stats.binom.sf(above - 1, window, expected)) if window else 1.0
    return above, below, expected, p_value
