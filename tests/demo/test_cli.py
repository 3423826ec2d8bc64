"""`cxscore demo` builds the company, prints what it holds, and refuses to overwrite without --force."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxscore.cli.main import app


@pytest.mark.slow
def test_demo_command_builds_refuses_then_forces(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "demo-company"
    built = runner.invoke(app, ["demo", "--size", "small", "--seed", "3", "--project", str(folder)])
    assert built.exit_code == 0, built.output
    assert "Planted truths" in built.output and "responses" in built.output
    assert (folder / "cxscore.yaml").is_file()
    refused = runner.invoke(app, ["demo", "--project", str(folder)])
    assert refused.exit_code == 1 and "--force" in refused.output
    forced = runner.invoke(app, ["demo", "--project", str(folder), "--force", "--seed", "3"])
    assert forced.exit_code == 0, forced.output
    status = runner.invoke(app, ["status", "--project", str(folder)])
    assert status.exit_code == 0 and "case_assignments" in status.output
