"""The web app's routes: every page at `/...` has its JSON twin at `/api/...` (documented in the OpenAPI
spec at /api/openapi.json), and `?format=csv|xlsx&table=NAME` or `?format=png|svg&chart=NAME` export it."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from cxscore.errors import CXScoreError, NotFoundError
from cxscore.web.site import HERE, Site, is_api, local_path, site_of

__all__ = ["install"]


def install(app: FastAPI) -> None:
    """Add the web app's pages, API, static files and error pages to `app`."""
    from cxscore.web.pages import (
        admin,
        auth,
        diagnosis,
        imports,
        payouts,
        rewards,
        scorecards,
        sso,
        surveys,
        trends,
    )

    app.state.site = Site(app)
    if app.state.settings.warm_up:
        from cxscore.web.warmup import WarmUp

        app.state.parts.append(WarmUp(app.state.site.views))
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (auth, sso, scorecards, rewards, trends, diagnosis, payouts, surveys, imports, admin):
        app.include_router(module.router)

    # Added last, run first: the rate limit, then the upload limit (before a body is read).
    app.add_middleware(imports.UploadLimit, site=app.state.site)
    app.add_middleware(RateLimit, site=app.state.site)

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


#: Paths the site-wide limit leaves alone (see RateLimit).
UNLIMITED = ("/static/", "/healthz", "/readyz", "/s/", "/u/", "/hooks/")


class RateLimit:
    """Every request but static files, health checks and the survey endpoints (`/s/`, `/u/`, `/hooks/`,
    which have their own per-link and per-address limits) takes a token of its session's (or, signed out,
    its address's) bucket; an empty bucket gets the 429 answer. Plain ASGI: cheap per request."""

    def __init__(self, app: ASGIApp, site: Site) -> None:
        self.app = app
        self.site = site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            path = local_path(request)
            if not path.startswith(UNLIMITED):
                try:
                    self.site.limit(request)
                except CXScoreError as error:
                    await self.site.error(request, error)(scope, receive, send)
                    return
        await self.app(scope, receive, send)


class _BadRequest(CXScoreError, ValueError):
    """A request whose parameters FastAPI refused (maps to 400 through CXScoreError)."""


def _problem(problem: dict[str, object]) -> str:
    where = ".".join(str(p) for p in problem.get("loc", ()) if p not in ("query", "body", "path"))  # type: ignore[attr-defined]
    return f"{where or 'value'} {problem.get('msg', 'is not valid')!s}".replace("Value error, ", "")
