"""The store's own tables: schema version, the import log, the quarantine of rejected rows, and the web
app's accounts, sessions, API tokens and audit log."""

from __future__ import annotations

from cxscore.model.schema import Column, Kind, Table
from cxscore.surveys import tables as surveys
from cxscore.web import tables as web_tables

META = Table(
    "_cxscore_meta",
    "Facts about the store itself, such as its schema version.",
    "bookkeeping",
    (
        Column("key", Kind.STRING, "Name of the fact.", "schema_version", required=True),
        Column("value", Kind.STRING, "Its value.", "1", required=True),
    ),
    key=("key",),
)

IMPORTS = Table(
    "_imports",
    "One row per import run, with what it did.",
    "bookkeeping",
    (
        Column(
            "import_id",
            Kind.STRING,
            "Id of the import run.",
            "imp-20250301-101500-3f2a",
            required=True,
        ),
        Column("table_name", Kind.STRING, "The table imported into.", "responses", required=True),
        Column("files", Kind.STRING, "The files read, one per line.", "exports/nps.csv", required=True),
        Column("started_at", Kind.TIMESTAMP, "When it started.", "2025-03-01 10:15:00", required=True),
        Column("finished_at", Kind.TIMESTAMP, "When it committed.", "2025-03-01 10:15:02"),
        Column("rows_read", Kind.INTEGER, "Rows read from the files.", "2385", required=True),
        Column("inserted", Kind.INTEGER, "New rows stored.", "2353", required=True),
        Column("updated", Kind.INTEGER, "Stored rows that changed.", "0", required=True),
        Column("unchanged", Kind.INTEGER, "Rows identical to what was stored.", "0", required=True),
        Column("quarantined", Kind.INTEGER, "Rows rejected to the quarantine.", "32", required=True),
        Column("duplicates", Kind.INTEGER, "Repeated identical rows, stored once.", "0"),
        Column(
            "options",
            Kind.STRING,
            "The import options (mapping, date conventions) as JSON, reused when quarantined rows "
            "are retried.",
            '{"day_first": true, "mapping": {"nps": "NPS_SCORE"}}',
        ),
    ),
    key=("import_id",),
)

QUARANTINE = Table(
    "_quarantine",
    "Rows that failed validation, with every reason, kept until a retry stores them or they are "
    "dropped. `raw` holds the whole row as read, so nothing is lost.",
    "bookkeeping",
    (
        Column("quarantine_id", Kind.STRING, "Id of the quarantined row.", "imp-...:17", required=True),
        Column(
            "import_id",
            Kind.STRING,
            "The import run that rejected it.",
            "imp-20250301-101500-3f2a",
            required=True,
        ),
        Column("table_name", Kind.STRING, "The table it was meant for.", "responses", required=True),
        Column("file", Kind.STRING, "The file it came from.", "exports/nps.csv", required=True),
        Column(
            "line",
            Kind.INTEGER,
            "Its record number in the file (1 = first data row).",
            "17",
            required=True,
        ),
        Column("column_name", Kind.STRING, "The first column at fault.", "nps"),
        Column("value", Kind.STRING, "The offending value as read.", "11"),
        Column(
            "reason",
            Kind.STRING,
            "Every problem found with the row, with the fix.",
            "nps: 11 is above the maximum 10",
            required=True,
        ),
        Column(
            "raw",
            Kind.STRING,
            "The whole row as read, as JSON (after column mapping).",
            '{"response_id": "R-1", "nps": "11"}',
            required=True,
        ),
        Column(
            "status",
            Kind.STRING,
            "`open` until a retry stores it (`resolved`) or it is `dropped`.",
            "open",
            required=True,
            choices=("open", "resolved", "dropped"),
        ),
        Column(
            "quarantined_at",
            Kind.TIMESTAMP,
            "When it was rejected.",
            "2025-03-01 10:15:02",
            required=True,
        ),
    ),
    key=("quarantine_id",),
)

TABLES = (META, IMPORTS, QUARANTINE, *web_tables.TABLES, *surveys.TABLES)
