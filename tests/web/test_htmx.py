"""htmx, when `make htmx` has fetched it: served by the app itself under the same CSP (scripts from the app
only), and requests aimed at the page's main part answered with that part only. Without htmx the pages
are the same plain forms and links (the HTTP tests elsewhere use them without JavaScript)."""

from __future__ import annotations

from typing import Any

import httpx

HTMX_HEADERS = {"HX-Request": "true", "HX-Target": "main"}


def test_an_htmx_request_gets_the_title_and_main_part_only(clients: dict[str, Any]) -> None:
    client = clients["executive"]
    whole = client.get("/leaderboards?metric=csat&period=2025")
    part = client.get("/leaderboards?metric=csat&period=2025", headers=HTMX_HEADERS)
    assert whole.status_code == part.status_code == 200
    assert "<html" in whole.text and "<html" not in part.text and "<header" not in part.text
    assert part.text.startswith("<title>") and "<table" in part.text and 'class="filters"' in part.text
    assert part.headers["vary"] == whole.headers["vary"] == "HX-Request"
    restore = client.get("/leaderboards", headers={**HTMX_HEADERS, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text  # going back in history needs the whole page


def test_errors_come_as_the_main_part_too(clients: dict[str, Any]) -> None:
    part = clients["employee"].get("/people/P-00022", headers=HTMX_HEADERS)
    assert part.status_code == 403 and "<html" not in part.text and "Not for your role" in part.text


def test_a_signed_out_htmx_request_sends_the_window_to_sign_in(server: Any) -> None:
    answer = httpx.get(f"{server.url}/teams?period=2025", headers=HTMX_HEADERS)
    assert answer.status_code == 204
    assert answer.headers["hx-redirect"] == "/login?next=/teams%3Fperiod%3D2025"


def test_htmx_is_served_locally_and_the_csp_allows_only_the_apps_scripts(
    server: Any, clients: dict[str, Any]
) -> None:
    page = clients["executive"].get("/")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe" not in policy and "http" not in policy
    if server.app.state.site.htmx:
        assert '<script src="/static/vendor/htmx.min.js" defer></script>' in page.text
        assert '"allowEval": false' in page.text and '"includeIndicatorStyles": false' in page.text
        script = httpx.get(f"{server.url}/static/vendor/htmx.min.js")
        assert script.status_code == 200 and "htmx" in script.text
    else:
        assert "htmx.min.js" not in page.text
    # Without htmx the filters are plain GET forms and the follow-up forms plain POSTs.
    assert 'class="filters" method="get"' in page.text
