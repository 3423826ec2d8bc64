"""Sending on a schedule inside `cxscore serve`: due invitations and reminders every few minutes.

The embedded store allows one process, so while the server runs, `cxscore surveys send` cannot; the
server does it itself. Every `send_every_minutes` (cxscore.yaml `surveys:`; 0 turns it off) a thread
sends what the triggers select (a case closed a day ago, a renewal, an event attended ...) and the
reminders due, exactly as the command would. It holds the surveys' store lock only while it reads and
writes the store, never while it talks to the mail server, so answers are not kept waiting on e-mail.
Nothing is sent without an SMTP server in the settings.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cxscore.store import Store
from cxscore.surveys.definition import Survey
from cxscore.surveys.sending import SendReport, send_reminders, send_surveys, utc_now
from cxscore.surveys.settings import SurveySettings

__all__ = ["Round", "SendSchedule"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Round:
    """One scheduled round: when it ran, what it sent and what failed (or why it could not run)."""

    at: datetime
    invited: int
    reminded: int
    failed: tuple[str, ...]
    error: str | None = None


class SendSchedule:
    """A part of the server (`start()`/`close()`): a thread sending every `settings.send_every_minutes`.

    `run_once()` does one round now (the thread calls it; tests and an admin may too)."""

    def __init__(
        self,
        root: Path,
        store: Store,
        lock: threading.RLock,
        settings: SurveySettings,
        surveys: Callable[[], Mapping[str, Survey]],
    ) -> None:
        self.root = root
        self.store = store
        self.lock = lock
        self.settings = settings
        self.surveys = surveys
        self.rounds: list[Round] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._running = threading.Lock()
        #: Seconds between rounds (from the settings; a test may shorten it before `start()`).
        self.every_seconds = 60.0 * settings.send_every_minutes

    @property
    def enabled(self) -> bool:
        return self.settings.send_every_minutes > 0 and self.settings.smtp is not None

    def start(self) -> None:
        if self.enabled and self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="cxscore-survey-sender", daemon=True)
            self._thread.start()

    def close(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout=60)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(self.every_seconds):
            self.run_once()

    def run_once(self, now: datetime | None = None) -> Round:
        """Send what is due now; one round at a time. Errors are logged and kept, never raised."""
        with self._running:
            at = now or utc_now()
            surveys = dict(self.surveys())
            try:
                sent = self._send(surveys, at)
            except Exception as error:  # the server goes on; the next round tries again
                log.exception("Scheduled survey sending failed")
                done = Round(at, 0, 0, (), f"{type(error).__name__}: {error}")
            else:
                invited, reminded = sent
                failed = (*invited.failed, *reminded.failed)
                done = Round(at, invited.total, reminded.total, failed)
                if done.invited or done.reminded or failed:
                    log.warning(
                        "Surveys sent on schedule: %d invitations, %d reminders, %d failed",
                        done.invited,
                        done.reminded,
                        len(failed),
                    )
            self.rounds = [*self.rounds[-99:], done]
            return done

    def _send(self, surveys: dict[str, Survey], at: datetime) -> tuple[SendReport, SendReport]:
        def hold() -> threading.RLock:  # the store only under the surveys' store lock, mail outside it
            return self.lock

        invited = send_surveys(self.store, self.root, self.settings, surveys, now=at, hold=hold)
        reminded = send_reminders(self.store, self.root, self.settings, surveys, now=at, hold=hold)
        return invited, reminded
