"""Key drivers: which attributes of the facts move a metric, and how much of its variation each explains.

`key_drivers("csat", scope="team:T-SUP-EMEA", period="2025")` joins every fact of the metric (as the
metric engine counts and credits it) to its candidate drivers, has the engine aggregate the exact
cross-products, and splits the model's R2 among the drivers: Shapley values (dominance analysis) for up
to 15 drivers, Johnson's relative weights beyond. Intervals come from a percentile bootstrap, corrected
for its bias, over a random sample of the facts (all of them when there are fewer than `sample_size`);
for a yes/no outcome a logistic model on that sample gives odds ratios. Methods and references:
docs/concepts/key-drivers.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from cxscore import stats
from cxscore.diagnose.design import OTHER, Design, cell_sums, square_name
from cxscore.diagnose.facts import NO_VALUE, OUTCOME, Driver, Scope, driver_facts
from cxscore.diagnose.importance import (
    MAX_SHAPLEY_DRIVERS,
    correlation,
    r_squared,
    relative_weights,
    shapley_r2,
)
from cxscore.diagnose.logistic import fit_logistic
from cxscore.diagnose.period import parse_period
from cxscore.diagnose.plain import without_nan
from cxscore.errors import DiagnosisError
from cxscore.metrics.definition import Metric

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from cxscore.store import Store

__all__ = ["DriverImportance", "KeyDrivers", "LevelValue", "OddsRatio", "key_drivers"]

#: Fewer facts than this and no driver analysis is made: the shares would be noise.
MIN_FACTS = 100
#: A numeric driver missing on more than this share of the facts is left out (not imputed).
MAX_MISSING = 0.2
#: Bootstrap budget: resamples x 2^drivers subset regressions.
_BUDGET = 1 << 17


@dataclass(frozen=True)
class LevelValue:
    """The metric over the facts at one level of a categorical driver, with its interval."""

    level: str
    n: int
    value: float
    lower: float
    upper: float
    difference: float  # value minus the value over all the other facts


@dataclass(frozen=True)
class DriverImportance:
    """One driver's share of the explained variation (R2), with its bootstrap interval."""

    name: str
    label: str
    kind: str
    share: float  # its part of R2 (the parts sum to R2)
    lower: float
    upper: float
    relative: float  # share / R2
    rank: int
    direction: str  # numeric drivers: "higher lowers the metric" / "higher raises the metric"
    levels: tuple[LevelValue, ...] = ()
    # Numeric drivers: the metric's change per unit of the driver, the other drivers held fixed (the full
    # linear model's coefficient), with its t interval; NaN for categorical drivers (see `levels`).
    effect: float = float("nan")
    effect_lower: float = float("nan")
    effect_upper: float = float("nan")


@dataclass(frozen=True)
class OddsRatio:
    """A logistic model's odds ratio for one design column (a level against the reference, or one unit)."""

    driver: str
    term: str
    odds_ratio: float
    lower: float
    upper: float


