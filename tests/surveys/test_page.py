"""The public survey page on the real app and server: answering, single use, bad links, CSRF, limits."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from cxscore.store import Project
from cxscore.surveys import api

from .conftest import NOW, Inbox, Served, token_of


def send(served: Served, project: Project, surveys: list[str] | None = None) -> None:
    with served.app.state.store_lock:
        api.send(served.store, project.root, surveys=surveys, now=NOW)


def rows(served: Served, sql: str) -> list[tuple[object, ...]]:
    with served.app.state.store_lock:
        return list(served.store.execute(sql).fetchall())


def eventually(served: Served, sql: str, seconds: float = 10.0) -> list[tuple[object, ...]]:
    """The rows of `sql` once there are some (follow-ups are opened just after the answer is acknowledged)."""
    deadline = time.monotonic() + seconds
    while not (found := rows(served, sql)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def form_token(html: str) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', html)
    assert match, html
    return match[1]


def link_for(inbox: Inbox, address: str) -> str:
    (link,) = inbox.links(address)
    return "/s/" + token_of(link)


@pytest.fixture
def case_link(served: Served, company: Project, inbox: Inbox) -> str:
    send(served, company, ["case-csat"])
    return link_for(inbox, "maria@northwind.example")


def test_the_page_is_accessible_html_in_the_contacts_language_without_internal_data(
    client: httpx.Client, case_link: str
) -> None:
    page = client.get(case_link)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="de">' in html and "Wie zufrieden sind Sie?" in html
    assert "<script" not in html  # works without JavaScript
    # Every input has a label; scales are fieldsets with a legend.
    inputs = re.findall(r'<input type="radio" id="([^"]+)"', html)
    assert inputs and all(f'<label for="{i}">' in html for i in inputs)
    assert html.count("<fieldset") == html.count("<legend>") == 3
    assert '<label for="q-comment-input">' in html
    # The link's token and the form token are random base64: they may spell "I-" by chance.
    visible = html.replace(case_link.removeprefix("/s/"), "").replace(form_token(html), "")
    for internal in ("CS-1", "P-1", "Ada Agent", "T-SUP", "Support EMEA", "A-1", "C-1", "I-", "case-csat"):
        assert internal not in visible, internal
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    css = client.get("/s/static/survey.css")
    assert css.status_code == 200 and "focus-visible" in css.text


def test_answering_stores_the_response_with_credit_and_opens_no_task_for_a_happy_customer(
    served: Served, client: httpx.Client, case_link: str
) -> None:
    token = form_token(client.get(case_link).text)
    form = {"form_token": token, "csat": "5", "effort": "6", "topic": "Billing", "comment": " Danke! "}
    answer = client.post(case_link, data=form)
    assert answer.status_code == 200 and "Vielen Dank" in answer.text
    assert rows(
        served,
        "SELECT survey_id, contact_id, account_id, case_id, person_id, team_id, csat, ces, comment, "
        "language, anonymous, invitation_id IS NOT NULL FROM responses",
    ) == [("case-csat", "C-1", "A-1", "CS-1", "P-1", "T-SUP", 5, 6, "Danke!", "de", False, True)]
    assert rows(served, "SELECT question_id, value, score FROM response_answers") == [
        ("topic", "Billing", None)
    ]
    assert rows(served, "SELECT count(*) FROM followups") == [(0,)]


def test_a_retry_gets_the_same_answer_and_another_submission_is_refused(
    served: Served, client: httpx.Client, case_link: str
) -> None:
    token = form_token(client.get(case_link).text)
    second_tab = form_token(client.get(case_link).text)  # the same link opened twice
    first = client.post(case_link, data={"form_token": token, "csat": "2"})
    retry = client.post(case_link, data={"form_token": token, "csat": "2"})
    assert first.status_code == retry.status_code == 200 and first.text == retry.text
    other = client.post(case_link, data={"form_token": second_tab, "csat": "5"})
    assert other.status_code == 409 and "bereits beantwortet" in other.text.lower()
    again = client.get(case_link)
    assert again.status_code == 409 and "bereits beantwortet" in again.text.lower()
    assert rows(served, "SELECT csat FROM responses") == [(2,)]


def test_a_low_csat_opens_a_follow_up_for_the_cases_agent(
    served: Served, client: httpx.Client, case_link: str
) -> None:
    token = form_token(client.get(case_link).text)
    client.post(case_link, data={"form_token": token, "csat": "1"})
    ((reason, assignee, team, hours),) = eventually(
        served,
        "SELECT reason, assignee_id, team_id, extract(epoch FROM (due_at - opened_at)) / 3600 FROM followups",
    )
    assert (reason, assignee, team, hours) == ("low_csat", "P-1", "T-SUP", 48)


def test_problems_are_named_on_the_form_and_nothing_is_stored(
    served: Served, client: httpx.Client, case_link: str
) -> None:
    token = form_token(client.get(case_link).text)
    page = client.post(case_link, data={"form_token": token, "csat": "9", "topic": "Weather"})
    assert page.status_code == 422
    assert 'role="alert"' in page.text and "Wählen Sie einen Wert von 1 bis 5." in page.text
    assert "Wählen Sie eine der Möglichkeiten." in page.text
    missing = client.post(case_link, data={"form_token": token})
    assert missing.status_code == 422 and "Diese Frage braucht eine Antwort." in missing.text
    assert rows(served, "SELECT count(*) FROM responses") == [(0,)]


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # altered signature
        lambda t: t[:10],  # cut short
        lambda t: "x" * 22 + t[22:],  # another id with this signature
        lambda t: t.split(".")[0] + ".zzzzzzz." + t.split(".")[2],  # a later expiry
    ],
)
def test_forged_or_altered_links_get_a_clear_page_and_change_nothing(
    served: Served, client: httpx.Client, case_link: str, change: object
) -> None:
    token = case_link.rsplit("/", 1)[1]
    bad = "/s/" + change(token)  # type: ignore[operator]
    page = client.get(bad)
    assert page.status_code == 404 and "not valid" in page.text
    posted = client.post(bad, data={"form_token": "x", "csat": "5"})
    assert posted.status_code == 404
    assert rows(served, "SELECT count(*) FROM responses") == [(0,)]


def test_an_expired_link_gets_its_own_page(served: Served, client: httpx.Client) -> None:
    from cxscore.surveys.tokens import make_link, new_link_id

    key = served.app.state.surveys.keys.link
    page = client.get("/s/" + make_link(key, new_link_id(), expires=1_600_000_000))
    assert page.status_code == 410 and "expired" in page.text


def test_a_form_from_another_link_or_site_is_refused(
    served: Served, client: httpx.Client, company: Project, inbox: Inbox
) -> None:
    send(served, company)
    maria, tom = link_for(inbox, "maria@northwind.example"), link_for(inbox, "tom@northwind.example")
    toms_form = form_token(client.get(tom).text)
    assert client.post(maria, data={"form_token": toms_form, "csat": "5"}).status_code == 403
    own = form_token(client.get(maria).text)
    foreign = client.post(
        maria, data={"form_token": own, "csat": "5"}, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    assert rows(served, "SELECT count(*) FROM responses") == [(0,)]


def test_one_question_per_screen_keeps_partial_answers(
    served: Served, client: httpx.Client, company: Project, inbox: Inbox
) -> None:
    send(served, company, ["quarterly-nps"])
    link = link_for(inbox, "tom@northwind.example")
    first = client.get(link)
    assert "Question 1 of 2" in first.text and 'name="step" value="0"' in first.text
    second = client.post(link, data={"form_token": form_token(first.text), "step": "0", "nps": "4"})
    assert second.status_code == 200 and "Question 2 of 2" in second.text
    assert rows(served, "SELECT question_id, value FROM _survey_partials") == [("nps", "4")]
    # Coming back later shows the answer kept.
    assert 'value="4" checked' in client.get(link).text
    done = client.post(
        link, data={"form_token": form_token(second.text), "step": "1", "comment": "Too slow", "go": "send"}
    )
    assert done.status_code == 200 and "Thank you" in done.text
    assert rows(served, "SELECT nps, comment FROM responses") == [(4, "Too slow")]
    assert rows(served, "SELECT count(*) FROM _survey_partials") == [(0,)]
    assert eventually(served, "SELECT reason, assignee_id FROM followups") == [("detractor", "P-3")]


def test_every_answer_has_a_json_twin(client: httpx.Client, case_link: str) -> None:
    page = client.get(case_link, headers={"Accept": "application/json"})
    body = page.json()
    assert body["status"] == "form" and [q["id"] for q in body["questions"]] == [
        "csat",
        "effort",
        "topic",
        "comment",
    ]
    answer = client.post(
        case_link,
        data={"form_token": body["form_token"], "csat": "4"},
        headers={"Accept": "application/json"},
    )
    assert answer.json()["status"] == "thanks"


def test_requests_are_rate_limited_per_link_with_retry_after(client: httpx.Client, case_link: str) -> None:
    # A burst of 10, then 1 per second: a quick run of requests soon meets the limit.
    statuses = []
    while 429 not in statuses and len(statuses) < 40:
        statuses.append(client.get(case_link).status_code)
    assert statuses[:10] == [200] * 10 and statuses[-1] == 429
    limited = client.get(case_link)
    assert int(limited.headers["retry-after"]) >= 1 and "Please wait" in limited.text


def test_unsubscribing_is_honoured_forever(
    served: Served, client: httpx.Client, company: Project, inbox: Inbox
) -> None:
    send(served, company, ["case-csat"])
    (link,) = inbox.unsubscribe_links()
    path = "/u/" + token_of(link)
    page = client.get(path)
    assert page.status_code == 200 and "Alle Umfrage-E-Mails abbestellen" in page.text
    done = client.post(path, data={"form_token": form_token(page.text)})
    assert done.status_code == 200 and "abgemeldet" in done.text
    client.post(path, data={"form_token": form_token(page.text)})  # twice changes nothing
    assert rows(served, "SELECT contact_id, email, source FROM unsubscribes") == [
        ("C-1", "maria@northwind.example", "link")
    ]


def test_anonymous_answers_lead_back_to_nobody(
    served: Served, client: httpx.Client, company: Project, inbox: Inbox
) -> None:
    from .conftest import TEAM_PULSE

    (company.root / "surveys" / "team-pulse.yml").write_text(TEAM_PULSE, encoding="utf-8")
    send(served, company, ["team-pulse"])
    link = link_for(inbox, "tom@northwind.example")
    page = client.get(link)
    assert "anonymous" in page.text
    assert client.post(link, data={"form_token": form_token(page.text), "nps": "0"}).status_code == 200
    ((invitation, contact, account, case, person, team, at),) = rows(
        served,
        "SELECT invitation_id, contact_id, account_id, case_id, person_id, team_id, responded_at "
        "FROM responses",
    )
    assert (invitation, contact, account, case, person, team) == (None, None, None, None, None, "T-AM")
    assert (at.hour, at.minute, at.second) == (0, 0, 0)  # type: ignore[attr-defined]
    assert rows(served, "SELECT response_id FROM _survey_links WHERE used_at IS NOT NULL") == [(None,)]
    time.sleep(1.5)  # the writer opens follow-ups within a second: none for an anonymous detractor
    assert rows(served, "SELECT count(*) FROM followups") == [(0,)]


def test_anonymous_answers_count_in_the_response_rate(
    served: Served, client: httpx.Client, company: Project, inbox: Inbox
) -> None:
    import cxscore

    from .conftest import TEAM_PULSE

    (company.root / "surveys" / "team-pulse.yml").write_text(TEAM_PULSE, encoding="utf-8")
    send(served, company, ["team-pulse"])
    link = link_for(inbox, "tom@northwind.example")
    assert (
        client.post(link, data={"form_token": form_token(client.get(link).text), "nps": "9"}).status_code
        == 200
    )
    # The invitation says it was answered (not by which answer); the answer names no invitation.
    assert rows(served, "SELECT count(*) FILTER (WHERE answered_anonymously), count(*) FROM invitations") == [
        (1, 3)
    ]
    served.__exit__()  # stop the server, which owns the store
    rate = cxscore.compute("survey_response_rate", grain="year", project=company.root)
    assert (int(rate.n.sum()), int(rate.successes.sum())) == (3, 1)


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_the_stylesheet_meets_wcag_aa_contrast_and_the_page_is_light() -> None:
    from pathlib import Path

    import cxscore.surveys

    css = (Path(cxscore.surveys.__file__).parent / "static" / "survey.css").read_text(encoding="utf-8")
    pattern = r"(?<![-\w])(?:color|border-color|outline): *(?:3px solid )?(#[0-9a-f]{6})"
    colours = set(re.findall(pattern, css))
    assert len(colours) >= 4
    white = _luminance("#ffffff")
    # Text, borders and focus rings on the white page (WCAG 2.1: 4.5 for text, 3 for controls).
    for colour in colours - {"#ffffff"}:
        ratio = (white + 0.05) / (_luminance(colour) + 0.05)
        assert ratio >= 4.5, (colour, round(ratio, 2))
    # White text on the buttons and selected points.
    assert (white + 0.05) / (_luminance("#0b4f8a") + 0.05) >= 4.5
    assert len(css.encode()) < 8_000


def test_the_page_weighs_a_few_kilobytes(client: httpx.Client, case_link: str) -> None:
    html = client.get(case_link).content
    css = client.get("/s/static/survey.css").content
    assert len(html) + len(css) < 20_000


def test_a_broken_survey_file_stops_serve_with_every_problem(company: Project) -> None:
    from typer.testing import CliRunner

    from cxscore.cli.main import app

    (company.root / "surveys" / "broken.yml").write_text(
        "id: broken\nname: B\nquestions: []\n", encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["serve", "-p", str(company.root), "--port", "1"])
    assert result.exit_code == 1
    assert "broken.yml:1: 'questions' must list at least one question" in " ".join(result.output.split())
