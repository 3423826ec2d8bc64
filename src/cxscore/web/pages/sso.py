"""Single sign-on with OpenID Connect: `/login/sso` starts it, `/login/sso/callback` finishes it (see
`cxscore.web.oidc` for the protocol). Both are rate-limited per address like the password sign-in. A
refused sign-in gets a page saying why, and no session."""

from __future__ import annotations

import time

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from cxscore.errors import (
    AccessDeniedError,
    AccountLockedError,
    AuthenticationError,
    ConfigError,
    CXScoreError,
    NotFoundError,
)
from cxscore.web.accounts import as_text
from cxscore.web.oidc import PENDING_SECONDS, Identity, Pending, Provider
from cxscore.web.pages.auth import _cookie, _safe_next
from cxscore.web.site import LOGIN_COOKIE, SESSION_COOKIE, Site, client, site_of

router = APIRouter()

#: Holds the pending sign-in (state, nonce, PKCE verifier) between the two steps.
PENDING_COOKIE = "cxscore_sso"
CALLBACK = "/login/sso/callback"
#: Who the audit log names for a refused sign-in when the provider vouched for no e-mail address.
UNKNOWN = "(unknown)"


def _provider(site: Site) -> Provider:
    if site.oidc is None:
        raise NotFoundError(
            "Single sign-on is not configured here: set CXSCORE_OIDC_ISSUER and CXSCORE_OIDC_CLIENT_ID "
            "(docs/how-to/production.md), or sign in with your password at /login."
        )
    return site.oidc


def redirect_uri(site: Site, request: Request) -> str:
    """Where the provider sends the browser back: under CXSCORE_PUBLIC_URL, else this request's address."""
    base = site.settings.public_url or str(request.base_url).rstrip("/")
    return base + CALLBACK


@router.get("/login/sso", include_in_schema=False)
def start(request: Request, next: str | None = Query(None, max_length=2048)) -> Response:
    """Send the browser to the identity provider, with a fresh state, nonce and PKCE challenge."""
    site = site_of(request)
    provider = _provider(site)
    site.login_limit.check("ip:" + client(request), "sign-in attempts from your address")
    pending = Pending.new(_safe_next(next), time.time())
    try:
        to_provider = provider.authorization_url(pending, redirect_uri(site, request))
    except CXScoreError as refused:  # the provider is down or set up wrong: say so, not a sign-in loop
        return _refused(site, request, refused)
    response = RedirectResponse(to_provider, 303)
    _cookie(site, response, PENDING_COOKIE, site.pending_sign_ins.seal(pending), max_age=PENDING_SECONDS)
    return response


@router.get(CALLBACK, include_in_schema=False)
def callback(
    request: Request,
    code: str | None = Query(None, max_length=4096),
    state: str | None = Query(None, max_length=512),
    error: str | None = Query(None, max_length=200),
    error_description: str | None = Query(None, max_length=500),
) -> Response:
    """Check the state, exchange the code, verify the ID token, sign in the account of the e-mail."""
    site = site_of(request)
    provider = _provider(site)
    site.login_limit.check("ip:" + client(request), "sign-in attempts from your address")
    identity: Identity | None = None
    try:
        if error:
            raise AuthenticationError(
                f"The identity provider did not sign you in: {error_description or error}. Try again from "
                "the sign-in page."
            )
        pending = site.pending_sign_ins.take(request.cookies.get(PENDING_COOKIE), state)
        if not code:
            raise AuthenticationError("The identity provider sent no sign-in code. Try again.")
        identity = provider.identity(code, pending, redirect_uri(site, request))
        user = site.accounts.by_email(identity.email)
    except CXScoreError as refused:
        return _refused(site, request, refused, identity.email if identity else None)
    origin = f"single sign-on as {as_text(identity.email)}, from {client(request)}"
    site.accounts.audit(user.username, "sign in", user.username, origin)
    token = site.accounts.open_session(user)
    response = RedirectResponse(request.scope.get("root_path", "") + pending.next, status_code=303)
    _cookie(site, response, SESSION_COOKIE, token, max_age=int(site.settings.session_hours * 3600))
    response.delete_cookie(PENDING_COOKIE, path="/")
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


def _refused(site: Site, request: Request, refused: CXScoreError, email: str | None = None) -> Response:
    """The page saying why single sign-on did not sign the browser in (no session is made); the audit
    log gets the reason, with the e-mail address when the provider had vouched for one."""
    status = next(code for kind, code in REFUSALS if isinstance(refused, kind))
    who = as_text(email) if email else UNKNOWN
    reason = f"single sign-on: {refused}, from {client(request)}"
    site.accounts.audit(who, "sign-in failed", as_text(email) if email else None, reason)
    context = {"user": None, "message": str(refused), "status": status}
    response = site.html(request, "sso.html", context, status=status)
    response.delete_cookie(PENDING_COOKIE, path="/")
    return response


#: The HTTP status of each kind of refusal: a locked account waits, an account problem is forbidden, a
#: provider that is set up wrong is a bad gateway, anything else did not authenticate.
REFUSALS: tuple[tuple[type[Exception], int], ...] = (
    (AccountLockedError, 429),
    (AccessDeniedError, 403),
    (ConfigError, 502),
    (CXScoreError, 401),
)
