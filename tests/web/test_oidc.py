"""Single sign-on against a real OpenID Connect provider written here: a small FastAPI app on its own port
with its own RSA (and EC) keys, serving discovery, JWKS, an authorize endpoint that signs in whoever the
test says and a token endpoint that checks PKCE and the client and issues signed ID tokens. cxscore runs
on its own uvicorn server with a fresh project; each test goes through the whole flow over real HTTP."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlencode, urlsplit

import httpx
import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import FastAPI, Form, Header, Request
from fastapi.responses import JSONResponse, RedirectResponse

from cxscore.service.app import create_app
from cxscore.service.ratelimit import RateLimiter
from cxscore.service.settings import WebSettings
from cxscore.store import init_project
from cxscore.web import oidc
from cxscore.web.accounts import Accounts

CLIENT_ID, CLIENT_SECRET = "cxscore", "client secret of cxscore at the provider"
PASSWORD = "correct horse battery staple"


@dataclass
class IdentityProvider:
    """The provider's state: who signs in next, what to tamper with in the next ID token, what it saw."""

    url: str = ""
    rsa_key: Any = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    ec_key: Any = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    stranger_key: Any = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    signer: str = "rsa"  # or "ec" (ES256), "stranger" (a key the JWKS does not hold), "hs256"
    publish_ec: bool = False
    auth_methods: list[str] = field(default_factory=lambda: ["client_secret_basic", "client_secret_post"])
    claims: dict[str, Any] = field(default_factory=dict)
    tamper: dict[str, Any] = field(default_factory=dict)
    shift: dict[str, int] = field(default_factory=dict)  # claims set to the token's time plus these seconds
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    discovery_issuer: str | None = None  # what discovery names as the issuer (None: the real one)
    userinfo_only: bool = False  # e-mail claims only at the userinfo endpoint, not in the ID token
    access_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)

    def jwks(self) -> dict[str, Any]:
        keys = [
            {**jwt.algorithms.RSAAlgorithm.to_jwk(self.rsa_key.public_key(), as_dict=True), "kid": "rsa-1"}
        ]
        if self.publish_ec:
            keys.append(
                {**jwt.algorithms.ECAlgorithm.to_jwk(self.ec_key.public_key(), as_dict=True), "kid": "ec-1"}
            )
        return {"keys": [{**k, "use": "sig"} for k in keys]}

    def id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {
            "iss": self.url,
            "sub": "sub-" + grant["claims"].get("email", "x"),
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            **({} if self.userinfo_only else grant["claims"]),
            **self.tamper,
            **{claim: now + seconds for claim, seconds in self.shift.items()},
        }
        if self.signer == "ec":
            return jwt.encode(claims, self.ec_key, "ES256", headers={"kid": "ec-1"})
        if self.signer == "hs256":
            return jwt.encode(claims, CLIENT_SECRET + "-" * 16, "HS256", headers={"kid": "rsa-1"})
        key = self.stranger_key if self.signer == "stranger" else self.rsa_key
        return jwt.encode(claims, key, "RS256", headers={"kid": "rsa-1"})

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        def discovery() -> dict[str, Any]:
            return {
                "issuer": self.discovery_issuer or self.url,
                "authorization_endpoint": f"{self.url}/authorize",
                "userinfo_endpoint": f"{self.url}/userinfo",
                "token_endpoint": f"{self.url}/token",
                "jwks_uri": f"{self.url}/jwks",
                "response_types_supported": ["code"],
                "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": self.auth_methods,
            }

        @app.get("/userinfo")
        def userinfo(authorization: str = Header()) -> JSONResponse:
            grant = self.access_tokens.get(authorization.removeprefix("Bearer "))
            if grant is None:
                return JSONResponse({"error": "invalid_token"}, status_code=401)
            return JSONResponse({"sub": "sub-" + grant["claims"].get("email", "x"), **grant["claims"]})

        @app.get("/jwks")
        def keys() -> dict[str, Any]:
            return self.jwks()

        @app.get("/authorize")
        def authorize(request: Request) -> RedirectResponse:
            asked = request.query_params
            assert asked["response_type"] == "code" and asked["client_id"] == CLIENT_ID
            assert asked["code_challenge_method"] == "S256" and "openid" in asked["scope"].split()
            code = secrets.token_urlsafe(16)
            self.codes[code] = {
                "nonce": asked["nonce"],
                "challenge": asked["code_challenge"],
                "redirect_uri": asked["redirect_uri"],
                "claims": dict(self.claims),
            }
            back = {"code": code, "state": asked["state"]}
            return RedirectResponse(f"{asked['redirect_uri']}?{urlencode(back)}", status_code=302)

        @app.post("/token")
        def token(
            grant_type: str = Form(),
            code: str = Form(),
            redirect_uri: str = Form(),
            code_verifier: str = Form(),
            client_id: str | None = Form(None),
            client_secret: str | None = Form(None),
            authorization: str | None = Header(None),
        ) -> JSONResponse:
            method = "client_secret_post" if client_secret else "client_secret_basic"
            if authorization:
                pair = base64.b64decode(authorization[6:]).decode()
                client_id, client_secret = (unquote_plus(part) for part in pair.partition(":")[::2])
            self.token_requests.append({"method": method, "verifier": code_verifier})
            grant = self.codes.pop(code, None)  # a code is good once
            digest = hashlib.sha256(code_verifier.encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if (
                grant is None
                or grant_type != "authorization_code"
                or (client_id, client_secret) != (CLIENT_ID, CLIENT_SECRET)
                or method not in self.auth_methods
                or redirect_uri != grant["redirect_uri"]
                or challenge != grant["challenge"]
            ):
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            access = secrets.token_urlsafe(16)
            self.access_tokens[access] = grant
            return JSONResponse(
                {
                    "access_token": access,
                    "token_type": "Bearer",
                    "id_token": self.id_token(grant),
                }
            )

        return app


def _serve(app: FastAPI) -> tuple[str, uvicorn.Server, threading.Thread]:
    import socket

    sock = socket.socket()  # bound here and handed to uvicorn: nothing else can take the port first
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "a test server did not start in 30 s"
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


@dataclass
class World:
    idp: IdentityProvider
    url: str  # cxscore's address
    app: Any


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    idp = IdentityProvider()
    idp.url, idp_server, idp_thread = _serve(idp.app())
    project = init_project(Path(tmp_path_factory.mktemp("sso")) / "co")
    settings = WebSettings(
        oidc_issuer=idp.url,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        warm_up=False,
        login_burst=500,
    )
    app = create_app(project, settings)
    store = app.state.store
    store.execute(
        "INSERT INTO people (person_id, name, email, hired_on, left_on) VALUES "
        "('P-1', 'Maya Chen', 'Maya.Chen@example.com', DATE '2020-01-01', NULL), "
        "('P-2', 'Lou Park', 'lou@example.com', DATE '2020-01-01', NULL), "
        "('P-3', 'Gil Ross', 'gil@example.com', DATE '2020-01-01', DATE '2024-06-30'), "
        "('P-4', 'Una Bell', 'una@example.com', DATE '2020-01-01', NULL)"
    )
    accounts = Accounts(store)
    accounts.add("maya", "manager", PASSWORD, person_id="P-1")
    accounts.add("lou", "employee", PASSWORD, person_id="P-2")
    accounts.add("gil", "employee", PASSWORD, person_id="P-3")
    accounts.add("vic@example.com", "executive", PASSWORD)
    store.execute("UPDATE _users SET locked_until = TIMESTAMP '2099-01-01 00:00:00' WHERE username = 'lou'")
    url, server, thread = _serve(app)
    yield World(idp, url, app)
    for running, started in ((server, thread), (idp_server, idp_thread)):
        running.should_exit = True
        started.join(timeout=10)


@pytest.fixture(autouse=True)
def _fresh_provider(world: World) -> None:
    """Every test starts from an honest provider signing in Maya with a verified address."""
    world.idp.claims = {"email": "maya.chen@example.com", "email_verified": True, "name": "Maya Chen"}
    world.idp.tamper, world.idp.shift, world.idp.signer, world.idp.publish_ec = {}, {}, "rsa", False
    world.idp.discovery_issuer, world.idp.userinfo_only = None, False
    world.idp.auth_methods = ["client_secret_basic", "client_secret_post"]
    world.app.state.site.oidc._metadata = None  # read the discovery document again (cxscore keeps it 1 h)


def _sign_in(world: World, client: httpx.Client | None = None) -> tuple[httpx.Client, httpx.Response, str]:
    """The whole flow: cxscore -> provider -> back to cxscore's callback. Returns the browser, the
    callback's answer and the callback's URL."""
    browser = client or httpx.Client(base_url=world.url, timeout=30)
    started = browser.get("/login/sso", params={"next": "/account"})
    assert started.status_code == 303, started.text
    assert started.headers["location"].startswith(f"{world.idp.url}/authorize?")
    at_provider = httpx.get(started.headers["location"])
    assert at_provider.status_code == 302, at_provider.text
    back = at_provider.headers["location"]
    return browser, browser.get(back), back


def _signed_out(browser: httpx.Client) -> bool:
    return "cxscore_session" not in browser.cookies and browser.get("/api/account").status_code == 401


def test_the_login_page_offers_single_sign_on_when_configured(world: World) -> None:
    page = httpx.get(f"{world.url}/login?next=/teams")
    assert "Sign in with single sign-on" in page.text
    assert 'href="/login/sso?next=/teams"' in page.text


def test_single_sign_on_signs_in_the_account_of_the_verified_email_with_its_local_role(world: World) -> None:
    browser, answer, _ = _sign_in(world)
    assert answer.status_code == 303 and answer.headers["location"] == "/account"
    me = browser.get("/api/account").json()["user"]
    assert (me["username"], me["role"], me["person_id"]) == ("maya", "manager", "P-1")
    assert "cxscore_sso" not in browser.cookies  # the pending sign-in is gone
    seen = world.idp.token_requests[-1]
    assert seen["method"] == "client_secret_basic" and len(seen["verifier"]) >= 43


def test_single_sign_ons_and_their_refusals_are_in_the_audit_log_with_the_reason(world: World) -> None:
    now = dt.datetime.now(dt.UTC)
    time.sleep(1 - now.microsecond / 1e6)  # from the next whole second on (the audit log's resolution)
    since = now.replace(microsecond=0, tzinfo=None) + dt.timedelta(seconds=1)
    _sign_in(world)
    world.idp.claims["email"] = "nobody@example.com"
    _sign_in(world)
    browser = httpx.Client(base_url=world.url, timeout=30)
    browser.get("/login/sso")
    browser.get("/login/sso/callback", params={"error": "access_denied", "error_description": "No."})
    log = {
        (e["username"], e["action"], e["subject"], e["detail"].split(".")[0])
        for e in world.app.state.site.accounts.audit_entries()
        if e["occurred_at"] >= since
    }
    assert log == {
        ("maya", "sign in", "maya", "single sign-on as maya"),  # the detail up to its first '.'
        (
            "nobody@example.com",
            "sign-in failed",
            "nobody@example.com",
            "single sign-on: There is no cxscore account for nobody@example",
        ),
        (
            "(unknown)",
            "sign-in failed",
            None,
            "single sign-on: The identity provider did not sign you in: No",
        ),
    }
    details = [
        e["detail"] for e in world.app.state.site.accounts.audit_entries() if e["occurred_at"] >= since
    ]
    assert "single sign-on as maya.chen@example.com, from 127.0.0.1" in details
    assert all(d.endswith(", from 127.0.0.1") for d in details)


def test_an_account_named_by_its_email_signs_in_and_client_secret_post_works(world: World) -> None:
    world.idp.claims["email"] = "VIC@example.com"
    world.idp.auth_methods = ["client_secret_post"]
    browser, answer, _ = _sign_in(world)
    assert answer.status_code == 303, answer.text
    assert browser.get("/api/account").json()["user"]["role"] == "executive"
    assert world.idp.token_requests[-1]["method"] == "client_secret_post"


def test_es256_tokens_from_a_key_published_after_the_first_sign_in_are_accepted(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sign_in(world)  # the JWKS (RSA key only) is now cached
    monkeypatch.setattr(oidc, "JWKS_REFETCH_SECONDS", 0)
    world.idp.publish_ec, world.idp.signer = True, "ec"
    browser, answer, _ = _sign_in(world)
    assert answer.status_code == 303, answer.text
    assert browser.get("/api/account").json()["user"]["username"] == "maya"


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"tamper": {"nonce": "a nonce from another sign-in"}}, 401, "nonce"),
        ({"tamper": {"aud": "another-app"}}, 401, "issued for another client (aud)"),
        ({"tamper": {"aud": [CLIENT_ID, "another-app"], "azp": "another-app"}}, 401, "another client (azp"),
        ({"tamper": {"iss": "https://evil.example.com"}}, 401, "another issuer (iss)"),
        # Times relative to when the token is made: a time taken here, when the tests are collected,
        # is no longer an hour ahead when a slow run reaches this test an hour later.
        ({"shift": {"exp": -3600, "iat": -7200}}, 401, "expired"),
        ({"shift": {"iat": 3600}}, 401, "dated in the future"),
        ({"signer": "stranger"}, 401, "signature does not match"),
        ({"signer": "hs256"}, 401, "cxscore accepts RS256, ES256"),
        ({"claims": {"email": "maya.chen@example.com", "email_verified": False}}, 401, "is verified"),
        ({"claims": {"email": "nobody@example.com", "email_verified": True}}, 403, "cxscore users add"),
        ({"claims": {"email": "lou@example.com", "email_verified": True}}, 429, "is locked"),
        ({"claims": {"email": "gil@example.com", "email_verified": True}}, 403, "disabled"),
    ],
    ids=[
        "wrong-nonce",
        "wrong-audience",
        "other-authorized-party",
        "wrong-issuer",
        "expired",
        "issued-in-the-future",
        "bad-signature",
        "hs256",
        "unverified-email",
        "unknown-email",
        "locked-account",
        "disabled-account",
    ],
)
def test_a_refused_sign_in_gets_a_clear_page_and_no_session(
    world: World, change: dict[str, Any], status: int, says: str
) -> None:
    for name, value in change.items():
        setattr(world.idp, name, value)
    browser, answer, _ = _sign_in(world)
    assert answer.status_code == status, answer.text
    assert "Single sign-on did not sign you in" in answer.text and says in answer.text
    assert _signed_out(browser)


