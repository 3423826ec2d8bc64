"""Mount the survey endpoints on the service: `install(app)` adds the routes and the survey part.

The app must hold `state.project` (the cxscore Project), `state.survey_store` (the surveys' own
connection to the store, apart from the web app's), `state.survey_lock` (the lock every use of it holds)
and `state.parts` (objects with `start()` and `close()` that the app's lifespan calls); see
`cxscore.service.app`. Paths: `/s/` survey pages, `/u/` unsubscribing, `/hooks/` webhooks from other tools.
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
    service = SurveyService(state.project.root, state.survey_store, state.survey_lock)
    state.surveys = service
    app.include_router(pages)
    app.include_router(hooks)
    state.parts.append(service)
