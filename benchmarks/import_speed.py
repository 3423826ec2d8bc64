"""Import speed: `cxscore import` of a survey-response CSV with every validation, beside DuckDB's bare load.

Each measurement runs in its own process, so peak memory (max RSS) is that of the measured work alone.
The import is timed twice: the first load, then the same file again (every row compared, none changed).

    python benchmarks/import_speed.py --rows 10000000
    python benchmarks/import_speed.py --rows 1000000 --engine postgres

With `--engine postgres` the store is a new database on a throwaway PostgreSQL server, started like the
test suite's (`tests/engines.py`: fsync off, removed afterwards), and the bare load beside it is
PostgreSQL's own `COPY` of the file into a table of text columns (no checks).

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

import servers

ACCOUNTS = 5_000
HERE = Path(__file__).resolve().parent


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


def measure_postgres(path: Path, url: str) -> dict[str, float]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        header = path.open(encoding="utf-8").readline().strip().split(",")
        con.execute(f"CREATE TABLE bare ({', '.join(f'{c} TEXT' for c in header)})")
        start = time.perf_counter()
        statement = "COPY bare FROM STDIN (FORMAT csv, HEADER)"
        with con.cursor() as cursor, cursor.copy(statement) as copy, path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - start
        rows = con.execute("SELECT count(*) FROM bare").fetchone()[0]  # type: ignore[index]
        con.execute("DROP TABLE bare")
    return {"seconds": seconds, "rows": rows}


def measure_cxscore(path: Path, url: str | None) -> dict[str, float]:
    from cxscore.ingest import ImportOptions, import_files
    from cxscore.store import Store, init_project

    with tempfile.TemporaryDirectory() as folder:
        if url:
            store = Store.open(url)
            store.create_schema()
        else:
            store = init_project(Path(folder) / "bench").store()
        store.execute(
            "INSERT INTO accounts (account_id) "
            f"SELECT 'A' || i FROM generate_series(0, {ACCOUNTS - 1}) AS t(i)"
        )
        store.execute(
            "INSERT INTO surveys (survey_id, name, kind) VALUES ('case-csat', 'CSAT', 'transactional')"
        )
        options = ImportOptions(mapping={"contact_id": "contact_hint"})
        start, cpu = time.perf_counter(), time.process_time()
        result = import_files(store, "responses", [path], options)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        start = time.perf_counter()
        again = import_files(store, "responses", [path], options)
        seconds_again = time.perf_counter() - start
        store.close()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rows": result.rows_read,
        "inserted": result.inserted,
        "quarantined": result.quarantined,
        "again_seconds": seconds_again,
        "again_unchanged": again.unchanged,
    }


def child(kind: str, path: Path, url: str | None) -> None:
    if kind == "duckdb":
        measured = measure_duckdb(path)
    elif kind == "postgres":
        assert url is not None
        measured = measure_postgres(path, url)
    else:
        measured = measure_cxscore(path, url)
    measured["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(measured))


def run(kind: str, path: Path, url: str | None = None) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--file", str(path), *(["--url", url] if url else [])],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def measure(engine: str, path: Path) -> tuple[dict[str, float], dict[str, float]]:
    """The bare load and the cxscore import of `path`, each in its own process."""
    if engine == "duckdb":
        return run("duckdb", path), run("cxscore", path)
    server = servers.load().PostgresServer.start()
    try:
        server.admin('CREATE DATABASE "bench"')
        return run("postgres", path, server.url("bench")), run("cxscore", path, server.url("bench"))
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--engine", choices=["duckdb", "postgres"], default="duckdb")
    parser.add_argument("--child", choices=["duckdb", "postgres", "cxscore"])
    parser.add_argument("--file", type=Path)
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.file, args.url)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "responses.csv"
        start = time.perf_counter()
        make_csv(path, args.rows)
        size = path.stat().st_size / 2**20
        print(f"generated {args.rows:,} rows ({size:,.0f} MiB) in {time.perf_counter() - start:.1f} s")
        bare, ours = measure(args.engine, path)
    ratio = ours["seconds"] / bare["seconds"]
    what = "DuckDB read_csv into a table" if args.engine == "duckdb" else "PostgreSQL COPY into text columns"
    print(f"{what}: {bare['seconds']:.2f} s, peak RSS {bare['peak_rss_mib']:,.0f} MiB")
    speed = ours["rows"] / ours["seconds"]
    print(
        f"cxscore import into {args.engine} (all validations): {ours['seconds']:.2f} s = {speed:,.0f} rows/s "
        f"(CPU of the importing process: {ours['cpu_seconds']:.2f} s)"
    )
    print(
        f"  peak RSS {ours['peak_rss_mib']:,.0f} MiB; inserted {ours['inserted']:,}, "
        f"quarantined {ours['quarantined']:,}"
    )
    print(f"ratio cxscore / bare load: {ratio:.2f}x")
    print(f"the same file again: {ours['again_seconds']:.2f} s, {ours['again_unchanged']:,} unchanged")


if __name__ == "__main__":
    main()
