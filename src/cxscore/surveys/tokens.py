"""Signed, expiring survey links, and the form tokens bound to them.

A link token is ``<id>.<expiry>.<signature>``: 16 random bytes (the invitation's id, so nothing can be
guessed), the expiry in seconds since 1970 (base 36), and an HMAC-SHA256 over both with the key derived
for "survey-link". Changing any character breaks the signature, which is compared in constant time.
Single use is enforced in the store (`_survey_links.used_at`), not here.

The form token on a survey page is ``<nonce>.<signature>`` with a key derived for "survey-form", bound
to the link's id: a form from one link cannot be posted to another, and a retry of the same form (same
nonce) is recognised as the same submission.

>>> key = b"k" * 32
>>> token = make_link(key, "q3Jx9dTmP0aL2bC4eF6gHw", expires=2_000_000_000)
>>> read_link(key, token, now=1_900_000_000).invitation_id
'I-q3Jx9dTmP0aL2bC4eF6gHw'
>>> read_link(key, token[:-1] + ("A" if token[-1] != "A" else "B"), now=0)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
cxscore.errors.SurveyLinkError: This survey link is not valid ...
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from cxscore.errors import SurveyLinkError

__all__ = ["Link", "make_form_token", "make_link", "new_link_id", "read_form_token", "read_link"]

_LINK = re.compile(r"^([A-Za-z0-9_-]{22})\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22})$")
_FORM = re.compile(r"^([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22})$")
#: Longest token accepted at all; anything longer is refused before any work is done.
MAX_TOKEN = 80


@dataclass(frozen=True)
class Link:
    """A verified link: its random id and when it expires (seconds since 1970, UTC)."""

    link_id: str
    expires: int

    @property
    def invitation_id(self) -> str:
        return f"I-{self.link_id}"


def new_link_id() -> str:
    """16 random bytes, URL-safe: the invitation's id without its `I-`."""
    return _b64(secrets.token_bytes(16))


def make_link(key: bytes, link_id: str, expires: int) -> str:
    """The token for a link that expires at `expires` (seconds since 1970, UTC)."""
    body = f"{link_id}.{_base36(expires)}"
    return f"{body}.{_sign(key, body)}"


def read_link(key: bytes, token: str, now: float) -> Link:
    """Verify `token`; raise SurveyLinkError ("invalid" or "expired") when it does not hold."""
    match = _LINK.match(token) if len(token) <= MAX_TOKEN else None
    if match is None or not hmac.compare_digest(_sign(key, f"{match[1]}.{match[2]}"), match[3]):
        raise SurveyLinkError(
            "This survey link is not valid (it was changed or cut short). "
            "Use the link from the e-mail as it is.",
            "invalid",
        )
    expires = int(match[2], 36)
    if now >= expires:
        raise SurveyLinkError("This survey link has expired. Thank you for your interest.", "expired")
    return Link(match[1], expires)


def make_form_token(key: bytes, link_id: str) -> str:
    """A fresh form token for a page of the link `link_id`."""
    nonce = _b64(secrets.token_bytes(12))
    return f"{nonce}.{_sign(key, f'{link_id}.{nonce}')}"


def read_form_token(key: bytes, link_id: str, token: str) -> str:
    """The submission id (the nonce) of a form token made for `link_id`; SurveyLinkError otherwise."""
    match = _FORM.match(token) if len(token) <= MAX_TOKEN else None
    if match is None or not hmac.compare_digest(_sign(key, f"{link_id}.{match[1]}"), match[2]):
        raise SurveyLinkError(
            "This form has expired or did not come from this survey. Open the survey link again.", "form"
        )
    return match[1]


def _sign(key: bytes, body: str) -> str:
    return _b64(hmac.new(key, body.encode(), hashlib.sha256).digest()[:16])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text
