"""How often bootstrap intervals of R2 and its Shapley shares cover the true values (a simulation study).

Regressions with five independent standard-normal predictors, coefficients 0.30, 0.12, 0.05, 0 and 0,
and unit noise, so the population shares are beta_i^2 / (sum beta^2 + 1) and R2 their sum. For each
simulated data set the shares and R2 are bootstrapped as `cxscore drivers` does (rows resampled with
replacement, the correlation matrix recomputed), and four 95% intervals are checked against the truth:
percentile, bias-corrected percentile (BC), basic, and the percentile interval moved by the bootstrap's
estimate of the bias (cxscore's). The results are in docs/concepts/key-drivers.md.

    python benchmarks/bootstrap_coverage.py                                   # 400 rows, 128 resamples
    python benchmarks/bootstrap_coverage.py --rows 150 --resamples 64 --datasets 200 --seed 2
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy import special

from cxscore import stats
from cxscore.diagnose.importance import correlation, r_squared, shapley_r2

BETA = np.array([0.30, 0.12, 0.05, 0.0, 0.0])


def bc_interval(boot: np.ndarray, observed: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Efron's (1981) bias-corrected percentile interval, column by column."""
    count = boot.shape[0]
    below = ((boot < observed).sum(axis=0) + (boot <= observed).sum(axis=0)) / (2.0 * count)
    z0 = special.ndtri(np.clip(below, 0.5 / count, 1 - 0.5 / count))
    z = special.ndtri((1 - level) / 2)
    low_q, high_q = special.ndtr(2 * z0 + z), special.ndtr(2 * z0 - z)
    low = np.array([np.quantile(boot[:, j], low_q[j]) for j in range(boot.shape[1])])
    high = np.array([np.quantile(boot[:, j], high_q[j]) for j in range(boot.shape[1])])
    return low, high


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400)
    parser.add_argument("--resamples", type=int, default=128)
    parser.add_argument("--datasets", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    groups = [[i] for i in range(len(BETA))]
    columns = list(range(len(BETA)))
    truth = np.append(BETA**2, (BETA**2).sum()) / ((BETA**2).sum() + 1.0)
    covered: dict[str, np.ndarray] = {}
    for _ in range(args.datasets):
        x = rng.normal(size=(args.rows, len(BETA)))
        matrix = np.column_stack([x, x @ BETA + rng.normal(size=args.rows)])

        def statistics(weights: np.ndarray | None = None, matrix: np.ndarray = matrix) -> np.ndarray:
            corr = correlation(np.cov(matrix, rowvar=False, fweights=weights))
            return np.append(shapley_r2(corr, groups), r_squared(corr, columns))

        observed = statistics()
        boot = np.array(
            [
                statistics(np.bincount(rng.integers(0, args.rows, args.rows), minlength=args.rows))
                for _ in range(args.resamples)
            ]
        )
        low, high = np.quantile(boot, [0.025, 0.975], axis=0)
        intervals = {
            "percentile": (low, high),
            "bias-corrected percentile (BC)": bc_interval(boot, observed, 0.95),
            "basic, cut at 0": (np.maximum(2 * observed - high, 0), 2 * observed - low),
            "percentile moved by the bias, cut at 0": stats.bias_shifted_interval(
                boot, observed, 0.95, floor=0.0
            ),
        }
        for name, (lower, upper) in intervals.items():
            hit = (lower <= truth + 1e-12) & (truth <= upper + 1e-12)
            covered[name] = covered.get(name, np.zeros(len(truth))) + hit
    print("truth (shares, then R2):", np.round(truth, 4).tolist())
    for name, hits in covered.items():
        print(f"{name:40s}", np.round(hits / args.datasets, 3).tolist())


if __name__ == "__main__":
    main()
