"""Sending invitations over a real SMTP server: who is invited, credit, fatigue, unsubscribes, reminders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cxscore.errors import MailError
from cxscore.store import Project, Store
from cxscore.surveys import api

from .conftest import NOW, TEAM_PULSE, Inbox, token_of


@pytest.fixture
def store(company: Project) -> Store:
    opened = company.store()
    yield opened
    opened.close()


def invitations(store: Store) -> list[tuple[object, ...]]:
    return store.execute(
        "SELECT survey_id, contact_id, account_id, case_id, credited_person_id, credited_team_id, "
        "touchpoint_id FROM invitations ORDER BY survey_id, contact_id"
    ).fetchall()


def test_transactional_and_relationship_invitations_record_who_is_credited(
    company: Project, store: Store, inbox: Inbox
) -> None:
    report = api.send(store, company.root, now=NOW)
    assert report.failed == []
    # CS-1 closed 24+ hours ago -> C-1 (its agent P-1, team T-SUP). CS-2 closed an hour ago: not yet.
    # The quarterly NPS goes to contacts with an e-mail of accounts with a running contract, except C-1,
    # invited a moment ago by the case survey (fatigue counts every survey).
    assert invitations(store) == [
        ("case-csat", "C-1", "A-1", "CS-1", "P-1", "T-SUP", "support_case"),
        ("quarterly-nps", "C-2", "A-1", None, "P-3", "T-AM", None),  # A-1's owner on the day: P-3 since June
        ("quarterly-nps", "C-3", "A-2", None, "P-3", "T-AM", None),
    ]
    assert report.invited == {"case-csat": 1, "quarterly-nps": 2}
    assert sorted(str(m["To"]) for m in inbox.messages) == [
        "Ann Acme <ann@acme.example>",
        "Maria Anders <maria@northwind.example>",
        "Tom Tester <tom@northwind.example>",
    ]


def test_an_invitation_email_has_a_plain_and_an_html_body_in_the_contacts_language(
    company: Project, store: Store, inbox: Inbox
) -> None:
    api.send(store, company.root, surveys=["case-csat"], now=NOW)
    (message,) = inbox.messages
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Hallo Maria Anders," in plain and "Ihr Support-Fall" in str(message["Subject"])
    (link,) = inbox.links()
    assert link in plain and link in html
    assert "/u/" in str(message["List-Unsubscribe"])
    # No internal id in the e-mail: not the invitation's id (I- and the link's id), not the case. The link
    # and unsubscribe tokens are random base64 and spell "I-" about once in 100 e-mails: left out of the
    # search for the fixed ids' pieces.
    ((invitation,),) = store.execute("SELECT invitation_id FROM invitations").fetchall()
    assert invitation not in plain + html
    text = plain + html
    for token in [token_of(link), *(token_of(u) for u in inbox.unsubscribe_links())]:
        text = text.replace(token, "")
    for internal in ("I-", "CS-1"):
        assert internal not in text, internal


def test_dry_run_sends_and_stores_nothing(company: Project, store: Store, inbox: Inbox) -> None:
    report = api.send(store, company.root, now=NOW, dry_run=True)
    assert report.total == 3 and [c.contact_id for _, c in report.planned] == ["C-1", "C-2", "C-3"]
    assert store.count("invitations") == 0 and inbox.messages == []


def test_fatigue_counts_invitations_sent_across_all_surveys(
    company: Project, store: Store, inbox: Inbox
) -> None:
    api.send(store, company.root, now=NOW)
    assert api.send(store, company.root, now=NOW + dt.timedelta(days=59)).total == 0
    # Past the fatigue (60 days) and the quarterly survey's own period (90 days): all three again.
    later = api.send(store, company.root, now=NOW + dt.timedelta(days=91))
    assert later.invited == {"quarterly-nps": 3}  # nobody answered; fatigue counts what was sent


def test_unsubscribed_contacts_are_never_invited_again(company: Project, store: Store, inbox: Inbox) -> None:
    store.execute(
        "INSERT INTO unsubscribes (contact_id, email, unsubscribed_at, source) "
        "VALUES ('C-2', 'TOM@northwind.example', TIMESTAMP '2025-01-01 00:00:00', 'link')"
    )
    # A later import of the contacts cannot undo it (it only knows contacts.unsubscribed_at).
    store.execute("UPDATE contacts SET unsubscribed_at = NULL")
    api.send(store, company.root, now=NOW)
    assert "C-2" not in {row[1] for row in invitations(store)}


def test_a_refused_address_leaves_no_invitation_behind(company: Project, store: Store, inbox: Inbox) -> None:
    inbox.refuse.add("tom@northwind.example")
    report = api.send(store, company.root, now=NOW)
    assert len(report.failed) == 1 and "tom@northwind.example" in report.failed[0]
    assert "C-2" not in {row[1] for row in invitations(store)}
    assert store.count("_survey_links") == store.count("invitations") == 2


def test_no_smtp_server_configured_is_a_clear_error(
    company: Project, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CXSCORE_SMTP_URL", raising=False)
    with pytest.raises(MailError, match="CXSCORE_SMTP_URL"):
        api.send(store, company.root, now=NOW)
    assert store.count("invitations") == 0


def test_an_unreachable_smtp_server_never_shows_the_password(
    company: Project, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .conftest import free_port

    monkeypatch.setenv("CXSCORE_SMTP_URL", f"smtp://bot:s3cret-pw@127.0.0.1:{free_port()}?timeout=2")
    with pytest.raises(MailError) as error:
        api.send(store, company.root, now=NOW)
    assert "s3cret-pw" not in str(error.value) and "bot:***@127.0.0.1" in str(error.value)
    # The invitations recorded before the e-mail could go are removed again.
    assert store.count("invitations") == 0


def test_one_reminder_to_those_who_did_not_answer(company: Project, store: Store, inbox: Inbox) -> None:
    api.send(store, company.root, surveys=["case-csat"], now=NOW)
    assert api.remind(store, company.root, now=NOW + dt.timedelta(days=2)).total == 0
    assert api.remind(store, company.root, now=NOW + dt.timedelta(days=3)).total == 1
    assert api.remind(store, company.root, now=NOW + dt.timedelta(days=4)).total == 0  # once only
    assert len(inbox.messages) == 2 and "Erinnerung" in str(inbox.messages[1]["Subject"])
    assert inbox.links()[0] == inbox.links()[1]  # the same link


def test_anonymous_surveys_list_invitations_without_saying_who_answered(
    company: Project, store: Store, inbox: Inbox
) -> None:
    (company.root / "surveys" / "team-pulse.yml").write_text(TEAM_PULSE, encoding="utf-8")
    api.send(store, company.root, surveys=["team-pulse"], now=NOW)
    rows = api.invitations(store, company.root)
    assert len(rows) == 3 and {r.answered for r in rows} == {None}


def test_definitions_are_synced_to_the_survey_tables(company: Project, store: Store, inbox: Inbox) -> None:
    api.send(store, company.root, surveys=["case-csat"], now=NOW)
    assert store.execute("SELECT survey_id, kind, trigger FROM surveys").fetchall() == [
        ("case-csat", "transactional", "case_closed")
    ]
    assert [
        r[0] for r in store.execute("SELECT question_id FROM survey_questions ORDER BY position").fetchall()
    ] == [
        "csat",
        "effort",
        "topic",
    ]


def test_unknown_survey_names_the_ones_there_are(company: Project, store: Store, tmp_path: Path) -> None:
    with pytest.raises(Exception, match=r"no survey 'nope'.*case-csat, quarterly-nps"):
        api.send(store, company.root, surveys=["nope"], now=NOW)


def test_manual_surveys_invite_the_contacts_given_with_the_same_rules(
    company: Project, store: Store, inbox: Inbox
) -> None:
    (company.root / "surveys" / "onboarding.yml").write_text(
        "id: onboarding\nname: Onboarding\ntrigger: manual\n"
        "questions: [{id: ces, kind: ces, text: 'Getting started was easy.'}]\n",
        encoding="utf-8",
    )
    assert api.send(store, company.root, surveys=["onboarding"], now=NOW).total == 0  # selects nobody itself
    report = api.send(store, company.root, surveys=["onboarding"], contacts=["C-2", "C-4", "C-404"], now=NOW)
    assert report.invited == {"onboarding": 1}  # C-4 has no address, C-404 does not exist
    assert invitations(store) == [("onboarding", "C-2", "A-1", None, "P-3", "T-AM", None)]
    again = api.send(store, company.root, surveys=["onboarding"], contacts=["C-2"], now=NOW)
    assert again.total == 0  # fatigue


def test_a_relationship_survey_reaches_a_contact_once_every_every_days(
    company: Project, store: Store, inbox: Inbox
) -> None:
    path = company.root / "surveys" / "quarterly-nps.yml"
    path.write_text(path.read_text(encoding="utf-8") + "every_days: 120\n", encoding="utf-8")
    first = api.send(store, company.root, surveys=["quarterly-nps"], now=NOW)
    assert first.total == 3  # C-1, C-2, C-3
    # Fatigue (60 days) has passed, the survey's own period (120 days) has not.
    assert (
        api.send(store, company.root, surveys=["quarterly-nps"], now=NOW + 61 * dt.timedelta(days=1)).total
        == 0
    )
    assert (
        api.send(store, company.root, surveys=["quarterly-nps"], now=NOW + 121 * dt.timedelta(days=1)).total
        == 3
    )
