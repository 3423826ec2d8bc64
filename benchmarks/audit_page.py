"""The audit page's read: the newest entries of a big audit log, with and without its listing index.

Fills `_audit_log` with `--entries` entries (three to a second, numbered in order), then times
`Accounts.audit_entries(200)` (the audit page's query) and one `Accounts.audit` write, first as the store
makes them, then with the index `cx__audit_log_listed` dropped; prints the plans of both reads.

    python benchmarks/audit_page.py --entries 1000000 --engine postgres
    python benchmarks/audit_page.py --entries 1000000 --engine duckdb --with-index

On PostgreSQL the store is a new database on a throwaway server, started like the test suite's
(`tests/engines.py`: fsync off, removed afterwards). DuckDB has no such index (the store makes none there);
`--with-index` creates the same index on DuckDB to show what it would cost and whether a read uses it.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import servers

from cxscore.store import Store
from cxscore.web.accounts import AUDIT_LOG, Accounts, create_tables

HERE = Path(__file__).resolve().parent
INDEX = "cx__audit_log_listed"
FILL = {
    "duckdb": "SELECT TIMESTAMP '2024-01-01' + to_seconds(i // 3), 'user' || (i % 100), 'view payouts', "
    "'P-' || (i % 1000), '/payouts?period=2025 (html)', i FROM range(1, {n} + 1) AS t(i)",
    "postgres": "SELECT TIMESTAMP '2024-01-01' + (i / 3) * INTERVAL '1 second', 'user' || (i % 100), "
    "'view payouts', 'P-' || (i % 1000), '/payouts?period=2025 (html)', i FROM generate_series(1, {n}) AS i",
}


def median_ms(run: Callable[[], object], times: int) -> float:
    run()
    took = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        took.append((time.perf_counter() - start) * 1000)
    return statistics.median(took)


def plan(store: Store) -> str:
    query = (
        "SELECT occurred_at, username, action, subject, detail FROM _audit_log "
        f"ORDER BY {AUDIT_LOG.order_by()} LIMIT 200"
    )
    explain = "EXPLAIN ANALYZE " if store.backend == "postgres" else "EXPLAIN "
    return "\n".join(str(row[-1]) for row in store.execute(explain + query).fetchall())


def measure(store: Store, label: str, times: int) -> None:
    accounts = Accounts(store)
    read = median_ms(lambda: accounts.audit_entries(200), times)
    write = median_ms(lambda: accounts.audit("bench", "view payouts", "P-00044", "/payouts (html)"), times)
    print(f"{label}: read the newest 200 {read:.2f} ms, write one entry {write:.2f} ms (median of {times})")
    print(plan(store))


def run(store: Store, entries: int, times: int, with_index: bool) -> None:
    store.create_schema()
    create_tables(store)
    if with_index:
        store.execute(f"CREATE INDEX {INDEX} ON _audit_log ({AUDIT_LOG.order_by()})")
    start = time.perf_counter()
    store.execute(f"INSERT INTO _audit_log {FILL[store.backend].format(n=entries)}")
    print(f"{store.backend}: {entries:,} entries written in {time.perf_counter() - start:.1f} s")
    store.engine.analyze("_audit_log")
    measure(store, "as the store makes it", times)
    if store.backend == "postgres" or with_index:
        store.execute(f"DROP INDEX {INDEX}")
        store.engine.analyze("_audit_log")
        measure(store, "without the index", times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=("duckdb", "postgres"), default="postgres")
    parser.add_argument("--times", type=int, default=21, help="runs of each timing (the median is shown)")
    parser.add_argument("--with-index", action="store_true", help="on DuckDB: create the index to compare")
    args = parser.parse_args()
    if args.engine == "duckdb":
        with tempfile.TemporaryDirectory() as folder:
            store = Store.duckdb(str(Path(folder) / "store.duckdb"))
            run(store, args.entries, args.times, args.with_index)
            store.close()
        return
    server = servers.load().PostgresServer.start()
    try:
        database = server.create_database()
        store = Store.postgres(server.url(database))
        run(store, args.entries, args.times, args.with_index)
        store.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
