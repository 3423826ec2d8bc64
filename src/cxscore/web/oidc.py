"""OpenID Connect sign-in: the authorization-code flow with PKCE against the company's identity provider.

1. `/login/sso` makes a `Pending` sign-in (random `state`, `nonce` and PKCE verifier), keeps it in a
   signed, short-lived, HttpOnly cookie (`PendingSignIns`) and sends the browser to the provider's
   authorization endpoint (found by discovery at `{issuer}/.well-known/openid-configuration`);
2. the provider sends the browser back to `/login/sso/callback` with a code and the state; the state
   must be the cookie's and is accepted once;
3. `Provider.identity` exchanges the code (with the verifier) at the token endpoint and verifies the ID
   token: signature against the provider's JWKS (RS256 or ES256; the keys are cached and fetched again
   when a token names an unknown key), `iss`, `aud` (and `azp`), `exp`, `iat` and the `nonce`;
4. the verified e-mail (`email_verified` true) picks an existing local account
   (`Accounts.by_email`): the provider never creates accounts and never gives roles.

The PKCE challenge is S256 (RFC 7636, appendix B):

>>> challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import quote_plus, urlencode, urlsplit

import httpx
import jwt

from cxscore.errors import AuthenticationError, ConfigError

__all__ = ["Identity", "Pending", "PendingSignIns", "Provider", "challenge"]

#: Signature algorithms accepted on ID tokens (never "none", never a shared-secret HS*).
ALGORITHMS = ("RS256", "ES256")
SCOPES = "openid email profile"
#: How long a started sign-in may take at the provider.
PENDING_SECONDS = 600
#: How long the discovery document is kept.
DISCOVERY_SECONDS = 3600
#: A token naming an unknown key fetches the JWKS again, at most this often.
JWKS_REFETCH_SECONDS = 30
#: Clock difference tolerated between the provider and this server.
LEEWAY_SECONDS = 60
HTTP_SECONDS = 10.0
_GENERIC = "Sign in again from the sign-in page; if it keeps failing, tell your admin what this page says."


def challenge(verifier: str) -> str:
    """The S256 PKCE challenge of a verifier: base64url(SHA-256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Pending:
    """A sign-in started in one browser: what the callback must find again."""

    state: str
    nonce: str
    verifier: str
    next: str
    started: float

    @classmethod
    def new(cls, next_path: str, now: float) -> Pending:
        token = secrets.token_urlsafe
        return cls(token(32), token(32), token(48), next_path, now)


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in, with a verified e-mail address."""

    subject: str
    email: str
    name: str | None


class PendingSignIns:
    """Seals a `Pending` into a cookie value (HMAC-signed) and takes it back once, with its state."""

    def __init__(self, key: bytes, clock: Callable[[], float] = time.time) -> None:
        self.key = key
        self.clock = clock
        self._used: dict[str, float] = {}  # states already accepted, until they would expire anyway
        self._lock = threading.Lock()

    def seal(self, pending: Pending) -> str:
        body = base64.urlsafe_b64encode(json.dumps(asdict(pending)).encode()).decode()
        return f"{body}.{self._mac(body)}"

    def take(self, sealed: str | None, state: str | None) -> Pending:
        """The pending sign-in whose state came back; refuses a missing, forged, stale or reused one."""
        if not sealed or not state:
            raise AuthenticationError(
                "This sign-in was not started from this browser (its single sign-on cookie is missing, "
                f"or the provider sent no state). {_GENERIC}"
            )
        body, _, mac = sealed.rpartition(".")
        if not hmac.compare_digest(mac, self._mac(body)):
            raise AuthenticationError(f"The single sign-on cookie has been altered. {_GENERIC}")
        try:
            pending = Pending(**json.loads(base64.urlsafe_b64decode(body)))
        except (ValueError, TypeError):  # signed by us, but by a version that kept other fields
            raise AuthenticationError(
                f"The single sign-on cookie is from an older version. {_GENERIC}"
            ) from None
        now = self.clock()
        if not hmac.compare_digest(pending.state, state):
            raise AuthenticationError(
                f"The state sent back by the identity provider is not this browser's (a forged or crossed "
                f"sign-in). {_GENERIC}"
            )
        if now - pending.started > PENDING_SECONDS:
            raise AuthenticationError(
                f"This sign-in was started more than {PENDING_SECONDS // 60} minutes ago. {_GENERIC}"
            )
        with self._lock:
            self._used = {s: until for s, until in self._used.items() if until > now}
            if pending.state in self._used:
                raise AuthenticationError(f"This sign-in has already been used once. {_GENERIC}")
            self._used[pending.state] = pending.started + PENDING_SECONDS
        return pending

    def _mac(self, body: str) -> str:
        return hmac.new(self.key, body.encode(), hashlib.sha256).hexdigest()


class Provider:
    """One identity provider (issuer) and this app's client registration at it."""

    def __init__(
        self, issuer: str, client_id: str, client_secret: str = "", clock: Callable[[], float] = time.time
    ) -> None:
        self.issuer = issuer.rstrip("/")
        parts = urlsplit(self.issuer)
        if parts.scheme != "https" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ConfigError(
                f"CXSCORE_OIDC_ISSUER={issuer!r} is not an https:// URL. Set it to the issuer your identity "
                "provider names, e.g. https://login.example.com/realms/company."
            )
        self.client_id = client_id
        self.client_secret = client_secret
        self.clock = clock
        self._lock = threading.Lock()
        self._metadata: tuple[float, dict[str, Any]] | None = None
        self._keys: dict[str, dict[str, Any]] = {}
        self._keys_fetched = float("-inf")

    # -- the provider's documents ----------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        """The discovery document (kept for an hour), checked to be this issuer's."""
        with self._lock:
            if self._metadata is not None and self.clock() - self._metadata[0] < DISCOVERY_SECONDS:
                return self._metadata[1]
        url = f"{self.issuer}/.well-known/openid-configuration"
        found = _get_json(url)
        if str(found.get("issuer", "")).rstrip("/") != self.issuer:
            raise ConfigError(
                f"The discovery document at {url} names the issuer {found.get('issuer')!r}, not "
                f"{self.issuer!r}. Set CXSCORE_OIDC_ISSUER to exactly the issuer the provider names."
            )
        missing = [k for k in ("authorization_endpoint", "token_endpoint", "jwks_uri") if not found.get(k)]
        if missing:
            raise ConfigError(f"The discovery document at {url} has no {', '.join(missing)}.")
        with self._lock:
            self._metadata = (self.clock(), found)
        return found

    def authorization_url(self, pending: Pending, redirect_uri: str) -> str:
        """Where to send the browser to sign in."""
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "scope": SCOPES,
            "state": pending.state,
            "nonce": pending.nonce,
            "code_challenge": challenge(pending.verifier),
            "code_challenge_method": "S256",
        }
        endpoint = str(self.metadata()["authorization_endpoint"])
        return endpoint + ("&" if "?" in endpoint else "?") + urlencode(query)

    def _key(self, kid: str | None, algorithm: str) -> jwt.PyJWK:
        """The provider's signing key `kid` (the only one, without a kid); fetches the JWKS when unknown."""
        for attempt in range(2):
            with self._lock:
                keys = dict(self._keys)
                fetched = self._keys_fetched
            usable = {k: v for k, v in keys.items() if v.get("use", "sig") == "sig"}
            found = usable.get(kid) if kid else (next(iter(usable.values())) if len(usable) == 1 else None)
            if found is not None:
                try:
                    return jwt.PyJWK(found, algorithm)
                except jwt.PyJWTError as error:
                    raise AuthenticationError(
                        f"The ID token is signed with {algorithm}, which its key ({kid}) cannot verify: "
                        f"{error}. {_GENERIC}"
                    ) from None
            if attempt == 0 and self.clock() - fetched >= JWKS_REFETCH_SECONDS:
                self._fetch_keys()
        raise AuthenticationError(
            f"The ID token is signed with a key ({kid or 'no key id'}) that the identity provider does not "
            f"publish. {_GENERIC}"
        )

    def _fetch_keys(self) -> None:
        document = _get_json(str(self.metadata()["jwks_uri"]))
        listed = document.get("keys")
        if not isinstance(listed, list):
            raise ConfigError("The identity provider's JWKS document has no list of keys.")
        keys = {str(k.get("kid", i)): k for i, k in enumerate(listed) if isinstance(k, dict)}
        with self._lock:
            self._keys, self._keys_fetched = keys, self.clock()

    # -- signing in ------------------------------------------------------------------------------------

    def identity(self, code: str, pending: Pending, redirect_uri: str) -> Identity:
        """Exchange the code for tokens, verify the ID token, and return who signed in."""
        tokens = self._exchange(code, pending, redirect_uri)
        claims = self.verify(str(tokens.get("id_token", "")), pending.nonce)
        if "email" not in claims and tokens.get("access_token"):
            claims = {**self._userinfo(str(tokens["access_token"]), str(claims["sub"])), **claims}
        email = str(claims.get("email") or "").strip()
        if not email:
            raise AuthenticationError(
                "The identity provider sent no e-mail address. Ask your admin to give cxscore the scopes "
                f"'{SCOPES}' at the provider."
            )
        if claims.get("email_verified") is not True:
            raise AuthenticationError(
                f"The identity provider does not say that the e-mail address {email} is verified "
                "(email_verified is not true), so it cannot pick your cxscore account. Verify the address "
                "at the provider, or sign in with your cxscore password."
            )
        name = claims.get("name")
        return Identity(str(claims["sub"]), email, str(name) if name else None)

    def verify(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The ID token's claims once its signature, issuer, audience, times and nonce check out."""
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError:
            raise AuthenticationError(
                f"The identity provider sent no readable ID token. {_GENERIC}"
            ) from None
        algorithm = str(header.get("alg"))
        if algorithm not in ALGORITHMS:
            raise AuthenticationError(
                f"The ID token is signed with {algorithm!r}; cxscore accepts {', '.join(ALGORITHMS)}. "
                "Ask your admin to set the client's signature algorithm to RS256 at the provider."
            )
        key = self._key(header.get("kid"), algorithm)
        issuer = str(self.metadata()["issuer"])
        try:
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key,
                algorithms=[algorithm],
                audience=self.client_id,
                issuer=issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise AuthenticationError(f"The ID token was refused: {_reason(error)}. {_GENERIC}") from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        party = claims.get("azp")
        if (len(audiences) > 1 or party is not None) and party != self.client_id:
            raise AuthenticationError(
                f"The ID token was issued to another client (azp {party!r}). {_GENERIC}"
            )
        if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
            raise AuthenticationError(
                f"The ID token's nonce is not the one this sign-in sent (a replayed token). {_GENERIC}"
            )
        return claims

    def _exchange(self, code: str, pending: Pending, redirect_uri: str) -> dict[str, Any]:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": pending.verifier,
        }
        metadata = self.metadata()
        methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        auth: tuple[str, str] | None = None
        if self.client_secret and "client_secret_basic" in methods:
            # RFC 6749 2.3.1: each part form-encoded, then HTTP Basic.
            auth = (quote_plus(self.client_id), quote_plus(self.client_secret))
        else:
            form["client_id"] = self.client_id
            if self.client_secret:
                form["client_secret"] = self.client_secret
        try:
            answer = httpx.post(str(metadata["token_endpoint"]), data=form, auth=auth, timeout=HTTP_SECONDS)
        except httpx.HTTPError as error:
            raise AuthenticationError(
                f"The identity provider's token endpoint did not answer: {error}."
            ) from None
        body = _json(answer)
        if answer.status_code != 200:
            said = body.get("error_description") or body.get("error") or answer.text[:200]
            raise AuthenticationError(
                f"The identity provider refused to exchange the sign-in code ({answer.status_code}: {said}). "
                f"{_GENERIC}"
            )
        return body

    def _userinfo(self, access_token: str, subject: str) -> dict[str, Any]:
        endpoint = self.metadata().get("userinfo_endpoint")
        if not endpoint:
            return {}
        info = _get_json(str(endpoint), {"Authorization": f"Bearer {access_token}"})
        if info.get("sub") != subject:
            raise AuthenticationError(f"The provider's user info is about someone else. {_GENERIC}")
        return {k: info[k] for k in ("email", "email_verified", "name") if k in info}


