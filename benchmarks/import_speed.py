"""Import speed: `cxscore import` of a survey-response CSV with every validation, beside DuckDB's bare load.

Each measurement runs in its own process, so peak memory (max RSS) is that of the measured work alone.

    python benchmarks/import_speed.py --rows 10000000

The file has realistic columns (ids, a timestamp, NPS/CSAT/CES, a comment, a flag, an account reference) and
0.1% of bad rows (out-of-range scores, unknown accounts), so the quarantine is exercised too.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ACCOUNTS = 5_000


def make_csv(path: Path, rows: int) -> None:
    import duckdb

    duckdb.sql(
        f"""
        COPY (
          SELECT 'R' || i AS response_id,
                 'case-csat' AS survey_id,
                 'A' || (i % {ACCOUNTS}) AS account_id,
                 strftime(TIMESTAMP '2023-01-01' + to_seconds(i % 94000000), '%Y-%m-%d %H:%M:%S')
                   AS responded_at,
                 CASE WHEN i % 1000 = 7 THEN 11 ELSE i % 11 END AS nps,
                 1 + i % 5 AS csat,
                 CASE WHEN i % 3 = 0 THEN NULL ELSE 1 + i % 7 END AS ces,
                 CASE WHEN i % 4 = 0 THEN 'Quick and friendly, thanks! ' || i ELSE NULL END AS comment,
                 CASE WHEN i % 10 = 0 THEN 'true' ELSE 'false' END AS anonymous,
                 CASE WHEN i % 1000 = 3 THEN 'A-unknown' ELSE NULL END AS contact_hint
          FROM range({rows}) t(i)
        ) TO '{path}' (HEADER, DELIMITER ',')
        """
    )


def measure_duckdb(path: Path) -> dict[str, float]:
    import duckdb

    with tempfile.TemporaryDirectory() as folder:
        con = duckdb.connect(str(Path(folder) / "bare.duckdb"))
        start = time.perf_counter()
        con.execute(f"CREATE TABLE responses AS SELECT * FROM read_csv('{path}')")
        seconds = time.perf_counter() - start
        rows = con.execute("SELECT count(*) FROM responses").fetchone()[0]  # type: ignore[index]
        con.close()
    return {"seconds": seconds, "rows": rows}


def measure_cxscore(path: Path) -> dict[str, float]:
    from cxscore.ingest import ImportOptions, import_files
    from cxscore.store import init_project

    with tempfile.TemporaryDirectory() as folder:
        store = init_project(Path(folder) / "bench").store()
        store.execute(f"INSERT INTO accounts (account_id) SELECT 'A' || i FROM range({ACCOUNTS}) t(i)")
        store.execute(
            "INSERT INTO surveys (survey_id, name, kind) VALUES ('case-csat', 'CSAT', 'transactional')"
        )
        start = time.perf_counter()
        result = import_files(
            store, "responses", [path], ImportOptions(mapping={"contact_id": "contact_hint"})
        )
        seconds = time.perf_counter() - start
        store.close()
    return {
        "seconds": seconds,
        "rows": result.rows_read,
        "inserted": result.inserted,
        "quarantined": result.quarantined,
    }


def child(kind: str, path: Path) -> None:
    measured = measure_duckdb(path) if kind == "duckdb" else measure_cxscore(path)
    measured["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(measured))


def run(kind: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--file", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--child", choices=["duckdb", "cxscore"])
    parser.add_argument("--file", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.file)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "responses.csv"
        start = time.perf_counter()
        make_csv(path, args.rows)
        size = path.stat().st_size / 2**20
        print(f"generated {args.rows:,} rows ({size:,.0f} MiB) in {time.perf_counter() - start:.1f} s")
        bare = run("duckdb", path)
        ours = run("cxscore", path)
    ratio = ours["seconds"] / bare["seconds"]
    print(f"DuckDB read_csv into a table: {bare['seconds']:.2f} s, peak RSS {bare['peak_rss_mib']:,.0f} MiB")
    speed = ours["rows"] / ours["seconds"]
    print(f"cxscore import (all validations): {ours['seconds']:.2f} s = {speed:,.0f} rows/s")
    print(
        f"  peak RSS {ours['peak_rss_mib']:,.0f} MiB; inserted {ours['inserted']:,}, "
        f"quarantined {ours['quarantined']:,}"
    )
    print(f"ratio cxscore / DuckDB bare load: {ratio:.2f}x")


if __name__ == "__main__":
    main()
