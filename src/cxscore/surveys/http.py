"""Mount the survey endpoints on the service: `install(app)` adds the routes and the survey part.

The app must hold `state.project` (the cxscore Project), `state.store` (the process's one Store),
`state.store_lock` (the lock every store access holds) and `state.parts` (objects with `start()` and
`close()` that the app's lifespan calls). Paths: `/s/` survey pages, `/u/` unsubscribing, `/hooks/`
webhooks from other tools.
"""

from __future__ import annotations

from fastapi import FastAPI

from cxscore.surveys.page import router as pages
from cxscore.surveys.service import SurveyService
from cxscore.surveys.webhooks import router as hooks

__all__ = ["install"]


def install(app: FastAPI) -> None:
    """Add the survey routes to `app` and its survey service (with the answer writer) to its parts."""
    state = app.state
    service = SurveyService(state.project.root, state.store, state.store_lock)
    state.surveys = service
    app.include_router(pages)
    app.include_router(hooks)
    state.parts.append(service)