@dataclass(frozen=True)
class KeyDrivers:
    """The key-driver analysis of one metric in one scope and period."""

    metric: str
    kind: str
    scope: str
    start: dt.date | None
    end: dt.date | None
    method: Literal["shapley", "relative_weights"]
    facts: int  # facts of the metric in scope and period
    used: int  # facts with every numeric driver known (the model's n)
    value: float  # the metric's value over the facts used
    r2: float
    r2_lower: float
    r2_upper: float
    drivers: tuple[DriverImportance, ...]
    sample: int  # rows the bootstrap (and logistic model) resampled
    resamples: int
    level: float
    odds_ratios: tuple[OddsRatio, ...] = ()
    pseudo_r2: float | None = None
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (dates as ISO strings, NaN as None)."""
        data = asdict(self)
        data["start"] = self.start.isoformat() if self.start else None
        data["end"] = self.end.isoformat() if self.end else None
        result: dict[str, Any] = without_nan(data)
        return result

    def to_frame(self) -> pd.DataFrame:
        """One row per driver: name, share of R2 with its interval, relative share and rank."""
        rows = [{k: v for k, v in asdict(d).items() if k != "levels"} for d in self.drivers]
        return pd.DataFrame(rows)


def key_drivers(
    metric: str | Metric,
    *,
    scope: str | Scope | None = None,
    period: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    drivers: Sequence[str] = (),
    level: float = 0.95,
    resamples: int = 200,
    sample_size: int = 20_000,
    min_level_n: int = 30,
    seed: int = 0,
    project: Path | str | None = None,
    store: Store | None = None,
) -> KeyDrivers:
    """Which drivers move `metric` in `scope` (company, team:ID, person:ID) over `period` (or start..end).

    `drivers` restricts the candidates by name (see `docs/concepts/key-drivers.md` for the list).
    """
    from cxscore.metrics.catalog import load_catalog
    from cxscore.store import open_project

    found = open_project(None if project is None else Path(project)) if project or store is None else None
    catalog = load_catalog(found.root if found else None)
    definition = catalog.get(metric) if isinstance(metric, str) else metric
    if period is not None:
        start, end = parse_period(period)
    chosen = scope if isinstance(scope, Scope) else Scope.parse(scope)
    opened = store if store is not None else found.store() if found else None
    assert opened is not None
    try:
        return _analyse(
            opened,
            definition,
            chosen,
            start,
            end,
            tuple(drivers),
            level,
            resamples,
            sample_size,
            min_level_n,
            seed,
        )
    finally:
        if store is None:
            opened.close()


@dataclass(frozen=True)
class _Outcome:
    """What is explained: its name, kind (share, nps, mean, percentile) and which way is better."""

    name: str
    kind: str
    direction: str
    where: str  # the scope, or the file


def _analyse(
    store: Store,
    metric: Metric,
    scope: Scope,
    start: dt.date | None,
    end: dt.date | None,
    only: tuple[str, ...],
    level: float,
    resamples: int,
    sample_size: int,
    min_level_n: int,
    seed: int,
) -> KeyDrivers:
    with driver_facts(store, metric, scope, start, end) as (facts, candidates):
        candidates = _restricted(candidates, only)
        candidates = _without_own_measure(metric, candidates)
        if not only and any(d.name == "version" for d in candidates):
            # A version names its product ("atlas 3.2"): both would split one effect between them.
            candidates = tuple(d for d in candidates if d.name != "product")
        target = _Outcome(metric.name, metric.aggregation.value, metric.direction.value, str(scope))
        notes: list[str] = []
        total, candidates = _complete_numerics(store, facts, candidates, notes)
        _check_enough(target, total, "facts")
        numerics = [d.name for d in candidates if d.kind == "numeric"]
        used = facts
        for name in numerics:
            used = used.filter(used[name].notnull())
        categorical = [d for d in candidates if d.kind == "categorical"]
        used = used.mutate(**{d.name: used[d.name].cast("string").fill_null(NO_VALUE) for d in categorical})
        cells = _cells(store, used, [d.name for d in categorical], numerics)

        def sample(kept: tuple[Driver, ...]) -> pd.DataFrame:
            return _sample(store, used, facts, kept, sample_size, seed, int(cells["n"].sum()))

        return _model(
            target, start, end, cells, candidates, total, sample, notes, level, resamples, min_level_n, seed
        )


def _model(
    target: _Outcome,
    start: dt.date | None,
    end: dt.date | None,
    cells: pd.DataFrame,
    candidates: tuple[Driver, ...],
    total: int,
    sample: Callable[[tuple[Driver, ...]], pd.DataFrame],
    notes: list[str],
    level: float,
    resamples: int,
    min_level_n: int,
    seed: int,
) -> KeyDrivers:
    """Shares of R2 from the exact cells, intervals and the logistic model from the sample rows."""
    design = Design.from_cells(candidates, cells, min_level_n)
    kept = tuple(d for d in candidates if d.kind == "numeric" or len(design.levels[d.name]) > 1)
    single = [d.label for d in candidates if d not in kept]
    if single:
        notes.append(f"One value only in these facts, left out: {', '.join(single)}.")
    if not kept:
        raise DiagnosisError(
            f"'{target.name}' in {target.where}: no candidate driver varies over these facts."
        )
    design = Design(kept, {k: v for k, v in design.levels.items() if any(d.name == k for d in kept)})
    n_used = int(cells["n"].sum())
    _check_enough(target, n_used, "facts with every numeric driver known")
    covariance, _ = design.covariance_from_cells(cells)
    corr = correlation(covariance)
    method: Literal["shapley", "relative_weights"] = (
        "shapley" if len(kept) <= MAX_SHAPLEY_DRIVERS else "relative_weights"
    )
    importance = _importance(method)
    shares = importance(corr, design.groups)
    r2 = r_squared(corr, list(range(corr.shape[0] - 1)))
    rows = sample(kept)
    matrix = design.row_matrix(rows)
    count = min(resamples, max(30, _BUDGET >> len(kept))) if method == "shapley" else resamples
    if count < resamples:
        notes.append(
            f"{count} bootstrap resamples (not {resamples}): {len(kept)} drivers need "
            f"2^{len(kept)} fits each."
        )
    low, high, r2_low, r2_high = _bootstrap(matrix, design, importance, count, level, seed)
    if len(rows) < n_used:
        notes.append(
            f"Intervals from a random sample of {len(rows):,} of the {n_used:,} facts; shares from all."
        )
    effects = _coefficients(covariance, n_used, level)
    results = _driver_results(target, design, cells, corr, shares, low, high, r2, level, effects)
    odds, pseudo = _logistic(target, design, matrix, level, notes)
    value = float(cells[f"_s_{OUTCOME}"].sum() / n_used)
    return KeyDrivers(
        target.name,
        target.kind,
        target.where,
        start,
        end,
        method,
        total,
        n_used,
        value,
        r2,
        r2_low,
        r2_high,
        results,
        len(rows),
        count,
        level,
        odds,
        pseudo,
        tuple(notes),
    )


#: The column of the case each case driver is computed from.
_CASE_COLUMNS = {"first_response": "first_response_at", "resolution": "resolved_at", "version": "version"}


def _without_own_measure(metric: Metric, candidates: tuple[Driver, ...]) -> tuple[Driver, ...]:
    """Leave out drivers computed from what the metric measures (time to resolution cannot drive itself)."""
    measured = {metric.column} if metric.column else set()
    if metric.duration is not None:
        measured.add(metric.duration.end)
    return tuple(d for d in candidates if _CASE_COLUMNS.get(d.name, d.name) not in measured)


def _restricted(candidates: tuple[Driver, ...], only: tuple[str, ...]) -> tuple[Driver, ...]:
    if not only:
        return candidates
    names = [d.name for d in candidates]
    unknown = [o for o in only if o not in names]
    if unknown:
        raise DiagnosisError(
            f"Unknown driver(s) {', '.join(unknown)} for this metric (has: {', '.join(names)})."
        )
    return tuple(d for d in candidates if d.name in only)


def _complete_numerics(
    store: Store, facts: ir.Table, candidates: tuple[Driver, ...], notes: list[str]
) -> tuple[int, tuple[Driver, ...]]:
    """The number of facts, and the candidates without numeric drivers missing on too many facts."""
    numerics = [d for d in candidates if d.kind == "numeric"]
    counted = facts.aggregate(_n=facts.count(), **{f"_c_{d.name}": facts[d.name].count() for d in numerics})
    row = store.con.execute(counted).iloc[0]
    total = int(row["_n"])
    known = {d.name: int(row[f"_c_{d.name}"]) for d in numerics}
    dropped = [d for d in numerics if total and 1 - known[d.name] / total > MAX_MISSING]
    notes += [
        f"{d.label}: unknown for {1 - known[d.name] / total:.0%} of the facts, left out."
        for d in dropped
        if known[d.name]
    ]
    absent = [d.label for d in dropped if not known[d.name]]
    if absent:
        notes.append(f"Not known for any of these facts: {', '.join(absent)}.")
    return total, tuple(d for d in candidates if d not in dropped)


def _check_enough(target: _Outcome, n: int, what: str) -> None:
    if n < MIN_FACTS:
        raise DiagnosisError(
            f"'{target.name}' in {target.where}: only {n} {what}, and a driver analysis needs at least "
            f"{MIN_FACTS}. Widen the period or the scope (e.g. the parent team)."
        )


def _cells(store: Store, used: ir.Table, categorical: list[str], numerics: list[str]) -> pd.DataFrame:
    """One row per combination of categorical levels: n and the sums of the numerics, products, squares."""
    values = [*numerics, OUTCOME]
    aggregates: dict[str, Any] = {"n": used.count()}
    aggregates.update({f"_s_{v}": used[v].sum() for v in values})
    for i, a in enumerate(values):
        for b in values[i:]:
            aggregates[square_name(a, b)] = (used[a] * used[b]).sum()
    grouped = (
        used.group_by(categorical).aggregate(**aggregates) if categorical else used.aggregate(**aggregates)
    )
    frame: pd.DataFrame = store.con.execute(grouped)
    assert set(cell_sums(numerics)) <= set(frame.columns)
    frame = frame.fillna(dict.fromkeys(cell_sums(numerics), 0.0))
    # Engines return groups in any order; a fixed order makes the sums, and so every result, repeatable.
    return frame.sort_values(categorical, kind="stable").reset_index(drop=True) if categorical else frame


def _sample(
    store: Store, used: ir.Table, facts: ir.Table, kept: tuple[Driver, ...], size: int, seed: int, total: int
) -> pd.DataFrame:
    """All facts, or when there are more than `size`, the `size` whose key hashes lowest with `seed` (so the
    same facts every time), for the resampling.

    The hash is computed here, over the keys alone: each engine's own hash function differs, and the same
    seed must pick the same facts, and so give the same intervals, on DuckDB, PostgreSQL and Spark.
    """
    import ibis

    key = facts.columns[0]
    chosen = used
    if total > size:
        picked = _lowest_hashes(
            store.con.to_pyarrow_batches(used.select(key), chunk_size=_KEY_BATCH), size, seed
        )
        wanted = ibis.memtable({key: picked}, schema={key: used[key].type()})
        chosen = used.semi_join(wanted, key)
    frame: pd.DataFrame = store.con.execute(chosen.select(key, OUTCOME, *[d.name for d in kept]))
    return frame.sort_values(key, kind="stable").reset_index(drop=True)


#: Keys streamed per record batch when sampling: the memory held is this many keys plus the sample.
_KEY_BATCH = 100_000


def _key_hash(key: object, seed: int) -> int:
    """The 64-bit hash that orders facts for the sample: blake2b of the key and the seed, computed in
    Python, so the same whatever the engine and in every process (unlike `hash`).

    >>> _key_hash("R-000001", 0)
    10557359993915782287
    """
    return int.from_bytes(hashlib.blake2b(f"{key}#{seed}".encode(), digest_size=8).digest(), "big")


def _lowest_hashes(batches: Iterable[pa.RecordBatch], size: int, seed: int) -> list[Any]:
    """The `size` keys (the first column of the record `batches`) with the lowest `_key_hash`, lowest first.

    A bottom-k sample (Cohen & Kaplan 2007): the keys stream through in batches and only the `size` best
    so far are kept, so the memory needed does not grow with the number of facts.

    >>> import pyarrow as pa
    >>> batches = [pa.record_batch({"id": [f"R-{i:06d}" for i in range(j, j + 500)]}) for j in (0, 500)]
    >>> everything = sorted((f"R-{i:06d}" for i in range(1000)), key=lambda k: _key_hash(k, 3))
    >>> _lowest_hashes(batches, 5, seed=3) == everything[:5]
    True
    """
    best_hashes = np.empty(0, dtype=np.uint64)
    best_keys = np.empty(0, dtype=object)
    for batch in batches:
        keys = batch.column(0).to_pylist()
        hashes = np.fromiter((_key_hash(k, seed) for k in keys), dtype=np.uint64, count=len(keys))
        best_hashes = np.concatenate([best_hashes, hashes])
        batch_keys = np.empty(len(keys), dtype=object)
        batch_keys[:] = keys
        best_keys = np.concatenate([best_keys, batch_keys])
        if best_hashes.size > size:
            keep = np.argpartition(best_hashes, size - 1)[:size] if size > 0 else np.empty(0, dtype=np.intp)
            best_hashes, best_keys = best_hashes[keep], best_keys[keep]
    order = np.argsort(best_hashes, kind="stable")
    return list(best_keys[order])


def _importance(method: str) -> Any:
    return shapley_r2 if method == "shapley" else relative_weights


def _bootstrap(
    matrix: np.ndarray, design: Design, importance: Any, resamples: int, level: float, seed: int
) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Percentile intervals of every driver's share and of R2, moved down by the bootstrap's estimate of
    the bias (`stats.bias_shifted_interval`) and floored at 0: a model refitted on a resample explains
    more than on the sample (the resample repeats rows), so plain percentiles sit above the estimate."""
    rng = np.random.default_rng(seed)
    n = len(matrix)
    columns = list(range(matrix.shape[1] - 1))
    shares, r2s = [], []
    for _ in range(resamples):
        weights = np.bincount(rng.integers(0, n, n), minlength=n)
        corr = correlation(np.cov(matrix, rowvar=False, fweights=weights))
        shares.append(importance(corr, design.groups))
        r2s.append(r_squared(corr, columns))
    sample_corr = correlation(np.cov(matrix, rowvar=False))
    observed = importance(sample_corr, design.groups)
    low, high = stats.bias_shifted_interval(np.array(shares), observed, level, floor=0.0)
    (r2_low,), (r2_high,) = stats.bias_shifted_interval(
        np.array(r2s), r_squared(sample_corr, columns), level, floor=0.0
    )
    return low, high, float(r2_low), float(r2_high)


