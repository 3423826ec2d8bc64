"""Fuzzing the public endpoints: schemathesis on the OpenAPI spec, hypothesis on link tokens.

Bounded in examples and time. Nothing may answer 500, and nothing may change the store.
"""

from __future__ import annotations

import string
import time
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxscore.errors import SurveyLinkError
from cxscore.store import Project
from cxscore.surveys.tokens import make_link, read_link

from .conftest import NOW, Inbox, Served, make_app, token_of

#: The fuzz sends many requests from one address; the limits are raised so the fuzz reaches the handlers.
LIMITS = "\nsurveys:\n  rate_limits: {per_link: [1000, 1000], per_address: [1000, 1000]}\n"
FUZZED = r"^/(s|u|hooks)/"
#: What a bad token may get: not valid, no such route or method, expired, rate-limited, or the framework's
#: redirect of a trailing slash (`/s/x/` -> `/s/x`).
REFUSED = (307, 308, 404, 405, 410, 429)


@pytest.fixture
def fuzzed(company: Project, inbox: Inbox) -> Iterator[tuple[Served, str]]:
    from cxscore.surveys import api

    config = company.root / "cxscore.yaml"
    config.write_text(config.read_text(encoding="utf-8") + LIMITS, encoding="utf-8")
    with Served(make_app(company)) as served:
        with served.app.state.store_lock:
            api.send(served.store, company.root, surveys=["case-csat"], now=NOW)
        (link,) = inbox.links()
        yield served, token_of(link)


def counts(served: Served) -> tuple[object, ...]:
    with served.app.state.store_lock:
        row = served.store.execute(
            "SELECT (SELECT count(*) FROM responses), (SELECT count(*) FROM unsubscribes), "
            "(SELECT count(*) FROM _survey_partials), "
            "(SELECT count(*) FROM _survey_links WHERE used_at IS NOT NULL)"
        ).fetchone()
    return tuple(row)


def test_schemathesis_finds_no_server_error_on_the_public_endpoints(fuzzed: tuple[Served, str]) -> None:
    served, _ = fuzzed
    schema = schemathesis.openapi.from_url(f"{served.url}/api/openapi.json").include(path_regex=FUZZED)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == {"/s/{token}", "/u/{token}", "/hooks/{source}"}
    before = counts(served)
    failures: list[str] = []
    statuses: list[int] = []
    deadline = time.monotonic() + 60
    for operation in operations:

        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            if time.monotonic() > deadline:
                return
            response = case.call(base_url=served.url, timeout=10)
            statuses.append(response.status_code)
            if response.status_code >= 500 and response.status_code != 503:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}")

        check()
    assert failures == []
    assert len(statuses) >= 60 and {404, 415} & set(statuses), sorted(set(statuses))
    assert counts(served) == before


def mutations(token: str) -> st.SearchStrategy[str]:
    alphabet = string.ascii_letters + string.digits + "-_.~%/"
    position = st.integers(0, len(token) - 1)
    return st.one_of(
        st.builds(
            lambda i, c: token[:i] + c + token[i + 1 :], position, st.sampled_from(alphabet)
        ),  # altered
        st.builds(lambda i: token[:i], position),  # truncated
        st.builds(
            lambda i, s: token[:i] + s + token[i:], position, st.text(alphabet, max_size=8)
        ),  # inserted
        st.text(alphabet, max_size=120),  # forged from nothing
    )


@pytest.fixture
def client(fuzzed: tuple[Served, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fuzzed[0].url, timeout=10) as http:
        yield http


def test_altered_or_forged_tokens_never_error_and_never_change_the_store(
    fuzzed: tuple[Served, str], client: httpx.Client
) -> None:
    served, token = fuzzed
    before = counts(served)

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(bad=mutations(token))
    def check(bad: str) -> None:
        # httpx removes dot segments from a path as browsers do: "./" or "x/../" put before the token is
        # sent as the real link, which is no forgery and rightly gets its page.
        if client.build_request("GET", f"/s/{bad}").url.path == f"/s/{token}":
            return
        for path in (f"/s/{bad}", f"/u/{bad}"):
            page = client.get(path)
            assert page.status_code in REFUSED, (path, page.status_code)
            posted = client.post(path, data={"form_token": "x" * 16 + "." + "y" * 22, "csat": "5"})
            assert posted.status_code in REFUSED, (path, posted.status_code)

    check()
    assert counts(served) == before


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=200))
def test_reading_any_text_as_a_link_raises_only_the_link_error(text: str) -> None:
    key = b"k" * 32
    try:
        read_link(key, text, now=0)
    except SurveyLinkError as error:
        assert error.reason in ("invalid", "expired")


@settings(max_examples=200, deadline=None)
@given(
    link_id=st.text(string.ascii_letters + string.digits + "-_", min_size=22, max_size=22),
    expires=st.integers(1, 2**40),
)
def test_links_round_trip_and_expire(link_id: str, expires: int) -> None:
    key = b"k" * 32
    token = make_link(key, link_id, expires)
    assert read_link(key, token, now=expires - 1).link_id == link_id
    with pytest.raises(SurveyLinkError, match="expired"):
        read_link(key, token, now=expires)
    with pytest.raises(SurveyLinkError, match="not valid"):
        read_link(b"x" * 32, token, now=0)
