"""Read source files (CSV, Parquet, JSON Lines, or a folder of them) into one staging table of text.

Every value is staged as text, exactly as read, with its file and record number, so that validation can say
which value on which row is wrong, and so that a rejected row can be kept whole in the quarantine. Lines the
CSV parser cannot split into the header's columns are collected too, never dropped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from cxscore.errors import ImportFileError, MappingError
from cxscore.ingest.options import ImportOptions
from cxscore.ingest.scratch import scratch
from cxscore.ingest.sql import ident, literal
from cxscore.model import Table
from cxscore.store import Store

__all__ = ["FORMATS", "STAGE", "Malformed", "StagedFile", "expand_paths", "stage_files", "stage_quarantined"]

#: The selection of a table column the source does not have.
ABSENT = "NULL::VARCHAR"
#: The staging table: one text column per table column, plus `_file` and `_line`.
STAGE = "_cx_stage"
FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
}


@dataclass(frozen=True)
class Malformed:
    """A source line that could not be parsed into the header's columns."""

    file: str
    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class StagedFile:
    """What was read from one file."""

    path: str
    rows: int
    columns: tuple[str, ...]
    ignored_columns: tuple[str, ...]
    malformed: tuple[Malformed, ...]


def expand_paths(paths: list[Path]) -> list[Path]:
    """The files to read: each file as given, and every readable file inside each folder (sorted)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in FORMATS)
            if not found:
                raise ImportFileError(
                    f"Folder {path} has no files to import (looked for {', '.join(sorted(FORMATS))})."
                )
            files.extend(found)
        elif path.is_file():
            if path.suffix.lower() not in FORMATS:
                raise ImportFileError(
                    f"Cannot import {path}: unknown file type '{path.suffix}'. "
                    f"Use one of {', '.join(sorted(FORMATS))} (rename the file if it is one of these)."
                )
            files.append(path)
        else:
            raise ImportFileError(f"File {path} does not exist. Check the path.")
    return files


def normalise(name: str) -> str:
    """A column name reduced for matching: lower case, runs of other characters as one underscore.

    >>> normalise(" Customer Lifetime-Value ")
    'customer_lifetime_value'
    """
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower().lstrip("\ufeff")).strip("_")


def stage_files(
    store: Store,
    table: Table,
    files: list[Path],
    options: ImportOptions,
    names: Mapping[Path, str] | None = None,
) -> list[StagedFile]:
    """Read every file into its own raw table, and define the staging view over all of them, mapped onto
    `table`'s columns. The raw tables are the only copy of the data the import makes before validation.
    Rows are recorded as from `names[path]` where given (an upload's own name), else from the path."""
    staged, selects = [], []
    for number, path in enumerate(files):
        raw = scratch(f"_cx_raw_{number}")
        label = (names or {}).get(path, str(path))
        malformed = tuple(replace(m, file=label) for m in _read_raw(store, raw, path, options))
        source_columns = [str(row[0]) for row in store.execute(f"DESCRIBE {raw}").fetchall()]
        selections = _map_columns(table, source_columns, options, path)
        rows, first = store.execute(f"SELECT count(*), coalesce(min(rowid), 0) FROM {raw}").fetchone()
        # Rowids of a new table follow file order (inside a transaction they start at a large offset).
        columns = ", ".join(f"{selections[c]} AS {ident(c)}" for c in table.column_names)
        selects.append(
            f"SELECT {literal(label)} AS _file, rowid - {first} + 1 AS _line, {columns} FROM {raw}"
        )
        used = set(options.mapping.values()) | {
            s for s in source_columns if normalise(s) in table.column_names
        }
        ignored = tuple(c for c in source_columns if c not in used)
        present = tuple(c for c in table.column_names if selections[c] != ABSENT)
        staged.append(StagedFile(label, int(rows), present, ignored, malformed))
    store.execute(f"CREATE OR REPLACE TEMP VIEW {STAGE} AS {' UNION ALL '.join(selects)}")
    return staged


def stage_quarantined(store: Store, table: Table, source: str) -> list[StagedFile]:
    """Stage quarantined rows of `table`: the workspace table `source` holds their file, line and raw
    JSON."""
    values = ", ".join(
        f"json_extract_string(q.raw, {literal('$.' + _json_path(c))}) AS {ident(c)}"
        for c in table.column_names
    )
    store.execute(
        f"CREATE OR REPLACE TABLE {scratch('_cx_raw_q')} AS "
        f"SELECT q.file AS _file, q.line AS _line, {values} FROM {source} q"
    )
    store.execute(f"CREATE OR REPLACE TEMP VIEW {STAGE} AS SELECT * FROM {scratch('_cx_raw_q')}")
    rows = int(store.execute(f"SELECT count(*) FROM {STAGE}").fetchone()[0])
    present = tuple(
        c
        for c in table.column_names
        if store.execute(f"SELECT count({ident(c)}) FROM {STAGE}").fetchone()[0] or c in table.key
    )
    return [StagedFile("quarantine", rows, present, (), ())]


def _read_raw(store: Store, raw: str, path: Path, options: ImportOptions) -> tuple[Malformed, ...]:
    kind = FORMATS[path.suffix.lower()]
    where = literal(str(path))
    try:
        if kind == "csv":
            return _read_csv(store, raw, path, options)
        if kind == "parquet":
            store.execute(f"CREATE OR REPLACE TABLE {raw} AS SELECT * FROM read_parquet({where})")
            _to_text(store, raw)
        else:
            fmt = "newline_delimited" if kind == "jsonl" else "auto"
            store.execute(
                f"CREATE OR REPLACE TABLE {scratch('_cx_json')} AS "
                f"SELECT json FROM read_json_objects({where}, format={literal(fmt)})"
            )
            keys = [
                str(r[0])
                for r in store.execute(
                    f"SELECT DISTINCT unnest(json_keys(json)) AS k FROM {scratch('_cx_json')} ORDER BY k"
                ).fetchall()
            ]
            fields = ", ".join(f"json ->> {literal('$.' + _json_path(k))} AS {ident(k)}" for k in keys)
            objects = scratch("_cx_json")
            store.execute(
                f"CREATE OR REPLACE TABLE {raw} AS SELECT {fields or 'NULL AS _empty'} FROM {objects}"
            )
            store.execute(f"DROP TABLE {scratch('_cx_json')}")
    except Exception as error:  # duckdb raises many types; the file is what is wrong
        if isinstance(error, ImportFileError):
            raise
        raise ImportFileError(
            f"Cannot read {path} as {kind}: {_first_line(error)}. Check that the file is {kind} "
            "(or give it the right extension)."
        ) from None
    return ()


def _read_csv(store: Store, raw: str, path: Path, options: ImportOptions) -> tuple[Malformed, ...]:
    delimiter = "\t" if path.suffix.lower() == ".tsv" and options.delimiter == "," else options.delimiter
    store.execute("DROP TABLE IF EXISTS _cx_rejects")
    store.execute("DROP TABLE IF EXISTS _cx_reject_scans")
    store.execute(
        f"CREATE OR REPLACE TABLE {raw} AS SELECT * FROM read_csv({literal(str(path))}, "
        f"all_varchar = true, header = true, delim = {literal(delimiter)}, quote = '\"', escape = '\"', "
        f"encoding = {literal(options.encoding)}, strict_mode = false, null_padding = false, "
        "store_rejects = true, rejects_table = '_cx_rejects', rejects_scan = '_cx_reject_scans')"
    )
    rejects = store.execute(
        "SELECT line, min(error_message), any_value(csv_line) FROM _cx_rejects GROUP BY line ORDER BY line"
    ).fetchall()
    return tuple(
        Malformed(str(path), int(line), str(text or ""), f"malformed line: {message}")
        for line, message, text in rejects
    )


def _to_text(store: Store, raw: str) -> None:
    columns = [str(r[0]) for r in store.execute(f"DESCRIBE {raw}").fetchall()]
    select = ", ".join(f"CAST({ident(c)} AS VARCHAR) AS {ident(c)}" for c in columns)
    store.execute(f"CREATE OR REPLACE TABLE {raw} AS SELECT {select} FROM {raw}")


def _map_columns(
    table: Table, source_columns: list[str], options: ImportOptions, path: Path
) -> dict[str, str]:
    """For each table column, the SQL expression that reads it from the raw staged file."""
    by_normal = {normalise(c): c for c in source_columns}
    unknown_targets = [t for t in [*options.mapping, *options.constants] if not table.has_column(t)]
    if unknown_targets:
        raise MappingError(
            f"Table '{table.name}' has no column {', '.join(repr(t) for t in unknown_targets)} "
            f"(has: {', '.join(table.column_names)}). Fix the --map/--set option."
        )
    missing_sources = [s for s in options.mapping.values() if s not in source_columns]
    if missing_sources:
        raise MappingError(
            f"{path} has no column {', '.join(repr(s) for s in missing_sources)} "
            f"(has: {', '.join(source_columns)}). Fix the --map option."
        )
    selections: dict[str, str] = {}
    # A file column mapped explicitly goes where it was mapped, not also to a table column of its name
    # (`--map touchpoint_id=Stage` must not fill the integer `stage` with the stage names too).
    mapped = set(options.mapping.values())
    for column in table.column_names:
        if column in options.constants:
            selections[column] = literal(options.constants[column])
        elif column in options.mapping:
            selections[column] = ident(options.mapping[column])
        elif column in by_normal and by_normal[column] not in mapped:
            selections[column] = ident(by_normal[column])
        else:
            selections[column] = ABSENT
    _derive_key(table, selections, options, source_columns, path)
    missing = [c.name for c in table.columns if c.required and selections[c.name] == ABSENT]
    if missing:
        raise MappingError(
            f"{path} has no column for {', '.join(missing)}, which table '{table.name}' requires "
            f"(the file has: {', '.join(source_columns)}). Map each with --map COLUMN=FILE_COLUMN "
            "or set a value for every row with --set COLUMN=VALUE."
        )
    return selections


def _derive_key(
    table: Table,
    selections: dict[str, str],
    options: ImportOptions,
    source_columns: list[str],
    path: Path,
) -> None:
    absent = [k for k in table.key if selections[k] == ABSENT]
    if not absent:
        if options.key_from:
            raise MappingError(
                f"{path} has a column for the key of table '{table.name}' ({', '.join(table.key)}), so "
                f"--key-from {','.join(options.key_from)} is not needed. Drop --key-from."
            )
        return
    derive = options.key_from_content or options.key_from
    if not derive or len(table.key) != 1:
        fix = (
            " or pass --key-from FILE_COLUMNS (the columns that identify a row) to derive it from them"
            if len(table.key) == 1
            else ""
        )
        raise MappingError(
            f"Table '{table.name}' is keyed by {', '.join(table.key)}, but {path} has no column for "
            f"{', '.join(absent)} (the file has: {', '.join(source_columns)}). Map it with "
            f"--map {absent[0]}=FILE_COLUMN{fix}."
        )
    if options.key_from:
        unknown = [c for c in options.key_from if c not in source_columns]
        if unknown:
            raise MappingError(
                f"--key-from names {', '.join(repr(c) for c in unknown)}, which {path} does not have "
                f"(the file has: {', '.join(source_columns)}). Fix the --key-from option."
            )
        # The named file columns as written, trimmed: a corrected score or label keeps the row's key.
        values = [f"coalesce(trim({ident(c)}), '')" for c in options.key_from]
    else:
        values = [f"coalesce({expr}, '')" for c, expr in selections.items() if c not in table.key]
    prefix = hashlib.sha1(table.name.encode()).hexdigest()[:4]
    selections[table.key[0]] = f"'{prefix}-' || md5(concat_ws(chr(31), {', '.join(values)}))"


def _json_path(key: str) -> str:
    return '"' + key.replace('"', '\\"') + '"'


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