def _driver_results(
    target: _Outcome,
    design: Design,
    cells: pd.DataFrame,
    corr: np.ndarray,
    shares: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    r2: float,
    level: float,
    effects: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> tuple[DriverImportance, ...]:
    order = np.argsort(-shares, kind="stable")
    rank = {int(j): i + 1 for i, j in enumerate(order)}
    results = []
    for j in order:
        driver = design.drivers[int(j)]
        direction = ""
        levels: tuple[LevelValue, ...] = ()
        effect = (float("nan"),) * 3
        if driver.kind == "numeric":
            column = design.groups[int(j)][0]
            raises = corr[column, -1] > 0
            direction = f"higher {'raises' if raises else 'lowers'} the metric"
            effect = tuple(float(e[column]) for e in effects)  # type: ignore[assignment]
        else:
            levels = _levels(target, design, driver.name, cells, level)
        results.append(
            DriverImportance(
                driver.name,
                driver.label,
                driver.kind,
                float(shares[j]),
                float(low[j]),
                float(high[j]),
                float(shares[j] / r2) if r2 > 0 else 0.0,
                rank[int(j)],
                direction,
                levels,
                *effect,
            )
        )
    return tuple(results)


def _coefficients(covariance: np.ndarray, n: int, level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The full model's coefficients (outcome on every design column, with an intercept) and t intervals,
    from the covariance matrix: b = Sxx^+ sxy, var(b) = s^2 Sxx^+ with s^2 = SSE / (n - rank - 1)."""
    from scipy import stats as scipy_stats

    between, with_outcome = covariance[:-1, :-1], covariance[:-1, -1]
    inverse = np.linalg.pinv(between, rcond=1e-10)
    beta = inverse @ with_outcome
    rank = int(np.linalg.matrix_rank(between, tol=1e-10 * max(float(np.max(np.abs(between))), 1e-300)))
    df = max(n - rank - 1, 1)
    residual = max(float(covariance[-1, -1] - beta @ with_outcome), 0.0) * (n - 1) / df
    se = np.sqrt(np.clip(np.diag(inverse), 0.0, None) * residual / (n - 1))
    t = float(scipy_stats.t.ppf(0.5 + level / 2, df))
    return beta, beta - t * se, beta + t * se


def _levels(
    target: _Outcome, design: Design, name: str, cells: pd.DataFrame, level: float
) -> tuple[LevelValue, ...]:
    """The metric at each level of a categorical driver (worst first), with its interval."""
    mapped = cells.assign(_level=design.level_of(name, cells[name]))
    sums = mapped.groupby("_level")[["n", f"_s_{OUTCOME}", square_name(OUTCOME, OUTCOME)]].sum()
    total_n, total_s = float(sums["n"].sum()), float(sums[f"_s_{OUTCOME}"].sum())
    n = sums["n"].to_numpy(float)
    s = sums[f"_s_{OUTCOME}"].to_numpy(float)
    ss = sums[square_name(OUTCOME, OUTCOME)].to_numpy(float)
    mean = s / n
    if target.kind == "share":
        lower, upper = stats.wilson_interval(s, n, level)
    elif target.kind == "nps":
        # Outcomes are +100, 0 or -100: the sum and the sum of squares give promoters and detractors.
        promoters = np.rint((ss / 1e4 + s / 100) / 2)
        detractors = np.rint((ss / 1e4 - s / 100) / 2)
        lower, upper = stats.nps_interval(promoters, detractors, n, level)
    else:
        sd = np.sqrt(np.clip((ss - n * mean**2) / np.maximum(n - 1, 1), 0.0, None))
        lower, upper = stats.mean_interval(mean, sd, n, level)
    rest = (total_s - s) / np.maximum(total_n - n, 1.0)
    sign = -1.0 if target.direction == "lower" else 1.0
    values = [
        LevelValue(
            str(lv), int(n[i]), float(mean[i]), float(lower[i]), float(upper[i]), float(mean[i] - rest[i])
        )
        for i, lv in enumerate(sums.index)
    ]
    return tuple(sorted(values, key=lambda v: (v.level == OTHER, sign * v.difference)))


def _logistic(
    target: _Outcome, design: Design, matrix: np.ndarray, level: float, notes: list[str]
) -> tuple[tuple[OddsRatio, ...], float | None]:
    """For a yes/no outcome: a logistic model of the sample, its odds ratios and pseudo-R2."""
    if target.kind != "share":
        return (), None
    x, y = matrix[:, :-1], matrix[:, -1]
    varying = np.std(x, axis=0) > 0
    fit = fit_logistic(x[:, varying], y)
    ratio, lower, upper = fit.odds_ratio_intervals(level)
    columns = [c for c, v in zip(design.columns, varying, strict=True) if v]
    odds = tuple(
        OddsRatio(driver, term or "per unit", float(ratio[i + 1]), float(lower[i + 1]), float(upper[i + 1]))
        for i, (driver, term) in enumerate(columns)
    )
    if not all(np.isfinite(fit.standard_errors)) or max(fit.standard_errors) > 50:
        notes.append(
            "The logistic model separates some levels perfectly; their odds ratios are not reliable."
        )
    return odds, fit.pseudo_r2
