"""The web app's shared parts: templates, accounts, the cache, signing in, and answering a page in the
format asked for (HTML, its JSON twin under /api, CSV or Excel of a table, PNG or SVG of a chart).

A page function returns a `Page`; `Site.answer` turns it into the response. Errors raised on purpose
(`cxscore.errors`) become 4xx answers whose message names the thing, the value and the fix: an HTML page
for people, `{"error": ..., "status": ...}` for scripts.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
import io
import math
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from cxscore import errors
from cxscore.metrics.display import format_change
from cxscore.service.ratelimit import RateLimiter
from cxscore.service.secrets import derive_key, project_secret
from cxscore.web.access import Access
from cxscore.web.accounts import Accounts, User
from cxscore.web.oidc import PendingSignIns, Provider
from cxscore.web.views import Snapshot, Views

if TYPE_CHECKING:
    from cxscore.service.settings import WebSettings

__all__ = ["SESSION_COOKIE", "Page", "Site", "site_of"]

HERE = Path(__file__).parent
SESSION_COOKIE = "cxscore_session"
LOGIN_COOKIE = "cxscore_login"
FORMATS = ("html", "json", "csv", "xlsx", "png", "svg")
#: Where `make htmx` puts htmx (git-ignored), under this package.
HTMX = "static/vendor/htmx.min.js"
#: The element htmx swaps: a request aimed at it gets only what is inside it.
PARTIAL_TARGET = "main"
MAIN_OPEN = '<main id="main">'

#: HTTP status of each error raised on purpose.
STATUS: tuple[tuple[type[Exception], int], ...] = (
    (errors.AccountLockedError, 429),
    (errors.AuthenticationError, 401),
    (errors.AccessDeniedError, 403),
    (errors.NotFoundError, 404),
    (errors.RateLimitedError, 429),
    (errors.DiagnosisError, 422),
    # The project's definition files need mending: the server's fault, not the request's.
    (errors.DefinitionError, 500),
    (errors.CXScoreError, 400),
)


@dataclass
class Page:
    """What a page shows: its template and data (the JSON twin), tables to export and charts."""

    title: str
    template: str
    data: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    charts: dict[str, dict[str, Any]] = field(default_factory=dict)
    audit: tuple[str, str | None] | None = None  # (action, subject) to write to the audit log


class Site:
    """Everything the pages share; one per app (`app.state.site`)."""

    def __init__(self, app: FastAPI) -> None:
        settings: WebSettings = app.state.settings
        self.app = app
        self.settings = settings
        self.project = app.state.project
        self.lock = app.state.store_lock
        self.accounts = Accounts(
            app.state.store,
            self.lock,
            session_hours=settings.session_hours,
            lockout_failures=settings.lockout_failures,
            lockout_minutes=settings.lockout_minutes,
        )
        self.views = Views(self.project, app.state.store, self.lock, settings.cache_seconds)
        secret = project_secret(self.project.root)
        self.csrf_key = derive_key(secret, "csrf")
        # Single sign-on (OpenID Connect) when an issuer and a client id are set; see `cxscore.web.oidc`.
        self.oidc: Provider | None = None
        if settings.oidc_enabled:
            self.oidc = Provider(settings.oidc_issuer, settings.oidc_client_id, settings.oidc_client_secret)
        self.pending_sign_ins = PendingSignIns(derive_key(secret, "oidc-pending"))
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        # htmx is fetched by `make htmx` (never committed); the pages use it when it is there.
        self.htmx = (HERE / HTMX).is_file()
        self.templates.env.globals["format_number"] = format_number
        self.templates.env.globals["format_change"] = format_change
        self.templates.env.filters["pct"] = lambda v: "" if v is None else f"{v:.0%}"
        self.templates.env.filters["money"] = money
        # Sign-ins per address: `login_burst` at once, then one every 2 s. Per account name: twice the
        # lockout's failures, then one every 6 s (names that do not exist have no lockout to stop guessing).
        self.login_limit = RateLimiter(per_second=0.5, burst=settings.login_burst)
        self.account_limit = RateLimiter(per_second=1 / 6, burst=2 * settings.lockout_failures)
        # Every other request: per session (or address when signed out).
        self.request_limit = RateLimiter(per_second=30, burst=300)

    # -- who is asking -------------------------------------------------------------------------------

    def user(self, request: Request) -> User:
        """The signed-in user (session cookie or API token), or AuthenticationError."""
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            found = self.accounts.token_user(header[7:].strip())
            if found is None:
                raise errors.AuthenticationError(
                    "The API token is not valid (unknown, revoked or expired). Create one on the Account "
                    "page or with `cxscore users token USER NAME`."
                )
            return found
        token = request.cookies.get(SESSION_COOKIE)
        found = self.accounts.session_user(token) if token else None
        if found is None:
            raise errors.AuthenticationError(
                "Sign in to see this page; your session has ended or never began."
            )
        return found

    def access(self, user: User, day: dt.date | None = None) -> Access:
        snap = self.snapshot()
        return Access(user, snap.organisation, day or snap.latest_quarter.end)

    def snapshot(self) -> Snapshot:
        return self.views.current()

    def limit(self, request: Request) -> None:
        key = request.cookies.get(SESSION_COOKIE) or request.headers.get("authorization") or client(request)
        self.request_limit.check("req:" + key, "requests")

    # -- CSRF ----------------------------------------------------------------------------------------

    def csrf_token(self, request: Request) -> str:
        """The token forms carry: tied to the session (or, before signing in, to the login cookie)."""
        basis = request.cookies.get(SESSION_COOKIE) or getattr(request.state, "login_nonce", None)
        basis = basis or request.cookies.get(LOGIN_COOKIE, "")
        return hmac.new(self.csrf_key, basis.encode(), "sha256").hexdigest()

    def check_csrf(self, request: Request, sent: str | None) -> None:
        expected = self.csrf_token(request)
        if not sent or not hmac.compare_digest(sent, expected):
            raise errors.AccessDeniedError(
                "The form's security token is missing or stale (CSRF protection). Reload the page and "
                "submit the form again."
            )

    @staticmethod
    def new_login_nonce() -> str:
        return secrets.token_urlsafe(24)

    # -- answering -----------------------------------------------------------------------------------

    def answer(
        self, request: Request, user: User, page: Page, fmt: str = "html", name: str | None = None
    ) -> Response:
        """The page in the format asked for; payout pages write the audit log first."""
        api = is_api(request)
        chosen = "json" if api and fmt == "html" else fmt
        if chosen not in FORMATS:
            raise errors.ConfigError(f"Unknown format '{fmt}'. Use one of: {', '.join(FORMATS)}.")
        if page.audit is not None:
            action, subject = page.audit
            self.accounts.audit(
                user.username, action, subject, f"{request.url.path}?{request.url.query} ({chosen})"
            )
        if chosen == "json":
            return JSONResponse(clean({"title": page.title, **page.data}))
        if chosen in ("csv", "xlsx"):
            return self._table(page, chosen, name)
        if chosen in ("png", "svg"):
            return self._chart(page, chosen, name)
        from cxscore.web.charts import svg

        charts = {name: svg(spec) for name, spec in page.charts.items()}
        return self.html(
            request, page.template, {"page": page, "data": page.data, "user": user, "charts": charts}
        )

    def html(
        self, request: Request, template: str, context: dict[str, Any], status: int = 200
    ) -> HTMLResponse:
        context = {
            "request": request,
            "csrf": self.csrf_token(request),
            "root": request.scope.get("root_path", ""),
            "query": request.query_params,
            "url_with": lambda **changes: url_with(request, **changes),
            "json_url": json_url(request),
            "oidc": self.oidc is not None,
            "htmx": self.htmx,
            **context,
        }
        if not is_partial(request):
            response = self.templates.TemplateResponse(request, template, context, status_code=status)
            response.headers["Vary"] = "HX-Request"
            return response
        # htmx asks for the content only: the page's <title> and what is inside its <main>, swapped in
        # place. Rendering the whole page and cutting keeps what the templates import at their top.
        whole = self.templates.get_template(template).render(context)
        title = whole[whole.find("<title>") : whole.find("</title>") + len("</title>")]
        body = whole[whole.find(MAIN_OPEN) + len(MAIN_OPEN) : whole.rfind("</main>")]
        return HTMLResponse(f"{title}\n{body}", status_code=status, headers={"Vary": "HX-Request"})

    def _table(self, page: Page, fmt: str, name: str | None) -> Response:
        import pandas as pd

        chosen = name or next(iter(page.tables), None)
        if chosen not in page.tables:
            names = ", ".join(page.tables) or "none"
            raise errors.NotFoundError(f"This page has no table '{name}' to export (tables: {names}).")
        frame = pd.DataFrame(page.tables[chosen])
        stem = f"{slug(page.title)}-{chosen}"
        if fmt == "csv":
            body = frame.to_csv(index=False).encode()
            kind = "text/csv; charset=utf-8"
        else:
            buffer = io.BytesIO()
            with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
                frame.to_excel(writer, index=False, sheet_name=chosen[:31])
            body = buffer.getvalue()
            kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(body, media_type=kind, headers=_attachment(f"{stem}.{fmt}"))

    def _chart(self, page: Page, fmt: str, name: str | None) -> Response:
        from cxscore.web.charts import png, svg

        chosen = name or next(iter(page.charts), None)
        if chosen not in page.charts:
            names = ", ".join(page.charts) or "none"
            raise errors.NotFoundError(f"This page has no chart '{name}' (charts: {names}).")
        spec = page.charts[chosen]
        if fmt == "png":
            return Response(
                png(spec), media_type="image/png", headers=_attachment(f"{slug(page.title)}-{chosen}.png")
            )
        return Response(svg(spec), media_type="image/svg+xml")

    def error(self, request: Request, error: Exception) -> Response:
        status = next(code for kind, code in STATUS if isinstance(error, kind))
        headers = {}
        retry = getattr(error, "retry_after", None)
        if retry is not None:
            headers["Retry-After"] = str(max(1, math.ceil(retry)))
        message = str(error)
        if is_api(request) or "application/json" in request.headers.get("accept", "").split(",")[0]:
            return JSONResponse({"error": message, "status": status}, status_code=status, headers=headers)
        if status == 401 and not isinstance(error, errors.AccountLockedError):
            target = local_path(request) + (f"?{request.url.query}" if request.url.query else "")
            root = request.scope.get("root_path", "")
            login = f"{root}/login?next={quote(target)}"
            if request.headers.get("hx-request") == "true":  # htmx: the whole window goes to sign in
                return Response(status_code=204, headers={"HX-Redirect": login})
            return RedirectResponse(login, status_code=303)
        user = None
        with contextlib.suppress(errors.AuthenticationError):
            user = self.user(request)
        response = self.html(
            request, "error.html", {"status": status, "message": message, "user": user}, status=status
        )
        response.headers.update(headers)
        return response


def is_partial(request: Request) -> bool:
    """An htmx request for the main part of a page (not a history restore, which needs the whole page)."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-target") == PARTIAL_TARGET
        and headers.get("hx-history-restore-request") != "true"
    )


