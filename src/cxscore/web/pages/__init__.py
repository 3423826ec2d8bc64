"""The web app's routes: every page at `/...` has its JSON twin at `/api/...` (documented in the OpenAPI
spec at /api/openapi.json), and `?format=csv|xlsx&table=NAME` or `?format=png|svg&chart=NAME` export it."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from cxscore.errors import CXScoreError, NotFoundError
from cxscore.web.site import HERE, Site, client, is_api, site_of

__all__ = ["install"]


def install(app: FastAPI) -> None:
    """Add the web app's pages, API, static files and error pages to `app`."""
    from cxscore.web.pages import admin, auth, diagnosis, payouts, rewards, scorecards, trends

    app.state.site = Site(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (auth, scorecards, rewards, trends, diagnosis, payouts, admin):
        app.include_router(module.router)

    @app.middleware("http")
    async def _rate_limit(request: Request, call_next):  # type: ignore[no-untyped-def]
        if not request.url.path.startswith(("/static/", "/healthz", "/readyz")):
            try:
                site_of(request).limit(request)
            except CXScoreError as error:
                return site_of(request).error(request, error)
        return await call_next(request)

    @app.exception_handler(CXScoreError)
    async def _known(request: Request, error: CXScoreError) -> Response:
        return site_of(request).error(request, error)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        problems = "; ".join(_problem(p) for p in error.errors())
        message = f"The request's values are not valid: {problems}."
        return site_of(request).error(request, _BadRequest(message))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404:
            path = request.url.path
            found = NotFoundError(f"There is no page at {path}. Start from the overview at /.")
            return site_of(request).error(request, found)
        if is_api(request) or error.status_code != 405:
            from fastapi.responses import JSONResponse

            return JSONResponse({"error": str(error.detail), "status": error.status_code}, error.status_code)
        return site_of(request).error(
            request, _BadRequest(f"{request.method} is not allowed on {request.url.path}.")
        )

    _ = client  # the rate limiter keys signed-out requests by address (see Site.limit)


class _BadRequest(CXScoreError, ValueError):
    """A request whose parameters FastAPI refused (maps to 400 through CXScoreError)."""


def _problem(problem: dict[str, object]) -> str:
    where = ".".join(str(p) for p in problem.get("loc", ()) if p not in ("query", "body", "path"))  # type: ignore[attr-defined]
    return f"{where or 'value'} {problem.get('msg', 'is not valid')!s}".replace("Value error, ", "")
