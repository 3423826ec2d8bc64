"""Sending on a schedule inside the server: what is due goes out, the store lock is free during e-mail."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cxscore.store import Project, Store
from cxscore.surveys.definition import load_surveys
from cxscore.surveys.schedule import SendSchedule
from cxscore.surveys.settings import read_settings

from .conftest import NOW, Inbox, Served, free_port, make_app

Schedules = Callable[..., tuple[SendSchedule, threading.RLock]]


@pytest.fixture
def schedule_for() -> Iterator[Schedules]:
    """Makes a schedule on the project's store (opened for it, closed after the test)."""
    stores: list[Store] = []

    def make(company: Project, **changes: Any) -> tuple[SendSchedule, threading.RLock]:
        store = company.store()
        stores.append(store)
        lock = threading.RLock()
        settings = dataclasses.replace(read_settings(company.root), **changes)
        surveys = load_surveys(company.root)
        return SendSchedule(company.root, store, lock, settings, lambda: surveys), lock

    yield make
    for store in stores:
        store.close()


def test_the_server_sends_what_is_due_and_the_reminders(company: Project, inbox: Inbox) -> None:
    with Served(make_app(company)) as served:
        schedule: SendSchedule = served.app.state.surveys.schedule
        assert schedule.enabled  # an SMTP server is set (the inbox) and the default is every 15 minutes
        assert schedule.every_seconds == 15 * 60
        first = schedule.run_once(NOW)
        assert (first.invited, first.reminded, first.failed, first.error) == (3, 0, (), None)
        assert schedule.run_once(NOW + dt.timedelta(hours=1)).invited == 0  # fatigue: nobody again
        later = schedule.run_once(NOW + dt.timedelta(days=3))
        assert later.reminded == 1 and later.invited == 0  # the case survey's one reminder
        with served.app.state.store_lock:  # the web app's connection: the warm-up may be using it
            invitations = served.store.count("invitations")
        assert len(inbox.messages) == 4 and invitations == 3
        from cxscore.web.pages.surveys import _sending  # what the survey administration page shows

        shown = _sending(served.app.state)
        assert (
            shown["enabled"] and shown["every_minutes"] == 15 and shown["smtp"].startswith("smtp://127.0.0.1")
        )
        assert [(r["invited"], r["reminded"]) for r in shown["rounds"]] == [(0, 1), (0, 0), (3, 0)]
        assert [r.at for r in schedule.rounds] == [
            NOW,
            NOW + dt.timedelta(hours=1),
            NOW + dt.timedelta(days=3),
        ]


def test_the_store_lock_is_free_while_an_email_goes_out(
    company: Project, inbox: Inbox, schedule_for: Schedules
) -> None:
    schedule, lock = schedule_for(company)
    free_while_mailing: list[bool] = []
    original = inbox.handle_DATA

    async def checking(server: Any, session: Any, envelope: Any) -> str:
        # The SMTP server runs in its own thread: could an answer take the store lock while a mail goes out?
        took = lock.acquire(blocking=False)
        if took:
            lock.release()
        free_while_mailing.append(took)
        return await original(server, session, envelope)

    inbox.handle_DATA = checking  # type: ignore[method-assign]
    assert schedule.run_once(NOW).invited == 3 and schedule.run_once(NOW + dt.timedelta(days=3)).reminded == 1
    assert free_while_mailing == [True, True, True, True]


def test_the_thread_sends_on_its_own_at_the_interval(
    company: Project, inbox: Inbox, schedule_for: Schedules
) -> None:
    schedule, _ = schedule_for(company)
    schedule.every_seconds = 0.05
    schedule.start()
    try:
        deadline = time.monotonic() + 20
        while len(inbox.messages) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        schedule.close()
    assert len(inbox.messages) == 3 and schedule.rounds[0].invited == 3
    assert schedule._thread is None  # closed


def test_no_sending_without_a_mail_server_or_with_the_interval_at_zero(
    company: Project, monkeypatch: pytest.MonkeyPatch, schedule_for: Schedules
) -> None:
    monkeypatch.delenv("CXSCORE_SMTP_URL", raising=False)
    without, _ = schedule_for(company)
    assert without.settings.smtp is None and not without.enabled
    (company.root / "cxscore.yaml").write_text("surveys:\n  send_every_minutes: 0\n", encoding="utf-8")
    monkeypatch.setenv("CXSCORE_SMTP_URL", "smtp://127.0.0.1:2525")
    assert read_settings(company.root).send_every_minutes == 0
    off, _ = schedule_for(company)
    off.start()
    assert not off.enabled and off._thread is None


def test_a_mail_server_that_is_down_makes_a_failed_round_and_the_next_round_tries_again(
    company: Project, monkeypatch: pytest.MonkeyPatch, schedule_for: Schedules
) -> None:
    monkeypatch.setenv("CXSCORE_SMTP_URL", f"smtp://127.0.0.1:{free_port()}?timeout=2")
    schedule, lock = schedule_for(company)
    failed = schedule.run_once(NOW)
    assert (
        failed.invited == 0
        and failed.error is not None
        and "Cannot connect to the SMTP server" in failed.error
    )
    assert schedule.store.count("invitations") == 0  # nothing counted that was not sent
    assert lock.acquire(blocking=False)  # and nothing left locked
    lock.release()


def test_a_bad_interval_in_the_settings_is_named_with_its_fix(company: Project) -> None:
    from cxscore.errors import ConfigError

    (company.root / "cxscore.yaml").write_text("surveys:\n  send_every_minutes: soon\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"surveys\.send_every_minutes must be a whole number of minutes"):
        read_settings(company.root)