def _reason(error: jwt.PyJWTError) -> str:
    """A PyJWT error in words."""
    reasons: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
        (jwt.ExpiredSignatureError, "it has expired (exp)"),
        (jwt.ImmatureSignatureError, "it is dated in the future (iat or nbf)"),
        (jwt.InvalidAudienceError, "it was issued for another client (aud)"),
        (jwt.InvalidIssuerError, "it was issued by another issuer (iss)"),
        (jwt.InvalidSignatureError, "its signature does not match the provider's key"),
        (jwt.MissingRequiredClaimError, f"it lacks a required claim ({error})"),
    )
    return next((text for kind, text in reasons if isinstance(error, kind)), f"it is not valid ({error})")


def _get_json(url: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    try:
        answer = httpx.get(url, headers=headers, timeout=HTTP_SECONDS)
    except httpx.HTTPError as error:
        raise AuthenticationError(f"The identity provider did not answer at {url}: {error}.") from None
    if answer.status_code != 200:
        raise AuthenticationError(f"The identity provider answered {answer.status_code} at {url}.")
    return _json(answer)


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        found = answer.json()
    except ValueError:
        found = None
    if not isinstance(found, dict):
        raise AuthenticationError(f"The identity provider sent no JSON object from {answer.request.url}.")
    return found
