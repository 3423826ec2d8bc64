"""The docs cannot rot: every table, column and command is documented, and the data model page is current."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

from cxscore.model import TABLES
from cxscore.reference import (
    API_MODULES,
    cli_markdown,
    command_paths,
    data_model_markdown,
    python_api_markdown,
)
from cxscore.store.bookkeeping import TABLES as BOOKKEEPING

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_data_model_page_is_generated_from_the_code() -> None:
    assert (DOCS / "data-model.md").read_text(encoding="utf-8") == data_model_markdown(), (
        "docs/data-model.md is out of date: run `make docs`."
    )


@pytest.mark.parametrize("table", [*TABLES.values(), *BOOKKEEPING], ids=lambda t: t.name)
def test_every_table_and_column_is_documented(table: object) -> None:
    page = (DOCS / "data-model.md").read_text(encoding="utf-8")
    name = table.name  # type: ignore[attr-defined]
    section = page.split(f"### `{name}`", 1)[1].split("\n### ", 1)[0]
    for column in table.columns:  # type: ignore[attr-defined]
        assert column.doc.strip() and column.example is not None, f"{name}.{column.name} needs a doc"
        assert f"| `{column.name}` |" in section, f"{name}.{column.name} is undocumented: run `make docs`"


def test_every_key_column_is_required() -> None:
    for table in TABLES.values():
        for key in table.key:
            assert table.column(key).required, f"{table.name}.{key} is part of the key but optional"


def test_every_command_is_documented() -> None:
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    for path in command_paths():
        title = " ".join(["cxscore", *path])
        assert f"## `{title}`" in page, f"`{title}` is missing from docs/cli.md: run `make docs`"


def test_cli_reference_renders_every_command() -> None:
    text = cli_markdown()
    assert text.count("Usage: cxscore") == len(command_paths())


def test_python_api_page_is_generated_from_the_code() -> None:
    assert (DOCS / "python-api.md").read_text(encoding="utf-8") == python_api_markdown(), (
        "docs/python-api.md is out of date: run `make docs`."
    )


@pytest.mark.parametrize("module", API_MODULES)
def test_every_public_function_and_class_says_what_it_does(module: str) -> None:
    loaded = importlib.import_module(module)
    assert inspect.getdoc(loaded), f"{module} needs a module docstring"
    for name in getattr(loaded, "__all__", ()):
        obj = getattr(loaded, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert inspect.getdoc(obj), f"{module}.{name} is public but has no docstring"
