"""Demo company build speed: `cxscore demo --size large` into a temporary folder.

Reports wall time, peak memory (max RSS of this process, which does all the work) and rows per table,
as a Markdown table and, with --json, as JSON. The large company has about 10 million survey responses
and 5 million support cases, streamed into DuckDB in chunks.

    python benchmarks/demo_large.py                # the large company, seed 7
    python benchmarks/demo_large.py --size medium  # a quicker look
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="large", choices=("small", "medium", "large"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the result as JSON instead of Markdown")
    args = parser.parse_args()

    from cxscore.demo import generate

    with tempfile.TemporaryDirectory(prefix="cxscore-demo-") as folder:
        root = Path(folder) / "demo-company"
        started = time.perf_counter()
        summary = generate(root, args.size, args.seed)
        wall = time.perf_counter() - started
        database = root / "cxscore.duckdb"
        megabytes = database.stat().st_size / 2**20
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss / 1024  # kB on Linux
    cpu = usage.ru_utime + usage.ru_stime  # all threads, DuckDB's included
    result = {
        "size": args.size,
        "seed": args.seed,
        "wall_seconds": round(wall, 1),
        "build_seconds": round(summary.seconds or wall, 1),
        "cpu_seconds": round(cpu, 1),
        "load_average_1min_at_end": round(os.getloadavg()[0], 1),
        "peak_rss_mib": round(peak),
        "database_mib": round(megabytes),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "rows": summary.rows,
        "total_rows": summary.total_rows,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"size {args.size}, seed {args.seed}: {wall:.1f} s wall, {cpu:.0f} s CPU, peak RSS {peak:.0f} MiB, "
        f"store {megabytes:.0f} MiB, {summary.total_rows:,} rows, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at the end\n"
    )
    print("| table | rows |\n|---|---:|")
    for name, count in summary.rows.items():
        print(f"| {name} | {count:,} |")
    for item in summary.truths:
        print(f"\n{item.truth.number}. {item.truth.title}: {item.measured}")


if __name__ == "__main__":
    main()