def test_the_email_may_come_from_the_userinfo_endpoint(world: World) -> None:
    world.idp.userinfo_only = True  # as some providers do: the ID token names only the subject
    browser, answer, _ = _sign_in(world)
    assert answer.status_code == 303, answer.text
    assert browser.get("/api/account").json()["user"]["username"] == "maya"


def test_a_provider_naming_another_issuer_is_refused_before_anyone_signs_in(world: World) -> None:
    world.idp.discovery_issuer = "https://login.example.com/realms/elsewhere"
    browser = httpx.Client(base_url=world.url, timeout=30)
    answer = browser.get("/login/sso")
    assert answer.status_code == 502 and "Set CXSCORE_OIDC_ISSUER to exactly the issuer" in answer.text
    assert "cxscore_sso" not in browser.cookies and _signed_out(browser)


def test_an_issuer_over_plain_http_is_refused_unless_on_this_machine() -> None:
    from cxscore.errors import ConfigError

    with pytest.raises(ConfigError, match="is not an https:// URL"):
        oidc.Provider("http://login.example.com/realms/company", CLIENT_ID)
    assert oidc.Provider("http://127.0.0.1:8080/", CLIENT_ID).issuer == "http://127.0.0.1:8080"


def test_a_forged_state_is_refused(world: World) -> None:
    browser = httpx.Client(base_url=world.url, timeout=30)
    started = browser.get("/login/sso")
    at_provider = httpx.get(started.headers["location"])
    back = urlsplit(at_provider.headers["location"])
    code = parse_qs(back.query)["code"][0]
    forged = browser.get("/login/sso/callback", params={"code": code, "state": "forged-by-someone"})
    assert forged.status_code == 401 and "not this browser" in forged.text
    assert _signed_out(browser)
    stranger = httpx.get(at_provider.headers["location"])  # a browser that never started a sign-in
    assert stranger.status_code == 401 and "not started from this browser" in stranger.text


