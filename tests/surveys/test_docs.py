"""docs/surveys.md cannot rot: its survey file, settings and follow-up metrics work as shown."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pyarrow as pa
import yaml

import cxscore
from cxscore.metrics import load_catalog
from cxscore.store import Project
from cxscore.surveys.definition import read_survey_file
from cxscore.surveys.settings import read_settings

PAGE = (Path(__file__).resolve().parents[2] / "docs" / "surveys.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```yaml\n(.*?)```", PAGE, flags=re.S)


def block(first_line: str) -> str:
    (found,) = [b for b in BLOCKS if b.startswith(first_line)]
    return found


def test_the_survey_file_shown_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "case-csat.yml"
    path.write_text(block("# surveys/case-csat.yml"), encoding="utf-8")
    survey, problems = read_survey_file(path)
    assert problems == [] and survey is not None
    assert [q.kind for q in survey.questions] == ["csat", "ces", "choice"] and survey.reminder_after_days == 3


def test_the_settings_shown_are_read(tmp_path: Path, monkeypatch: object) -> None:
    settings = {"surveys": {}}
    for text in BLOCKS:
        if text.startswith("surveys:"):
            settings["surveys"].update(yaml.safe_load(text)["surveys"])
    (tmp_path / "cxscore.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    read = read_settings(tmp_path)
    assert read.fatigue_days == 60 and read.smtp is not None and read.smtp.starttls
    assert set(read.webhooks) == {"crm", "typeform", "zendesk"}


def test_the_built_in_follow_up_metrics_listed_compute_per_assignee(project: Project) -> None:
    listed = set(re.findall(r"^\| `(\w+)` \|", PAGE.split("## 5. Close the loop", 1)[1], flags=re.M))
    assert listed == {m.name for m in load_catalog() if m.facts.source == "followup_tasks"}
    opened = dt.datetime(2025, 3, 3, 9)
    store = project.store()
    try:
        store.load(
            "followups",
            pa.table(
                {
                    "followup_id": [f"F-{i}" for i in range(12)],
                    "response_id": [f"R-{i}" for i in range(12)],
                    "reason": ["detractor"] * 12,
                    "assignee_id": ["P-1"] * 12,
                    "opened_at": [opened] * 12,
                    "due_at": [opened + dt.timedelta(hours=48)] * 12,
                    "first_contact_at": [
                        opened + dt.timedelta(hours=i) if i % 3 else None for i in range(12)
                    ],
                    "status": ["open"] * 12,
                }
            ),
        )
    finally:
        store.close()
    contacted = cxscore.compute("followups_contacted", by=["person"], grain="month", project=project.root)
    assert contacted[["scope_id", "value", "n"]].to_dict("records") == [
        {"scope_id": "P-1", "value": 8 / 12, "n": 12}
    ]
    hours = cxscore.compute("followup_time_to_contact", grain="month", project=project.root)
    assert hours["value"].tolist() == [6.0] and hours["n"].tolist() == [
        8
    ]  # median of 1, 2, 4, 5, 7, 8, 10, 11


def test_the_docs_index_links_this_page() -> None:
    index = (Path(__file__).resolve().parents[2] / "docs" / "README.md").read_text(encoding="utf-8")
    assert "(surveys.md)" in index
