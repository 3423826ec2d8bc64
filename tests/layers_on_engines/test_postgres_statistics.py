"""After a bulk copy into PostgreSQL, the planner should know the tables: without statistics it plans the
layers' joins for empty tables until autovacuum analyses them (a minute or more later). Measured on the
medium demo right after `copy_from`: the balance check took 29 s on PostgreSQL against 1.8 s on DuckDB,
and 6 s once autovacuum had analysed the tables (two queries of a revenue-retention metric took 12 s each,
then 0.05 s)."""

from __future__ import annotations

from typing import Any

import pytest

from cxscore.store import Project, Store

pytestmark = pytest.mark.postgres

LOADED = ("contracts", "account_owners", "responses")


@pytest.mark.xfail(
    strict=True,
    reason="src/cxscore/store/engine_postgres.py: load() (and so Store.copy_from) does not ANALYZE the "
    "table it bulk-loaded with COPY; fix: run ANALYZE on each loaded table after its COPY (or once per "
    "table at the end of copy_from), as ingest/target_postgres.py already does for its temporary tables",
)
def test_a_copied_store_has_planner_statistics(duckdb_demo: Project, postgres_server: Any) -> None:
    database = postgres_server.create_database()
    target = Store.postgres(postgres_server.url(database))
    source = duckdb_demo.store()
    try:
        target.create_schema()
        for name in LOADED:  # only the store's own work may count, not autovacuum's
            target.execute(f'ALTER TABLE "{name}" SET (autovacuum_enabled = false)')
        copied = target.copy_from(source, tables=LOADED)
        assert all(copied[name] > 0 for name in LOADED)
        found = target.execute(
            "SELECT tablename, count(*) FROM pg_stats WHERE schemaname = current_schema() "
            "AND tablename IN (?, ?, ?) GROUP BY tablename",
            list(LOADED),
        ).fetchall()
        assert sorted(name for name, _ in found) == sorted(LOADED), f"column statistics only for {found}"
    finally:
        source.close()
        target.close()
        postgres_server.drop_database(database)
