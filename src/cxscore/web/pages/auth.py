"""Signing in and out, the account page and API tokens for scripts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from cxscore.errors import AccountLockedError, AuthenticationError
from cxscore.web.site import LOGIN_COOKIE, SESSION_COOKIE, Page, client, site_of

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only paths of this site (no `//host` or scheme), so the sign-in cannot redirect elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", include_in_schema=False)
def login_form(request: Request, next: str | None = None) -> Response:
    site = site_of(request)
    fresh = LOGIN_COOKIE not in request.cookies
    if fresh:
        request.state.login_nonce = site.new_login_nonce()
    response = site.html(request, "login.html", {"next": _safe_next(next), "user": None, "message": None})
    if fresh:
        _cookie(site, response, LOGIN_COOKIE, request.state.login_nonce, max_age=3600)
    return response


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2048)] = "/",
) -> Response:
    site = site_of(request)
    site.check_csrf(request, csrf_token)
    site.login_limit.check("ip:" + client(request), "sign-in attempts from your address")
    site.account_limit.check("user:" + username.lower(), f"sign-in attempts for '{username}'")
    try:
        user = site.accounts.sign_in(username, password, origin=client(request))
    except AccountLockedError:
        raise
    except AuthenticationError as error:
        context = {"next": _safe_next(next), "user": None, "message": str(error)}
        return site.html(request, "login.html", context, status=401)
    token = site.accounts.open_session(user)
    root = request.scope.get("root_path", "")
    response = RedirectResponse(root + _safe_next(next), status_code=303)
    _cookie(site, response, SESSION_COOKIE, token, max_age=int(site.settings.session_hours * 3600))
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, csrf_token: Annotated[str, Form(max_length=128)] = "") -> Response:
    site = site_of(request)
    site.check_csrf(request, csrf_token)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        site.accounts.close_session(token, origin=client(request))
    root = request.scope.get("root_path", "")
    response = RedirectResponse(f"{root}/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account", include_in_schema=False)
@router.get("/api/account", tags=["account"], summary="Who is signed in, and their API tokens")
def account(request: Request, format: str = "html") -> Response:
    site = site_of(request)
    user = site.user(request)
    data = {"user": user.to_dict(), "tokens": site.accounts.tokens(user.username), "new_token": None}
    return site.answer(request, user, Page("Your account", "account.html", data), format)


@router.post("/account/tokens", include_in_schema=False)
def create_token(
    request: Request,
    name: Annotated[str, Form(min_length=1, max_length=100)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    site = site_of(request)
    user = site.user(request)
    site.check_csrf(request, csrf_token)
    token = site.accounts.create_token(user.username, name)
    site.accounts.audit(user.username, "create API token", user.username, name)
    data = {"user": user.to_dict(), "tokens": site.accounts.tokens(user.username), "new_token": token}
    return site.answer(request, user, Page("Your account", "account.html", data))


@router.post("/account/tokens/revoke", include_in_schema=False)
def revoke_token(
    request: Request,
    token_id: Annotated[str, Form(min_length=12, max_length=64)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    site = site_of(request)
    user = site.user(request)
    site.check_csrf(request, csrf_token)
    site.accounts.revoke_token(user.username, token_id)
    root = request.scope.get("root_path", "")
    return RedirectResponse(f"{root}/account", status_code=303)


def _cookie(site: object, response: Response, name: str, value: str, max_age: int) -> None:
    secure = bool(getattr(getattr(site, "settings", None), "secure_cookies", False))
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax", secure=secure, path="/")
