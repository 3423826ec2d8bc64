"""The web app's snapshot follows the project's configuration files, not only the data."""

from __future__ import annotations

import os
import threading
from pathlib import Path

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
