"""Generate the reference documentation from the code: the data model, the command line and the Python API.

Run `make docs` (or `python -m cxscore.reference`) after changing a table, a command or a public function;
a test fails when a table, column or command is missing from the docs, or a page is stale.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import os
import sys
from pathlib import Path

from cxscore.model import TABLES, Table
from cxscore.store.bookkeeping import TABLES as BOOKKEEPING

__all__ = [
    "API_MODULES",
    "cli_markdown",
    "command_paths",
    "data_model_markdown",
    "main",
    "python_api_markdown",
]

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
        + (" Checks: " + "; ".join(o.describe() for o in table.ordered) + "." if table.ordered else "")
        + (f" Listed by: `{table.order_by()}`." if table.listed_by else ""),
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


#: The modules whose `__all__` is the public Python API, in the order data flows through them.
API_MODULES = (
    "cxscore",
    "cxscore.model",
    "cxscore.store",
    "cxscore.ingest",
    "cxscore.metrics",
    "cxscore.stats",
    "cxscore.goals",
    "cxscore.scorecards",
    "cxscore.rewards",
    "cxscore.plans",
    "cxscore.diagnose",
    "cxscore.surveys.api",
    "cxscore.service.app",
    "cxscore.demo",
)

_API_INTRO = """# Python API reference

The public names of each module (its `__all__`) with their signatures and the first paragraph of their
documentation, generated from the code by `make docs`; do not edit by hand. Anything not listed here is
internal and may change. The [command line](cli.md) and the web app (whose HTTP API is described by the
OpenAPI spec at `/openapi.json` of `cxscore serve`, see [the web app](web.md)) are built on these.
"""


def python_api_markdown() -> str:
    """The whole of `docs/python-api.md`."""
    parts = [_API_INTRO]
    for name in API_MODULES:
        module = importlib.import_module(name)
        parts.append(f"\n## `{name}`\n\n{_first_paragraph(module)}\n")
        for public in getattr(module, "__all__", ()):
            if not public.startswith("__"):
                parts.append(_api_entry(public, getattr(module, public)))
    return "\n".join(parts).rstrip() + "\n"


def _api_entry(name: str, obj: object) -> str:
    if isinstance(obj, type) and issubclass(obj, enum.Enum):
        members = ", ".join(f"`{m.name}`" for m in obj)
        return f"### enum `{name}`\n\n{_first_paragraph(obj)} Members: {members}.\n"
    if inspect.isclass(obj):
        lines = [f"### class `{name}{_signature(obj)}`\n\n{_first_paragraph(obj)}\n"]
        for member, value in vars(obj).items():
            if member.startswith("_"):
                continue
            if isinstance(value, property):
                lines.append(f"- `{member}` (property): {_first_paragraph(value.fget)}".rstrip(": "))
            elif inspect.isfunction(value) or isinstance(value, classmethod | staticmethod):
                target = getattr(obj, member)
                lines.append(f"- `{member}{_signature(target)}`: {_first_paragraph(target)}".rstrip(": "))
        return "\n".join(lines) + "\n"
    if callable(obj):
        return f"### `{name}{_signature(obj)}`\n\n{_first_paragraph(obj)}\n"
    return f"### `{name}`\n\n{_value(obj)}\n"


def _first_paragraph(obj: object) -> str:
    doc = inspect.getdoc(obj) or ""
    return " ".join(doc.split("\n\n", 1)[0].split())


class _Annotation:
    """An annotation written as in the source (`str | None`, not `'str | None'`)."""

    def __init__(self, text: object) -> None:
        self.text = text if isinstance(text, str) else inspect.formatannotation(text)

    def __repr__(self) -> str:
        return str(self.text)


def _signature(obj: object) -> str:
    try:
        signature = inspect.signature(obj)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    empty = inspect.Parameter.empty
    parameters = [
        p if p.annotation is empty else p.replace(annotation=_Annotation(p.annotation))
        for p in signature.parameters.values()
    ]
    returns = signature.return_annotation
    return str(
        signature.replace(
            parameters=parameters,
            return_annotation=empty if returns is empty else _Annotation(returns),
        )
    )


def _value(obj: object) -> str:
    """A constant as documentation: short values in full, collections by their size."""
    if isinstance(obj, str | int | float | bool):
        return f"`{obj!r}`"
    if isinstance(obj, dict):
        return f"A dict of {len(obj)} entries."
    if isinstance(obj, tuple | list | frozenset | set):
        items = list(obj)
        if not items:
            return "Empty."
        if len(items) <= 12 and all(isinstance(item, str | int | float) for item in items):
            return "One of " + ", ".join(f"`{item}`" for item in items) + "."
        return f"A {type(obj).__name__} of {len(items)} entries."
    return f"A `{type(obj).__name__}`."


def main(root: Path | None = None) -> None:
    """Write the generated reference pages into `docs/`."""
    docs = (root or Path.cwd()) / "docs"
    docs.mkdir(exist_ok=True)
    os.environ.setdefault("COLUMNS", "100")
    (docs / "data-model.md").write_text(data_model_markdown(), encoding="utf-8")
    (docs / "cli.md").write_text(cli_markdown(), encoding="utf-8")
    (docs / "python-api.md").write_text(python_api_markdown(), encoding="utf-8")
    print(f"Wrote {docs / 'data-model.md'}, {docs / 'cli.md'} and {docs / 'python-api.md'}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    main()
