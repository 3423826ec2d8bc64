"""Shrinkage with each value's own sampling variance vs the variance read off its interval's width.

Simulates families of scopes with known true values, for the kinds a ranking puts through the normal
model (rates, sums, means on a 1-7 scale, gross revenue retention), builds each scope's result row as the
metric engine does (value, n, interval, sufficient statistics), and shrinks it twice: with the variance
from the row's statistics (`cxscore.rewards.noise.sampling_variance`, what rankings use) and with
((upper - lower) / (2 z))^2 (what they used before). Reports, per kind and way: the coverage of the 95%
shrunk intervals (the share of ranked scopes whose true value they hold), the Spearman correlation of the
shrunk values with the truth, their root mean squared error, and the share of scopes that could be ranked.

    python benchmarks/ranking_noise.py                 # 100 families of 40 scopes per kind, seed 11
    python benchmarks/ranking_noise.py --families 400 --json
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from cxscore import stats
from cxscore.rewards.noise import sampling_variance
from cxscore.rewards.posterior import normal_posterior
from cxscore.rewards.ranking import RANGES
from cxscore.stats._inputs import z_value

LEVEL = 0.95
Scenario = Callable[[np.random.Generator, int], tuple[pd.DataFrame, np.ndarray]]


def rates(rng: np.random.Generator, scopes: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Testimonials per event: 3 to 40 events per scope, true rates Gamma(3, 0.1) (mean 0.3)."""
    truth = rng.gamma(3.0, 0.1, scopes)
    events = rng.integers(3, 41, scopes).astype(float)
    count = rng.poisson(truth * events).astype(float)
    lower, upper = stats.rate_interval(count, events, LEVEL)
    frame = pd.DataFrame({"value": count / events, "n": events, "numerator": count, "denominator": events})
    return frame.assign(lower=lower, upper=upper), truth


def sums(rng: np.random.Generator, scopes: int) -> tuple[pd.DataFrame, np.ndarray]:
    """New-business ARR: Poisson(Gamma(4, 1.5)) deals a quarter, log-normal amounts (median 20,000)."""
    deals = rng.gamma(4.0, 1.5, scopes)
    mean_amount = 20_000.0 * np.exp(0.8**2 / 2.0)
    rows = []
    for expected in deals:
        amounts = 20_000.0 * np.exp(rng.normal(0.0, 0.8, rng.poisson(expected)))
        rows.append((amounts.size, amounts.sum(), (amounts**2).sum()))
    n, total, squares = (np.array(c, dtype=float) for c in zip(*rows, strict=True))
    lower, upper = stats.sum_interval(total, squares, n, LEVEL)
    frame = pd.DataFrame({"value": total, "n": n, "total": total, "total_squares": squares})
    return frame.assign(lower=lower, upper=upper), deals * mean_amount


_CES = np.arange(1, 8, dtype=float)


def means(rng: np.random.Generator, scopes: int) -> tuple[pd.DataFrame, np.ndarray]:
    """CES on a 1-7 scale: 5 to 80 answers, each scope's answers a rounded normal (sd 1.3, centre
    N(5, 0.5)) clipped to 1..7; the true value is that distribution's mean."""
    centre = rng.normal(5.0, 0.5, scopes)
    edges = np.arange(1.5, 7.0)
    cdf = scipy_stats.norm.cdf((edges[None, :] - centre[:, None]) / 1.3)
    probabilities = np.diff(np.hstack([np.zeros((scopes, 1)), cdf, np.ones((scopes, 1))]), axis=1)
    n = rng.integers(5, 81, scopes)
    answers = [rng.choice(_CES, size=k, p=p) for k, p in zip(n, probabilities, strict=True)]
    total = np.array([a.sum() for a in answers])
    squares = np.array([(a**2).sum() for a in answers])
    mean = total / n
    sd = np.sqrt(np.maximum(squares - n * mean**2, 0.0) / (n - 1))
    lower, upper = stats.mean_interval(mean, sd, n, LEVEL)
    frame = pd.DataFrame({"value": mean, "n": n, "total": total, "total_squares": squares})
    return frame.assign(lower=lower, upper=upper), probabilities @ _CES


