"""The diagnosis guide cannot rot: every option of every `cxscore diagnose` command is documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer.main

from cxscore.cli.diagnose import app

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "diagnosis.md"
COMMON = {"--project", "--help"}


def _commands() -> list[tuple[str, Any]]:
    group: Any = typer.main.get_command(app)
    return sorted(group.commands.items())


@pytest.mark.parametrize(("name", "command"), _commands(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_option_is_documented(name: str, command: Any) -> None:
    page = GUIDE.read_text(encoding="utf-8")
    assert f"cxscore diagnose {name}" in page
    for parameter in command.params:
        for option in parameter.opts:
            if option.startswith("--") and option not in COMMON:
                assert f"`{option}`" in page, (
                    f"{option} of `cxscore diagnose {name}` is not in docs/diagnosis.md"
                )
