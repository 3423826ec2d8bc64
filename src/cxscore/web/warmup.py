"""Warming the cache at start-up: the latest quarter's scorecards of the company and every team are
computed in the background, so the first people to open the app do not wait for them."""

from __future__ import annotations

import threading

from cxscore.errors import CXScoreError
from cxscore.web.views import Views

__all__ = ["WarmUp"]


class WarmUp:
    """A part of the app (see `cxscore.service.app`): `start()` begins the work in a thread, `close()`
    stops it between two scorecards."""

    def __init__(self, views: Views) -> None:
        self.views = views
        self.done = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="cxscore-warm-up", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def _run(self) -> None:
        try:
            self._warm()
        except CXScoreError:
            pass  # nothing to warm (an empty store has no quarter yet); pages say why when asked
        finally:
            self.done.set()

    def _warm(self) -> None:
        from cxscore.web.pages.scorecards import evaluate_cached

        snap = self.views.current()
        period = snap.latest_quarter
        scopes = [("company", "company")] + [("team", str(t)) for t in snap.teams["team_id"]]
        for scope, scope_id in scopes:
            if self._stop.is_set():
                return
            try:
                evaluate_cached(snap, scope, scope_id, period)
            except CXScoreError:
                continue  # a team without a scorecard: nothing to warm
