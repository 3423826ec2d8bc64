"""Generate the reference documentation from the code: the data model and the command line.

Run `make docs` (or `python -m cxscore.reference`) after changing a table or a command; a test fails when
a table, column or command is missing from the docs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cxscore.model import TABLES, Table
from cxscore.store.bookkeeping import TABLES as BOOKKEEPING

__all__ = ["cli_markdown", "command_paths", "data_model_markdown", "main"]

_GROUPS = {
    "organisation": "Organisation",
    "customers": "Customers and accounts",
    "products": "Products and versions",
    "contracts": "Contracts and bookings",
    "journey": "The customer journey",
    "support": "Support",
    "events": "Events",
    "surveys": "Surveys",
    "sales": "Sales activities",
    "bookkeeping": "The store's own tables",
}

_INTRO = """# The data model

Every table cxscore stores, generated from `src/cxscore/model/` by `make docs`; do not edit by hand.

Conventions:

- Ids are text, as the source systems give them (`A-10001`, `P-0042`); each table has a natural key, and an
  import upserts by it, so loading the same file twice changes nothing.
- Effective-dated tables (`memberships`, `manager_links`, `account_owners`, `product_managers`) hold
  `valid_from` .. `valid_to` (inclusive, empty = still valid). Credit for an event goes to whoever held the
  role *on the day of the event*, not to today's org chart.
- Timestamps are stored in UTC without a zone; an imported value with an offset is converted.
- The rules column is what the importer checks for every row; a row that breaks one goes to the quarantine
  with the reason (see [importing](importing.md)).
"""


def data_model_markdown() -> str:
    """The whole of `docs/data-model.md`."""
    parts = [_INTRO]
    tables = [*TABLES.values(), *BOOKKEEPING]
    for group, title in _GROUPS.items():
        members = [t for t in tables if t.group == group]
        parts.append(f"\n## {title}\n")
        parts.extend(_table_markdown(t) for t in members)
    return "\n".join(parts).rstrip() + "\n"


def _table_markdown(table: Table) -> str:
    lines = [
        f"\n### `{table.name}`\n",
        table.doc,
        "",
        f"Key: ({', '.join(f'`{k}`' for k in table.key)})."
        + (" Checks: " + "; ".join(o.describe() for o in table.ordered) + "." if table.ordered else ""),
        "",
        "| column | type | rules | meaning | example |",
        "|---|---|---|---|---|",
    ]
    for c in table.columns:
        example = f"`{c.example}`" if c.example else ""
        lines.append(f"| `{c.name}` | {c.kind.value} | {c.rules()} | {c.doc} | {example} |")
    return "\n".join(lines) + "\n"


def command_paths() -> list[list[str]]:
    """Every command of the `cxscore` CLI, as argument lists (`[]` is the top level)."""
    import typer.main

    from cxscore.cli.main import app

    def walk(command: object, path: list[str]) -> list[list[str]]:
        found = [path]
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            found.extend(walk(sub, [*path, name]))
        return found

    return walk(typer.main.get_command(app), [])


def cli_markdown() -> str:
    """The whole of `docs/cli.md`: the `--help` of every command."""
    from typer.testing import CliRunner

    from cxscore.cli.main import app

    runner = CliRunner()
    env = {"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1", "_TYPER_FORCE_DISABLE_TERMINAL": "1"}
    parts = ["# Command-line reference\n", "Generated from the code by `make docs`; do not edit by hand.\n"]
    for path in command_paths():
        result = runner.invoke(app, [*path, "--help"], env=env, prog_name="cxscore")
        title = " ".join(["cxscore", *path])
        text = "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())
        parts.append(f"## `{title}`\n\n```text\n{text}\n```\n")
    return "\n".join(parts)


def main(root: Path | None = None) -> None:
    """Write the generated reference pages into `docs/`."""
    docs = (root or Path.cwd()) / "docs"
    docs.mkdir(exist_ok=True)
    os.environ.setdefault("COLUMNS", "100")
    (docs / "data-model.md").write_text(data_model_markdown(), encoding="utf-8")
    (docs / "cli.md").write_text(cli_markdown(), encoding="utf-8")
    print(f"Wrote {docs / 'data-model.md'} and {docs / 'cli.md'}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    main()
