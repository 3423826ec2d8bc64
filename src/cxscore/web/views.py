"""What the pages compute, cached per version of the store's data.

A snapshot holds one scorecard evaluator and one set of leaderboards (each metric computed once per
scope and grain, then reused by every page) and a cache of page results keyed by the page and its
filters. The version is the import log (`_imports`: how many imports, the last one's end), the
quarantine's row count and the project's configuration files (modification times and sizes); it is read
at most every `cache_seconds`, and a new version starts a new snapshot, so an import or an edited metric,
scorecard, goal, program or plan is visible within that time without restarting the server.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import pandas as pd

    from cxscore.rewards import Leaderboards
    from cxscore.scorecards.evaluation import Evaluator
    from cxscore.scorecards.period import Period
    from cxscore.store import Project, Store
    from cxscore.web.access import Organisation

__all__ = ["Snapshot", "Views"]

T = TypeVar("T")
#: Page results kept per snapshot (least recently used dropped first).
MAX_ENTRIES = 512


class Snapshot:
    """The computed results of one version of the data; every store access holds the app's lock."""

    def __init__(
        self, project: Project, store: Store, lock: threading.RLock, version: tuple[Any, ...]
    ) -> None:
        self.project = project
        self.store = store
        self.lock = lock
        self.version = version
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()

    @cached_property
    def evaluator(self) -> Evaluator:
        from cxscore.scorecards.api import open_evaluator

        with self.lock:
            evaluator = open_evaluator(self.project, self.store)
            # Read the organisation tables now, holding the lock: pages use them outside it afterwards.
            for table in ("teams", "people", "memberships"):
                evaluator.results.engine.frame(table)
            evaluator.results.engine.closure()
            return evaluator

    @cached_property
    def boards(self) -> Leaderboards:
        from cxscore.rewards import Leaderboards

        return Leaderboards(self.evaluator.results.engine, project_root=self.project.root)

    @cached_property
    def latest_quarter(self) -> Period:
        from cxscore.scorecards.period import latest_complete_quarter

        with self.lock:
            return latest_complete_quarter(self.store)

    @cached_property
    def organisation(self) -> Organisation:
        from cxscore.web.access import Organisation

        return Organisation(self.teams, self.memberships)

    @property
    def teams(self) -> pd.DataFrame:
        return self.evaluator.results.teams

    @property
    def people(self) -> pd.DataFrame:
        return self.evaluator.results.people

    @property
    def memberships(self) -> pd.DataFrame:
        return self.evaluator.results.memberships

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached result for `key`, computed (holding the store's lock) when missing."""
        with self.lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                found: T = self._cache[key]
                return found
            value = compute()
            self._cache[key] = value
            while len(self._cache) > MAX_ENTRIES:
                self._cache.popitem(last=False)
            return value


class Views:
    """Hands out the snapshot of the current data version."""

    def __init__(
        self, project: Project, store: Store, lock: threading.RLock, cache_seconds: float = 5.0
    ) -> None:
        self.project = project
        self.store = store
        self.lock = lock
        self.cache_seconds = cache_seconds
        self._snapshot: Snapshot | None = None
        self._checked = 0.0

    def current(self) -> Snapshot:
        now = time.monotonic()
        with self.lock:
            if self._snapshot is None or now - self._checked >= self.cache_seconds:
                version = self.version()
                self._checked = now
                if self._snapshot is None or self._snapshot.version != version:
                    self._snapshot = Snapshot(self.project, self.store, self.lock, version)
            return self._snapshot

    def refresh(self) -> None:
        """Read the version at the next request instead of up to `cache_seconds` later: this process has
        just changed the data (an import on the Import page), and the pages should show it at once."""
        with self.lock:
            self._checked = float("-inf")

    def version(self) -> tuple[Any, ...]:
        """The data version (imports so far, the last one's end, rows in the quarantine) and the
        project's configuration files (each with its modification time and size)."""
        with self.lock:
            imports = self.store.execute("SELECT count(*), max(finished_at) FROM _imports").fetchone()
            quarantined = self.store.execute("SELECT count(*) FROM _quarantine").fetchone()
        return (*(imports or ()), *(quarantined or ()), self.project.config_version())