def retention(rng: np.random.Generator, scopes: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Gross revenue retention: 5 to 60 accounts (log-normal ARR), each renewing in full with the scope's
    probability Beta(18, 2) (mean 90%) or churning; the interval is the engine's, clipped to 0..1."""
    truth = rng.beta(18.0, 2.0, scopes)
    rows = []
    for r, accounts in zip(truth, rng.integers(5, 61, scopes), strict=True):
        start = np.exp(rng.normal(10.0, 1.0, accounts))
        end = start * (rng.random(accounts) < r)
        rows.append((accounts, start.sum(), end.sum(), (start**2).sum(), (end**2).sum(), (start * end).sum()))
    n, x, y, xx, yy, xy = (np.array(c, dtype=float) for c in zip(*rows, strict=True))
    ratio = y / x
    spread = np.sqrt(np.maximum(yy - 2 * ratio * xy + ratio**2 * xx, 0.0) / (n - 1)) / (x / n)
    lower, upper = stats.mean_interval(ratio, spread, n, LEVEL)
    frame = pd.DataFrame(
        {"value": ratio, "n": n, "starting": x, "ending": y, "starting_squares": xx}
        | {"ending_squares": yy, "cross": xy}
    )
    return frame.assign(lower=np.maximum(lower, 0.0), upper=np.minimum(upper, 1.0)), truth


SCENARIOS: dict[str, tuple[str, Scenario]] = {
    "rate": ("rate", rates),
    "sum": ("sum", sums),
    "mean": ("mean", means),
    "gross_retention": ("retention", retention),
}


def width_variance(frame: pd.DataFrame) -> np.ndarray:
    """The variance rankings read off each interval before: ((upper - lower) / (2 z))^2."""
    return np.asarray(((frame["upper"] - frame["lower"]) / (2.0 * z_value(LEVEL))) ** 2, dtype=float)


def score(frame: pd.DataFrame, truth: np.ndarray, variance: np.ndarray, kind: str) -> dict[str, float]:
    """Shrink with `variance` (rows with none are left out, as rankings do) and score against the truth."""
    usable = np.isfinite(variance) & (variance > 0) & (frame["n"].to_numpy() > 0)
    post = normal_posterior(
        frame["value"][usable], variance[usable], LEVEL, seed=0, draws=10, bounds=RANGES.get(kind)
    )
    held = (post.lower <= truth[usable]) & (truth[usable] <= post.upper)
    return {
        "coverage": float(held.mean()),
        # NaN (left out of the mean) when every scope shrank to the same value: no order to compare.
        "spearman": float(scipy_stats.spearmanr(post.values, truth[usable]).statistic)
        if np.ptp(post.values) > 0
        else np.nan,
        "rmse": float(np.sqrt(np.mean((post.values - truth[usable]) ** 2))),
        "ranked": float(usable.mean()),
    }


def simulate(name: str, families: int, scopes: int, seed: int) -> dict[str, dict[str, float]]:
    """Mean scores of both ways over `families` simulated families of `scopes` scopes of one kind."""
    kind, scenario = SCENARIOS[name]
    rng = np.random.default_rng(seed)
    found: dict[str, list[dict[str, float]]] = {"own": [], "width": []}
    for _ in range(families):
        frame, truth = scenario(rng, scopes)
        found["own"].append(score(frame, truth, sampling_variance(frame, kind, LEVEL), kind))
        found["width"].append(score(frame, truth, width_variance(frame), kind))
    return {way: pd.DataFrame(rows).mean().to_dict() for way, rows in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=100)
    parser.add_argument("--scopes", type=int, default=40)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", action="store_true", help="print the result as JSON instead of Markdown")
    args = parser.parse_args()
    results = {name: simulate(name, args.families, args.scopes, args.seed) for name in SCENARIOS}
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{args.families} families of {args.scopes} scopes per kind, seed {args.seed}, 95% intervals")
    print("| kind | variance | coverage | Spearman | RMSE | ranked |")
    print("|---|---|---:|---:|---:|---:|")
    for name, ways in results.items():
        for way, s in ways.items():
            label = "from its statistics" if way == "own" else "interval width"
            print(
                f"| {name} | {label} | {s['coverage']:.3f} | {s['spearman']:.3f} | {s['rmse']:.4g} "
                f"| {s['ranked']:.3f} |"
            )


if __name__ == "__main__":
    main()
