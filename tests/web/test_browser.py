"""Browser tests: Debian's Chromium (headless) driven by Playwright against the real server. Each role signs
in through the form, sees what it may and is refused what it may not, drills down from a chart, and
exports. With CXSCORE_SCREENSHOTS=DIR the main pages are saved there (laptop and phone); `make
screenshots` refreshes docs/screenshots/ that way."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Chromium is not installed: make engines installs it (apt-get install chromium)",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def _page(browser: Any, server: Any, username: str, viewport: dict[str, int] = LAPTOP) -> Any:
    context = browser.new_context(viewport=viewport, base_url=server.url, accept_downloads=True)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct horse battery staple")
    page.click("button.primary")
    page.wait_for_url(re.compile(r".*/$"))
    return page


def test_an_employee_sees_their_own_scorecard_and_is_refused_a_colleagues(browser: Any, server: Any) -> None:
    page = _page(browser, server, "erin")
    page.click("nav >> text=My scorecard")
    assert "/people/P-00046" in page.url
    assert page.locator("h1").inner_text().startswith("Daniel Sato")
    page.locator("summary", has_text="How it is computed").first.click()
    assert page.locator("text=What would move it").first.is_visible()
    answer = page.goto("/people/P-00022")
    assert answer is not None and answer.status == 403
    assert "Not for your role" in page.locator("h1").inner_text()
    assert page.locator("nav >> text=Data quality").count() == 0
    page.context.close()


def test_a_manager_drills_down_from_a_chart_point_to_the_rows(browser: Any, server: Any) -> None:
    page = _page(browser, server, "maya")
    page.goto("/trends?metric=csat&scope=team&id=T-SUP-EMEA")
    point = page.locator(".chart svg a").last
    point.click()
    page.wait_for_url(re.compile(r".*/rows\?.*"))
    assert "The credited rows behind the number" in page.content()
    assert page.locator("table.table tbody tr").count() > 0
    page.context.close()


def test_filters_work_without_javascript_and_with_it(browser: Any, server: Any) -> None:
    context = browser.new_context(viewport=LAPTOP, base_url=server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=username]", "eve")
    page.fill("input[name=password]", "correct horse battery staple")
    page.click("button.primary")
    page.goto("/leaderboards")
    page.select_option("select[name=period]", "2025")
    page.click("form.filters button")
    assert "period=2025" in page.url
    page.goto("/?period=2025")
    page.select_option("select[name=segment]", index=1)
    page.click("form.filters button")
    assert "segment=" in page.url and page.locator(".kpi").count() > 1
    context.close()
    page = _page(browser, server, "eve")
    page.goto("/leaderboards")
    page.select_option("select[name=metric]", "nps")  # the script submits the form on change
    page.wait_for_url(re.compile(r".*metric=nps.*"))
    page.context.close()


HTMX = Path(__file__).parents[2] / "src" / "cxscore" / "web" / "static" / "vendor" / "htmx.min.js"


@pytest.mark.skipif(not HTMX.exists(), reason="htmx is not fetched: make htmx")
def test_with_htmx_filters_and_follow_up_forms_update_the_page_in_place(browser: Any, server: Any) -> None:
    problems: list[str] = []
    page = _page(browser, server, "maya")
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.goto("/leaderboards?metric=csat&period=2025&by=person")
    page.evaluate("window.stillTheSamePage = true")
    before = page.locator("main table").first.inner_text()
    with page.expect_response(
        lambda r: "/leaderboards" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        page.select_option("select[name=period]", "2025-Q2")
    page.wait_for_url(re.compile(r".*period=2025-Q2.*"))  # pushed into the history
    assert page.evaluate("window.stillTheSamePage") is True  # swapped in place, not loaded again
    assert page.locator("main table").first.inner_text() != before
    assert page.locator("select[name=period]").input_value() == "2025-Q2"
    assert page.title().endswith("leaderboard · cxscore")
    # A follow-up form: give a task to one of maya's people, in place.
    store, lock = server.app.state.store, server.app.state.store_lock
    with lock:
        response = store.execute("SELECT response_id FROM responses LIMIT 1 OFFSET 2").fetchone()[0]
        store.execute(
            "INSERT INTO followups (followup_id, response_id, reason, team_id, opened_at, due_at, status) "
            "VALUES ('F-htmx-test', ?, 'NPS 3', 'T-SUP-EMEA', TIMESTAMP '2025-12-03 09:00:00', "
            "TIMESTAMP '2025-12-05 09:00:00', 'open')",
            [response],
        )
    page.goto("/followups")
    page.evaluate("window.stillTheSamePage = true")
    row = page.locator("tr", has_text="F-htmx-test")
    row.locator("select[name=person_id]").select_option(label="Daniel Sato")
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        row.locator("button", has_text="Assign").click()
    page.locator("tr", has_text="F-htmx-test").locator("text=Daniel Sato").first.wait_for()
    assert page.evaluate("window.stillTheSamePage") is True
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    page.context.close()


def test_exports_download_from_tables_and_charts(browser: Any, server: Any) -> None:
    page = _page(browser, server, "eve")
    page.goto("/?period=2025")
    with page.expect_download() as csv:
        page.click(".exports >> text=CSV")
    assert csv.value.suggested_filename.endswith(".csv")
    with page.expect_download() as png:
        page.click(".exports >> text=PNG")
    assert png.value.suggested_filename.endswith(".png")
    assert Path(png.value.path()).read_bytes()[:4] == b"\x89PNG"
    page.context.close()


@pytest.mark.parametrize(
    ("username", "allowed", "refused"),
    [
        (
            "erin",
            ["/", "/teams/T-SUP-EMEA", "/awards"],
            ["/data-quality", "/admin/users", "/leaderboards?by=person"],
        ),
        ("maya", ["/leaderboards?by=person", "/people/P-00046"], ["/people/P-00022", "/data-quality"]),
        ("eve", ["/people/P-00022", "/rows?metric=csat"], ["/payouts?person=P-00022", "/admin/users"]),
        ("carl", ["/payouts?person=P-00022", "/admin/audit"], ["/admin/users", "/data-quality"]),
        ("ada", ["/data-quality", "/admin/users", "/admin/audit"], ["/people/P-00046", "/payouts"]),
    ],
)
def test_each_role_sees_what_it_may_in_the_browser(
    browser: Any, server: Any, username: str, allowed: list[str], refused: list[str]
) -> None:
    page = _page(browser, server, username)
    for path in allowed:
        answer = page.goto(path)
        assert answer is not None and answer.status == 200, path
    for path in refused:
        answer = page.goto(path)
        assert answer is not None and answer.status == 403, path
        assert page.locator(".error .message").inner_text()
    page.context.close()


SHOTS = [
    ("overview", "eve", "/?period=2025-Q4&metric=nps"),
    ("team-scorecard", "maya", "/teams/T-SUP-APAC?period=2025"),
    ("my-scorecard", "erin", "/people/P-00046?period=2025"),
    ("leaderboard", "maya", "/leaderboards?metric=csat&period=2025"),
    ("trends", "eve", "/trends?metric=csat&scope=team&id=T-SUP-APAC"),
    ("diagnosis", "eve", "/diagnosis?metric=csat&scope=team&id=T-SUP-LATAM&period=2025"),
    ("payouts", "sol", "/payouts?period=2025-Q4"),
    ("awards", "erin", "/awards?period=2025"),
    ("import", "ada", "/imports"),
]


@pytest.mark.skipif(
    not os.environ.get("CXSCORE_SCREENSHOTS"), reason="set CXSCORE_SCREENSHOTS=DIR to save them"
)
def test_screenshots_of_the_main_pages(browser: Any, server: Any) -> None:
    from cxscore.web.oidc import Provider

    folder = Path(os.environ["CXSCORE_SCREENSHOTS"])
    folder.mkdir(parents=True, exist_ok=True)
    site = server.app.state.site
    site.oidc = Provider("https://login.example.com/realms/company", "cxscore")  # shows its button
    try:
        for device, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
            context = browser.new_context(viewport=viewport, base_url=server.url)
            page = context.new_page()
            page.goto("/login")
            page.screenshot(path=str(folder / f"login-{device}.png"))
            context.close()
    finally:
        site.oidc = None
    for device, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
        for name, username, path in SHOTS:
            page = _page(browser, server, username, viewport)
            page.goto(path)
            page.screenshot(path=str(folder / f"{name}-{device}.png"), full_page=device == "laptop")
            page.context.close()
