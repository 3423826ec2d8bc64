"""The web app's snapshot follows the project's configuration files, not only the data."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cxscore.store import init_project
from cxscore.web.views import Views


def test_editing_a_metric_file_starts_a_new_snapshot_and_an_untouched_project_keeps_it(
    tmp_path: Path,
) -> None:
    project = init_project(tmp_path / "company")
    store = project.store()
    try:
        views = Views(project, store, threading.RLock(), cache_seconds=0.0)
        first = views.current()
        assert views.current() is first  # nothing changed: the same snapshot and its cached pages
        metric = project.root / "metrics" / "mine.yml"
        metric.write_text("metrics: []\n", encoding="utf-8")
        added = views.current()
        assert added is not first
        # An edit that keeps the size is seen by its modification time.
        metric.write_text("metrics: {}\n", encoding="utf-8")
        stat = metric.stat()
        os.utime(metric, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
        assert views.current() is not added
        edited = views.current()
        metric.unlink()
        assert views.current() is not edited
    finally:
        store.close()


def test_the_configuration_version_lists_the_definition_files_and_nothing_else(tmp_path: Path) -> None:
    project = init_project(tmp_path / "company")
    (project.root / "goals" / "team").mkdir()
    (project.root / "goals" / "team" / "support.yml").write_text("x: 1\n", encoding="utf-8")
    (project.root / "reports").mkdir()
    (project.root / "reports" / "summary.csv").write_text("a\n", encoding="utf-8")
    names = [name for name, _, _ in project.config_version()]
    assert names == ["cxscore.yaml", str(Path("goals", "team", "support.yml"))]


def test_a_metric_file_with_a_mistake_shows_its_file_and_line_until_it_is_mended(
    server: Any, clients: dict[str, Any]
) -> None:
    broken = server.project.root / "metrics" / "csat.yml"
    broken.write_text(
        "name: csat\nlabel: CSAT\nkind: npx\nsource: responses\ncolumn: csat\ntime: responded_at\n",
        encoding="utf-8",
    )
    try:
        page = _after_refresh(lambda: clients["executive"].get("/"), lambda r: r.status_code != 200)
        assert page.status_code == 500
        assert "The project's definitions need a fix" in page.text
        assert "metrics/csat.yml:3" in page.text and "npx" in page.text
        api = clients["executive"].get("/api/overview")
        assert api.status_code == 500 and "metrics/csat.yml:3" in api.json()["error"]
    finally:
        broken.unlink()
    assert _after_refresh(lambda: clients["executive"].get("/"), lambda r: r.status_code == 200)


def _after_refresh(get: Callable[[], Any], done: Callable[[Any], bool], seconds: float = 30.0) -> Any:
    """The first answer `done` accepts; the test server checks its version every second."""
    deadline = time.monotonic() + seconds
    while not done(answer := get()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return answer


def test_the_period_filter_offers_no_year_before_the_first_answer(tmp_path: Path) -> None:
    from cxscore.ingest import ImportOptions, import_files
    from cxscore.web.pages.common import period_choices

    project = init_project(tmp_path / "company")
    answers = tmp_path / "answers.csv"
    answers.write_text("id,when,score\nR1,2024-11-03,9\nR2,2025-12-31,7\n", encoding="utf-8")
    store = project.store()
    try:
        mapping = {"response_id": "id", "responded_at": "when", "nps": "score"}
        import_files(store, "responses", [answers], ImportOptions(mapping=mapping))
        views = Views(project, store, threading.RLock(), cache_seconds=0.0)
        # Three years up to 2025-Q4 would reach back to 2023; the data starts in 2024.
        assert period_choices(views.current()) == [
            *("2025-Q4", "2025-Q3", "2025-Q2", "2025-Q1", "2025"),
            *("2024-Q4", "2024-Q3", "2024-Q2", "2024-Q1", "2024"),
        ]
    finally:
        store.close()


def test_a_company_without_teams_is_called_by_its_project_name(tmp_path: Path) -> None:
    from cxscore.web.pages.scorecards import _company_name

    project = init_project(tmp_path / "acme-cx", name="Acme Broadband")
    store = project.store()
    try:
        views = Views(project, store, threading.RLock(), cache_seconds=0.0)
        assert _company_name(views.current()) == "Acme Broadband"  # not the scope's id, 'company'
    finally:
        store.close()
