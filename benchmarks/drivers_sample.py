"""Key drivers on a big store: wall time and peak memory of the sample of facts, or of a whole analysis.

Key drivers resample `--sample` facts: those whose key hashes lowest (see docs/concepts/key-drivers.md).
On a large store choosing them is the step that grows with the data. Two measurements:

    # the sampling step alone over every key of a table: streamed (as key drivers do) or, for
    # comparison, every key fetched into Python and sorted (as key drivers did before)
    python benchmarks/drivers_sample.py --project /path/to/large-demo --keys responses
    python benchmarks/drivers_sample.py --project /path/to/large-demo --keys responses --fetch-all

    # a whole analysis of one metric; its bootstrap intervals come from the sample, so two versions of
    # the code that print the same intervals picked the same facts
    python benchmarks/drivers_sample.py --project /path/to/large-demo --metric nps --json

Run under `/usr/bin/time -v` for the peak RSS of the whole process; the script prints its own
(ru_maxrss) and the wall time of the measured step. Point it at a copy: the analysis opens the store as
the CLI does (upgrading an older schema).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import time
from pathlib import Path
from typing import Any


def sample_keys(project: str, table: str, size: int, fetch_all: bool) -> dict[str, Any]:
    """The `size` lowest-hashing keys (seed 0) of `table`'s first key column, and what it took."""
    from cxscore.diagnose.drivers import _KEY_BATCH, _lowest_hashes
    from cxscore.store import open_project

    store = open_project(Path(project)).open_store()
    try:
        expr = store.con.table(table)
        key = expr.columns[0]
        started = time.perf_counter()
        if fetch_all:
            keys = store.con.execute(expr.select(key))[key]
            digest = lambda k: hashlib.blake2b(f"{k}#0".encode(), digest_size=8).digest()  # noqa: E731
            picked = sorted(keys, key=digest)[:size]
        else:
            picked = _lowest_hashes(
                store.con.to_pyarrow_batches(expr.select(key), chunk_size=_KEY_BATCH), size, 0
            )
        wall = time.perf_counter() - started
    finally:
        store.close()
    chosen = hashlib.sha256("\n".join(map(str, picked)).encode()).hexdigest()[:16]
    return {"table": table, "key": key, "way": "fetch all" if fetch_all else "streamed", "wall_s": wall} | {
        "sample": len(picked),
        "sample_digest": chosen,
    }


def analyse(project: str, metric: str, period: str | None, size: int, resamples: int) -> dict[str, Any]:
    """One key-driver analysis, its wall time and its intervals (which come from the sample)."""
    from cxscore.diagnose.drivers import key_drivers

    started = time.perf_counter()
    result = key_drivers(metric, project=project, period=period, resamples=resamples, sample_size=size)
    wall = time.perf_counter() - started
    return {
        "metric": metric,
        "period": period or "all",
        "facts": result.used,
        "sample": result.sample,
        "wall_s": wall,
        "r2": [round(result.r2, 6), round(result.r2_lower, 6), round(result.r2_upper, 6)],
        "shares": {d.name: [round(d.share, 6), round(d.lower, 6), round(d.upper, 6)] for d in result.drivers},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", required=True, help="a project folder (e.g. a large demo company)")
    parser.add_argument("--keys", metavar="TABLE", help="time the sampling of this table's keys alone")
    parser.add_argument("--fetch-all", action="store_true", help="with --keys: fetch every key, then sort")
    parser.add_argument("--metric", help="time a whole key-driver analysis of this metric")
    parser.add_argument("--period", default=None, help="a year, quarter or month (default: all time)")
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--resamples", type=int, default=50)
    parser.add_argument("--json", action="store_true", help="print the result as JSON instead of Markdown")
    args = parser.parse_args()
    if (args.keys is None) == (args.metric is None):
        parser.error("give --keys TABLE or --metric METRIC")
    if args.keys:
        found = sample_keys(args.project, args.keys, args.sample, args.fetch_all)
    else:
        found = analyse(args.project, args.metric, args.period, args.sample, args.resamples)
    found["wall_s"] = round(found["wall_s"], 1)
    found["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # kB on Linux
    if args.json:
        print(json.dumps(found, indent=2))
        return
    shown = {k: v for k, v in found.items() if k != "shares"}
    print("| " + " | ".join(shown) + " |")
    print("|" + "---|" * len(shown))
    print("| " + " | ".join(str(v) for v in shown.values()) + " |")


if __name__ == "__main__":
    main()
