"""What the survey endpoints share in one process: settings, keys, definitions, limits, the writer and
the sending schedule.

The store is the surveys' own connection (`app.state.survey_store`, apart from the web app's, so that a
customer never waits for a page's long computation); every access holds its lock (`survey_lock`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cxscore.errors import SurveyDefinitionError
from cxscore.service.ratelimit import RateLimiter
from cxscore.store import Store
from cxscore.surveys.definition import Survey, load_surveys
from cxscore.surveys.keys import Keys
from cxscore.surveys.schedule import SendSchedule
from cxscore.surveys.sending import sync_definitions
from cxscore.surveys.settings import SurveySettings, read_settings
from cxscore.surveys.writer import Writer

__all__ = ["SurveyService"]


class SurveyService:
    """The survey side of `cxscore serve`: a part the app starts and closes."""

    def __init__(self, root: Path, store: Store, lock: threading.RLock) -> None:
        self.root = root
        self.store = store
        self.lock = lock
        self.settings: SurveySettings = read_settings(root)
        self.keys = Keys.of(root)
        self._surveys: dict[str, Survey] = {}
        self._surveys_lock = threading.Lock()
        self.per_link = RateLimiter(*self.settings.per_link)
        self.per_address = RateLimiter(*self.settings.per_address)
        self.per_source = RateLimiter(*self.settings.per_source)
        self.writer = Writer(store, lock, self.surveys)
        self.schedule = SendSchedule(root, store, lock, self.settings, self.surveys)
        # Read now, so that `cxscore serve` reports broken survey files before it starts serving.
        self.reload()

    def start(self) -> None:
        with self.lock:
            # Answers (and webhook rows) name their survey, which the store checks: keep the table current.
            sync_definitions(self.store, self._surveys.values())
        self.writer.start()
        self.schedule.start()

    def close(self) -> None:
        self.schedule.close()
        self.writer.close()

    def reload(self) -> None:
        """Read the survey definitions again (a broken folder keeps the last good definitions)."""
        try:
            surveys = load_surveys(self.root)
        except SurveyDefinitionError:
            if self._surveys:
                return
            raise
        with self._surveys_lock:
            self._surveys = surveys

    def surveys(self) -> Mapping[str, Survey]:
        return self._surveys

    def survey(self, survey_id: str) -> Survey | None:
        found = self._surveys.get(survey_id)
        if found is None:
            self.reload()
            found = self._surveys.get(survey_id)
        return found

    @contextmanager
    def locked(self) -> Iterator[Store]:
        with self.lock:
            yield self.store

    def link_row(self, invitation_id: str) -> tuple[Any, ...] | None:
        """(survey_id, language, used_at, submission) of a link, or None."""
        with self.locked() as store:
            row = store.execute(
                "SELECT survey_id, language, used_at, submission FROM _survey_links WHERE invitation_id = ?",
                [invitation_id],
            ).fetchone()
        return tuple(row) if row else None
