"""Metric engine speed: cxscore's compiled metrics beside hand-written DuckDB SQL and plain pandas.

For every team (rolled up through the hierarchy) and every person, by month, over the whole demo
history, the same numbers with their 95% intervals (medians with their order-statistic bounds):

- `cxscore` / `cxscore_all`: `MetricEngine.compute` (definitions compiled to Ibis, run on the store's
  engine, evaluated in Python) for the 11 core metrics / every built-in metric;
- `sql` / `sql_all`: one hand-written DuckDB SQL query per metric and scope (`metrics_sql.py`), values
  and intervals from the same `cxscore.stats` functions;
- `pandas`: the 11 core metrics in plain pandas (`metrics_pandas.py`): only the needed columns read,
  ids as categoricals; filters, attribution as of the fact's day, roll-up and aggregation in pandas.

Each method runs in its own process (its time includes its imports; its peak memory is its max RSS),
the methods interleaved, `--repeat` times; the median run is reported. Before any time is reported the
results are checked equal (same groups, identical n, values and bounds within 1e-9): cxscore against the
hand-written SQL, pandas against cxscore.

    python benchmarks/metrics_speed.py --project demo-company      # a project made by `cxscore demo`
    python benchmarks/metrics_speed.py --project demo-company --methods cxscore_all,sql_all --repeat 1
    python benchmarks/metrics_speed.py --project demo-company --methods cxscore_all,sql_all \\
        --store postgresql://localhost:5432/cxscore   # cxscore on PostgreSQL, the SQL on the DuckDB file
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import metrics_pandas
import metrics_sql
import numpy as np
import pandas as pd

SCOPES = ("team", "person")


# --- the three runs -----------------------------------------------------------------------------------------


COLUMNS = ["metric", "scope", "scope_id", "period", "value", "n", "lower", "upper"]


def open_store(database: Path, store: str | None) -> Any:
    from cxscore.store import Store

    return Store.open(store) if store else Store.duckdb(database)


def run_cxscore(database: Path, out: Path, every: bool, store: str | None = None) -> dict[str, Any]:
    from cxscore.metrics import MetricEngine

    engine = MetricEngine(open_store(database, store))
    names = [m.name for m in engine.catalog] if every else list(metrics_sql.CORE)
    frames = []
    for name in names:
        metric = engine.catalog.get(name)
        attribution = metric.facts.attribution
        for scope in SCOPES:
            if attribution is None or (scope == "person" and not attribution.credits_people):
                continue
            result = engine.compute(name, by=[scope], grain="month")
            frames.append(result[COLUMNS])
    pd.concat(frames).to_parquet(out)
    return {"metrics": len(names)}


def run_sql(database: Path, out: Path, every: bool) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(str(database), read_only=True)
    names = list(metrics_sql.SPECS) if every else list(metrics_sql.CORE)
    frames = []
    for name in names:
        spec = metrics_sql.SPECS[name]
        for scope in SCOPES:
            if scope == "person" and spec.credit not in ("person", "owner"):
                continue
            frame = metrics_sql.with_values(metrics_sql.run(con, name, scope), spec.kind)
            frames.append(frame.assign(metric=name, scope=scope)[COLUMNS])
    pd.concat(frames).to_parquet(out)
    return {"metrics": len(names)}


def run_pandas(database: Path, out: Path) -> dict[str, Any]:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(str(database), read_only=True)
    tables = metrics_pandas.read_tables(con)
    con.close()
    read = time.perf_counter() - started
    results = metrics_pandas.compute(tables, list(metrics_pandas.SPECS))
    frames = []
    for (name, scope), statistics in results.items():
        frame = metrics_sql.with_values(statistics, metrics_pandas.SPECS[name].kind)
        frames.append(frame.assign(metric=name, scope=scope)[COLUMNS])
    pd.concat(frames).to_parquet(out)
    return {"metrics": len(metrics_pandas.SPECS), "read_seconds": read}


RUNS: dict[str, Callable[..., dict[str, Any]]] = {
    "cxscore": lambda d, o, s: run_cxscore(d, o, False, s),
    "cxscore_all": lambda d, o, s: run_cxscore(d, o, True, s),
    "sql": lambda d, o, s: run_sql(d, o, False),
    "sql_all": lambda d, o, s: run_sql(d, o, True),
    "pandas": lambda d, o, s: run_pandas(d, o),
}
#: What each method is checked against (equal numbers) and timed against (the ratio).
BASELINES = {"cxscore": "sql", "cxscore_all": "sql_all", "pandas": "cxscore"}


def child(method: str, database: Path, out: Path, store: str | None) -> None:
    started = time.perf_counter()
    details = RUNS[method](database, out, store)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime  # CPU: every thread, DuckDB's too
    print(json.dumps({"method": method, "seconds": seconds, "cpu_seconds": cpu, "peak_mib": peak, **details}))


def measure(method: str, database: Path, out: Path, store: str | None) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", method, "--database", str(database), "--out", str(out)]
    command += ["--store", store] if store and method.startswith("cxscore") else []
    load_before = os.getloadavg()[0]
    done = subprocess.run(command, capture_output=True, text=True)
    load = {"load_before": load_before, "load_after": os.getloadavg()[0]}
    if done.returncode != 0:
        killed = done.returncode == -9
        reason = "killed (out of memory)" if killed else done.stderr.strip().splitlines()[-1]
        nan = float("nan")
        return {
            "method": method,
            "failed": reason,
            "seconds": nan,
            "cpu_seconds": nan,
            "peak_mib": nan,
            **load,
        }
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return {**result, **load}


def check_equal(reference: pd.DataFrame, other: pd.DataFrame, name: str) -> int:
    """Identical groups and n, values and bounds within 1e-9 (relative); returns the rows compared."""
    keys = ["metric", "scope", "scope_id", "period"]
    mine = reference[reference.metric.isin(set(other.metric))].copy()
    other = other[other.metric.isin(set(mine.metric))].copy()
    for frame in (mine, other):
        frame["period"] = pd.to_datetime(frame["period"]).dt.date
    merged = mine.merge(other, on=keys, how="outer", suffixes=("", "_other"), indicator=True)
    unmatched = merged[merged["_merge"] != "both"]
    if len(unmatched):
        raise SystemExit(f"{name}: {len(unmatched)} rows differ in their groups, e.g.\n{unmatched.head()}")
    if not (merged.n == merged.n_other).all():
        raise SystemExit(f"{name}: n differs:\n{merged[merged.n != merged.n_other].head()}")
    for column in ("value", "lower", "upper"):
        a, b = merged[column].to_numpy(dtype="float64"), merged[f"{column}_other"].to_numpy(dtype="float64")
        if not (np.isnan(a) == np.isnan(b)).all():
            bad = merged[np.isnan(a) != np.isnan(b)]
            raise SystemExit(f"{name}: {column} is missing on one side only:\n{bad.head()}")
        both = ~np.isnan(a)
        if not np.allclose(a[both], b[both], rtol=1e-9, atol=1e-9):
            bad = merged[both][~np.isclose(a[both], b[both], rtol=1e-9, atol=1e-9)]
            raise SystemExit(f"{name}: {column} differs beyond 1e-9:\n{bad.head()}")
    return len(merged)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, help="a cxscore project (e.g. made by `cxscore demo`)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each method; the median is reported")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--methods", default=",".join(RUNS), help="comma-separated, from: " + ", ".join(RUNS))
    parser.add_argument(
        "--store", help="run cxscore on this store (a PostgreSQL or Spark URL holding the same data)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.database, args.out, args.store)
        return
    from cxscore.store import open_project

    database = open_project(args.project).database_path
    report: dict[str, Any] = {"database": str(database), "store": args.store or "duckdb", "runs": {}}
    methods = [m for m in args.methods.split(",") if m in RUNS]
    with tempfile.TemporaryDirectory() as folder:
        outputs = {m: Path(folder) / f"{m}.parquet" for m in methods}
        runs: dict[str, list[dict[str, Any]]] = {m: [] for m in methods}
        for _ in range(args.repeat):  # interleaved, so that a busy spell of the machine hits every method
            for method in methods:
                runs[method].append(measure(method, database, outputs[method], args.store))
        for method, found in runs.items():
            report.setdefault("every_run", {})[method] = list(found)  # in the order they ran
            found.sort(key=lambda r: r["seconds"])
            report["runs"][method] = found[len(found) // 2]
        ok = [m for m in methods if "failed" not in report["runs"][m]]
        report["rows_checked"] = {
            m: check_equal(pd.read_parquet(outputs[BASELINES[m]]), pd.read_parquet(outputs[m]), m)
            for m in ok
            if BASELINES.get(m) in ok
        }
    for method, run in report["runs"].items():
        base = report["runs"].get(BASELINES.get(method, ""), {})
        run["ratio"] = run["seconds"] / base["seconds"] if base else float("nan")
        run["cpu_ratio"] = run["cpu_seconds"] / base["cpu_seconds"] if base else float("nan")
    if args.json:
        print(json.dumps(report, indent=1))
        return
    print(f"Database: {database}; store: {report['store']}; rows checked equal: {report['rows_checked']}")
    print(
        "| method | metrics | time | CPU time | compared with | time ratio | CPU ratio | peak memory | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for method, run in report["runs"].items():
        load = f"{run['load_before']:.1f} -> {run['load_after']:.1f}"
        if "failed" in run:
            print(f"| {method} | - | {run['failed']} | - | - | - | - | - | {load} |")
            continue
        print(f"| {method} | {run['metrics']} | {run['seconds']:.2f} s | {run['cpu_seconds']:.1f} s | "
              f"{BASELINES.get(method, '-')} | {run['ratio']:.2f} | {run['cpu_ratio']:.2f} | "
              f"{run['peak_mib']:.0f} MiB | {load} |")  # fmt: skip


if __name__ == "__main__":
    main()
