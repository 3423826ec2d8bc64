"""The metric benchmark on PostgreSQL and Spark: the demo company copied from its DuckDB file, then
`metrics_speed.py --store URL` (cxscore on that engine, checked equal to the hand-written DuckDB SQL).

PostgreSQL is a throwaway server started like the test suite's (`tests/engines.py`: `initdb` and
`pg_ctl` as the postgres user, fsync off, removed afterwards); Spark is a local[2] session over Parquet
folders (written once, under --spark-path, reused by later runs).

    python benchmarks/metrics_engines.py --project demo-medium --engine postgres
    python benchmarks/metrics_engines.py --project demo-medium --engine spark --spark-path /tmp/cx-spark
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import servers

HERE = Path(__file__).resolve().parent


def copy(database: Path, url: str) -> float:
    """Copy every canonical table of the DuckDB file into the store at `url`; the seconds it took."""
    from cxscore.model import TABLES
    from cxscore.store import Store

    started = time.perf_counter()
    source, target = Store.duckdb(database), Store.open(url)
    target.create_schema()
    present = set(source.con.list_tables())  # a demo built before a table was added to the model lacks it
    copied = target.copy_from(source, [name for name in TABLES if name in present])
    target.close()
    print(f"copied {sum(copied.values()):,} rows in {time.perf_counter() - started:.1f} s", flush=True)
    return time.perf_counter() - started


def bench(project: Path, url: str, methods: str, repeat: int) -> None:
    command = [sys.executable, str(HERE / "metrics_speed.py"), "--project", str(project), "--store", url]
    subprocess.run([*command, "--methods", methods, "--repeat", str(repeat)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--engine", choices=("postgres", "spark"), required=True)
    parser.add_argument("--methods", default="cxscore,sql,cxscore_all,sql_all")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--spark-path", type=Path, default=Path("/tmp/cxscore-bench-spark"))
    args = parser.parse_args()
    from cxscore.store import open_project

    database = open_project(args.project).database_path
    if args.engine == "spark":
        url = f"spark:///cxscore?master=local[2]&path={args.spark_path}"
        if not args.spark_path.exists():
            copy(database, url)
        bench(args.project, url, args.methods, args.repeat)
        return
    server = servers.load().PostgresServer.start()
    try:
        server.admin('CREATE DATABASE "cxscore"')
        url = server.url("cxscore")
        copy(database, url)
        bench(args.project, url, args.methods, args.repeat)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