def site_of(request: Request) -> Site:
    found: Site = request.app.state.site
    return found


def is_api(request: Request) -> bool:
    root = request.scope.get("root_path", "")
    path = request.url.path
    return path.startswith(f"{root}/api/") or path.startswith("/api/")


def client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def url_with(request: Request, **changes: Any) -> str:
    """This page's URL with some query parameters changed (None removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(params)
    return request.url.path + (f"?{query}" if query else "")


def local_path(request: Request) -> str:
    """The request's path without the reverse proxy's prefix (the root path)."""
    root = str(request.scope.get("root_path", ""))
    path = request.url.path
    return path[len(root) :] if root and path.startswith(root) else path


def json_url(request: Request) -> str:
    """The JSON twin of this page: the same path under /api (the overview's is /api/overview)."""
    root = str(request.scope.get("root_path", ""))
    path = local_path(request)
    twin = "/api/overview" if path in ("", "/") else f"/api{path}"
    params = {k: v for k, v in request.query_params.items() if k not in ("format", "table", "chart")}
    return root + twin + (f"?{urlencode(params)}" if params else "")


def slug(text: str) -> str:
    kept = "".join(c.lower() if c.isalnum() else "-" for c in text)
    return "-".join(part for part in kept.split("-") if part) or "export"


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def clean(value: Any) -> Any:
    """JSON-ready: NaN as None, dates as ISO strings, tuples as lists, numpy numbers as Python ones."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [clean(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "item") and callable(value.item):
        return clean(value.item())
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def money(amount: str | float | None) -> str:
    """An amount of money with thousands separators and cents: 16606.5 -> '16,606.50'."""
    from decimal import Decimal, InvalidOperation

    try:
        return f"{Decimal(str(amount)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(amount)


def format_number(value: float | None, spec: str = ".3g") -> str:
    """A value in a metric's format; missing values as an en dash (never as a number)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "\u2013"
    try:
        return str(format(value, spec))
    except (ValueError, TypeError):
        return f"{value:.3g}"