def test_a_state_is_accepted_once(world: World) -> None:
    browser = httpx.Client(base_url=world.url, timeout=30)
    started = browser.get("/login/sso")
    pending = browser.cookies["cxscore_sso"]
    back = httpx.get(started.headers["location"]).headers["location"]
    assert browser.get(back).status_code == 303
    replay = httpx.Client(base_url=world.url, cookies={"cxscore_sso": pending})
    again = replay.get(back)
    assert again.status_code == 401 and "already been used" in again.text
    assert _signed_out(replay)


def test_a_provider_error_is_shown_and_signs_nobody_in(world: World) -> None:
    browser = httpx.Client(base_url=world.url, timeout=30)
    browser.get("/login/sso")
    answer = browser.get("/login/sso/callback", params={"error": "access_denied", "error_description": "No."})
    assert answer.status_code == 401 and "did not sign you in: No." in answer.text
    assert _signed_out(browser)


def test_the_callback_is_rate_limited_per_address(world: World) -> None:
    site = world.app.state.site
    kept = site.login_limit
    site.login_limit = RateLimiter(per_second=0.01, burst=2)
    try:
        answers = [httpx.get(f"{world.url}/login/sso/callback?state=x&code=y").status_code for _ in range(3)]
    finally:
        site.login_limit = kept
    assert answers == [401, 401, 429]


def test_without_settings_there_is_no_single_sign_on(server: Any) -> None:
    assert "single sign-on" not in httpx.get(f"{server.url}/login").text.lower()
    assert httpx.get(f"{server.url}/login/sso").status_code == 404
