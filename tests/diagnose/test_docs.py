"""The diagnosis guide cannot rot: every option of every diagnosis command is documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer.main

from cxscore.cli.main import app

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "diagnosis.md"
COMMON = {"--project", "--help"}
COMMANDS = ("diagnose", "drivers", "integrity", "verbatims")


def _commands() -> list[tuple[str, Any]]:
    group: Any = typer.main.get_command(app)
    return [(name, group.commands[name]) for name in COMMANDS]


@pytest.mark.parametrize(("name", "command"), _commands(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_option_is_documented(name: str, command: Any) -> None:
    page = GUIDE.read_text(encoding="utf-8")
    assert f"cxscore {name}" in page
    for parameter in command.params:
        for option in parameter.opts:
            if option.startswith("--") and option not in COMMON:
                assert f"`{option}`" in page, f"{option} of `cxscore {name}` is not in docs/diagnosis.md"
