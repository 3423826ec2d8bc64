"""Import files into a canonical table: stage, validate, quarantine, upsert — all in one transaction.

Files are read and checked in DuckDB (the workspace, see `cxscore.ingest.target`); the store they go
into is DuckDB or PostgreSQL, with the same checks, the same counts and the same guarantees.

Either the whole import happens or none of it: a crash or `kill -9` half-way leaves the store as it was.
Good rows are upserted by natural key (importing the same file twice changes nothing; a corrected file
updates what changed); bad rows go to the quarantine with every reason.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cxscore.ingest.options import ImportOptions
from cxscore.ingest.quarantine import MALFORMED_START, prepare_quarantine
from cxscore.ingest.scratch import scratch
from cxscore.ingest.sources import StagedFile, expand_paths, stage_files, stage_quarantined
from cxscore.ingest.target import Target, target_for
from cxscore.ingest.validate import CHECKED, validate
from cxscore.model import Table
from cxscore.model import table as model_table
from cxscore.store import Store

__all__ = ["ImportResult", "Progress", "import_files", "recent_imports", "retry_quarantined"]

#: Called with a step description as the import advances (the CLI shows a progress bar from it).
Progress = Callable[[str], None]


@dataclass(frozen=True)
class ImportResult:
    """What an import did, row by row accounted for: read = inserted + updated + unchanged +
    duplicates + quarantined (malformed lines are quarantined too)."""

    import_id: str
    table: str
    files: tuple[str, ...]
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    duplicates: int
    quarantined: int
    resolved: int
    ignored_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def stored(self) -> int:
        return self.inserted + self.updated + self.unchanged


def import_files(
    store: Store,
    table_name: str,
    paths: list[Path],
    options: ImportOptions | None = None,
    progress: Progress | None = None,
    names: Mapping[Path, str] | None = None,
) -> ImportResult:
    """Import `paths` (files or folders) into the canonical table `table_name` of a DuckDB or PostgreSQL
    store. `names` gives a file the name its rows are recorded under (the import log, the quarantine)
    instead of its path, e.g. an upload's own name for the private file it was saved to."""
    table = model_table(table_name)
    options = options or ImportOptions()
    files = expand_paths(paths)
    step = progress or (lambda _: None)
    import_id = _new_import_id()
    target = target_for(store)
    with target.session() as work:
        step(f"reading {len(files)} file(s)")
        staged = stage_files(work, table, files, options, names)
        return _process(target, work, table, staged, options, import_id, step)


def recent_imports(store: Store, limit: int = 20) -> list[dict[str, Any]]:
    """The import log's newest `limit` entries: id, table, files, start and the counts."""
    names: tuple[str, ...] = ("import_id", "table_name", "files", "started_at", "rows_read", "inserted")
    names += ("updated", "unchanged", "quarantined")
    rows = store.execute(
        f"SELECT {', '.join(names)} FROM _imports ORDER BY started_at DESC LIMIT {int(limit)}"
    ).fetchall()
    return [dict(zip(names, row, strict=True)) for row in rows]


def retry_quarantined(
    store: Store, table_name: str | None = None, progress: Progress | None = None
) -> list[ImportResult]:
    """Validate the open quarantined rows again (per table and original import options); store the ones
    that now pass, e.g. after the accounts they refer to were imported."""
    step = progress or (lambda _: None)
    target = target_for(store)
    groups = store.execute(
        "SELECT q.table_name, coalesce(i.options, '{}') AS options, count(*) FROM _quarantine q "
        "LEFT JOIN _imports i USING (import_id) WHERE q.status = 'open' AND NOT starts_with(q.raw, ?) "
        + ("AND q.table_name = ? " if table_name else "")
        + "GROUP BY 1, 2 ORDER BY 1, 2",
        [MALFORMED_START, *([table_name] if table_name else [])],
    ).fetchall()
    results = []
    for name, options_json, _ in groups:
        table = model_table(str(name))
        options = ImportOptions.from_json(str(options_json))
        import_id = _new_import_id()
        with target.session() as work:
            step(f"retrying {name}")
            rows = scratch("_cx_open_q")
            target.open_quarantine(work, rows, [table.name, str(options_json), MALFORMED_START])
            staged = stage_quarantined(work, table, rows)
            results.append(_process(target, work, table, staged, options, import_id, step))
    return results


def _process(
    target: Target,
    work: Store,
    table: Table,
    staged: list[StagedFile],
    options: ImportOptions,
    import_id: str,
    step: Progress,
) -> ImportResult:
    """Validate the staged rows in the workspace `work`, then store them in `target` in one transaction."""
    started = datetime.now(UTC).replace(tzinfo=None)
    present = {c for f in staged for c in f.columns}
    # Record numbers are fixed by now; row order no longer matters, and not keeping it saves memory.
    work.execute("SET preserve_insertion_order = false")
    step("validating")
    validate(work, table, options, present, lambda t, c, values: target.reference_keys(work, t, c, values))
    step("quarantining rejected rows")
    malformed = [m for f in staged for m in f.malformed]
    quarantined = prepare_quarantine(work, table, import_id, malformed)
    target.prepare(work, table, present)
    duplicates = int(work.execute(f"SELECT count(*) FROM {CHECKED} WHERE _duplicate").fetchone()[0])
    # Everything so far happened in the workspace; the store changes in this one transaction.
    with target.store.transaction():
        target.lock(table)
        target.store_quarantine(work)
        step("storing")
        changes = target.upsert(work, table, present)
        resolved = target.resolve(work, table)
        result = ImportResult(
            import_id=import_id,
            table=table.name,
            files=tuple(f.path for f in staged),
            rows_read=sum(f.rows for f in staged) + len(malformed),
            inserted=changes.inserted,
            updated=changes.updated,
            unchanged=changes.unchanged,
            duplicates=duplicates,
            quarantined=quarantined,
            resolved=resolved,
            ignored_columns={f.path: f.ignored_columns for f in staged if f.ignored_columns},
        )
        _log(target.store, result, started, options)
    return result


def _new_import_id() -> str:
    return f"imp-{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def _log(store: Store, result: ImportResult, started: datetime, options: ImportOptions) -> None:
    store.execute(
        "INSERT INTO _imports (import_id, table_name, files, started_at, finished_at, rows_read, inserted, "
        "updated, unchanged, quarantined, duplicates, options) "
        "VALUES (?, ?, ?, ?, now()::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?)",
        [
            result.import_id,
            result.table,
            "\n".join(result.files),
            started,
            result.rows_read,
            result.inserted,
            result.updated,
            result.unchanged,
            result.quarantined,
            result.duplicates,
            options.to_json(),
        ],
    )
