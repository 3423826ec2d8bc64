"""Ingest: read source files, validate every row, upsert the good ones, quarantine the rest with reasons."""

from __future__ import annotations

from cxscore.ingest.importer import ImportResult, import_files
from cxscore.ingest.options import ImportOptions, parse_assignments, parse_columns

__all__ = ["ImportOptions", "ImportResult", "import_files", "parse_assignments", "parse_columns"]
