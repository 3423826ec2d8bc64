"""Webhooks from other tools: signatures, timestamps, replays, the importer's validation and quarantine."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from cxscore.store import Project

from .conftest import Served, make_app

SECRETS = {
    "HOOK_GENERIC": "generic-secret-0123456789",
    "HOOK_TYPEFORM": "typeform-secret-0123456789",
    "HOOK_ZENDESK": "zendesk-secret-0123456789",
}
CONFIG = """
surveys:
  webhooks:
    crm: {format: generic, secret_env: HOOK_GENERIC}
    typeform: {format: typeform, secret_env: HOOK_TYPEFORM, survey: quarterly-nps}
    zendesk: {format: zendesk, secret_env: HOOK_ZENDESK}
    unset: {format: generic, secret_env: HOOK_NOT_SET}
"""


@pytest.fixture
def hooks(company: Project, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Served, httpx.Client]]:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("HOOK_NOT_SET", raising=False)
    config = company.root / "cxscore.yaml"
    config.write_text(config.read_text(encoding="utf-8") + CONFIG, encoding="utf-8")
    with Served(make_app(company)) as served, httpx.Client(base_url=served.url, timeout=30) as client:
        yield served, client


def rows(served: Served, sql: str) -> list[tuple[object, ...]]:
    with served.app.state.store_lock:
        return list(served.store.execute(sql).fetchall())


def generic(
    client: httpx.Client,
    payload: object,
    delivery: str,
    *,
    stamp: int | None = None,
    secret: str = SECRETS["HOOK_GENERIC"],
    source: str = "crm",
) -> httpx.Response:
    body = json.dumps(payload).encode()
    stamp = int(time.time()) if stamp is None else stamp
    signature = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    headers = {
        "X-Cxscore-Timestamp": str(stamp),
        "X-Cxscore-Signature": f"sha256={signature}",
        "X-Cxscore-Delivery": delivery,
        "Content-Type": "application/json",
    }
    return client.post(f"/hooks/{source}", content=body, headers=headers)


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_generic_delivery_is_stored_once_per_delivery_and_per_sender_id(
    hooks: tuple[Served, httpx.Client],
) -> None:
    served, client = hooks
    answer = {"id": "ext-1", "responded_at": now_iso(), "nps": 9, "account_id": "A-1", "comment": "Great"}
    first = generic(client, {"responses": [answer]}, "d-1")
    assert first.status_code == 200 and first.json() == {"status": "stored", "stored": 1, "quarantined": 0}
    replay = generic(client, {"responses": [answer]}, "d-1")
    assert replay.json()["status"] == "duplicate"
    resent = generic(client, answer, "d-2")  # the sender retried with a new delivery id
    assert resent.json() == {"status": "stored", "stored": 1, "quarantined": 0}
    assert rows(served, "SELECT response_id, nps, account_id, comment FROM responses") == [
        ("crm:ext-1", 9, "A-1", "Great")
    ]


def test_bad_rows_go_to_the_same_quarantine_as_file_imports(hooks: tuple[Served, httpx.Client]) -> None:
    served, client = hooks
    payload = [
        {"id": "ok", "responded_at": now_iso(), "csat": 4},
        {"id": "bad", "responded_at": now_iso(), "nps": 11, "account_id": "A-404"},
    ]
    answer = generic(client, payload, "d-3")
    assert answer.json() == {"status": "stored", "stored": 1, "quarantined": 1}
    ((reason, raw),) = rows(served, "SELECT reason, raw FROM _quarantine WHERE table_name = 'responses'")
    assert "nps: 11 is above the maximum 10" in str(reason) and "A-404" in str(reason)
    assert json.loads(str(raw))["response_id"] == "crm:bad"
    corrected = {"id": "bad", "responded_at": now_iso(), "nps": 10, "account_id": "A-1"}
    assert generic(client, corrected, "d-4").json() == {"status": "stored", "stored": 1, "quarantined": 0}
    assert rows(served, "SELECT status FROM _quarantine WHERE table_name = 'responses'") == [("resolved",)]


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"secret": "wrong-secret-0123456789"}, 401, "does not match"),
        ({"stamp": int(time.time()) - 3600}, 401, "outside the 300 s window"),
    ],
)
def test_forged_and_stale_deliveries_are_refused_and_change_nothing(
    hooks: tuple[Served, httpx.Client], change: dict[str, object], status: int, words: str
) -> None:
    served, client = hooks
    answer = {"id": "x", "responded_at": now_iso(), "nps": 3}
    refused = generic(client, answer, "d-4", **change)  # type: ignore[arg-type]
    assert refused.status_code == status and words in refused.json()["message"]
    assert rows(served, "SELECT count(*) FROM responses") == [(0,)]
    assert rows(served, "SELECT count(*) FROM _webhook_receipts") == [(0,)]


def test_unknown_sources_and_missing_secrets(hooks: tuple[Served, httpx.Client]) -> None:
    _, client = hooks
    assert client.post("/hooks/nobody", content=b"{}").status_code == 404
    unset = generic(client, {"id": "x"}, "d-5", source="unset")
    assert unset.status_code == 503 and unset.json()["status"] == "not_configured"
    body = b"not json"
    stamp = str(int(time.time()))
    signature = hmac.new(
        SECRETS["HOOK_GENERIC"].encode(), stamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    garbled = client.post(
        "/hooks/crm",
        content=body,
        headers={
            "X-Cxscore-Timestamp": stamp,
            "X-Cxscore-Signature": f"sha256={signature}",
            "X-Cxscore-Delivery": "d-6",
        },
    )
    assert garbled.status_code == 400 and "not JSON" in garbled.json()["message"]


def test_typeform_webhook_payload(hooks: tuple[Served, httpx.Client]) -> None:
    served, client = hooks
    payload = {
        "event_id": "01HZXTYPEFORM",
        "event_type": "form_response",
        "form_response": {
            "form_id": "lT4Z3j",
            "token": "a3a12ec67a1365927098a606107fac15",
            "submitted_at": now_iso(),
            "hidden": {"account_id": "A-2", "contact_id": "C-3"},
            "answers": [
                {"type": "number", "number": 3, "field": {"id": "Q1", "type": "nps", "ref": "nps"}},
                {
                    "type": "text",
                    "text": "Too many bugs",
                    "field": {"id": "Q2", "type": "long_text", "ref": "why"},
                },
            ],
        },
    }
    body = json.dumps(payload).encode()
    digest = base64.b64encode(
        hmac.new(SECRETS["HOOK_TYPEFORM"].encode(), body, hashlib.sha256).digest()
    ).decode()
    answer = client.post("/hooks/typeform", content=body, headers={"Typeform-Signature": f"sha256={digest}"})
    assert answer.json() == {"status": "stored", "stored": 1, "quarantined": 0}
    assert rows(
        served, "SELECT response_id, survey_id, nps, comment, account_id, contact_id FROM responses"
    ) == [("typeform:a3a12ec67a1365927098a606107fac15", "quarterly-nps", 3, "Too many bugs", "A-2", "C-3")]
    # A detractor pushed by another tool opens a follow-up like one answered here.
    assert rows(served, "SELECT reason, assignee_id FROM followups") == [("detractor", "P-3")]
    tampered = client.post(
        "/hooks/typeform", content=body + b" ", headers={"Typeform-Signature": f"sha256={digest}"}
    )
    assert tampered.status_code == 401


def test_zendesk_satisfaction_rating(hooks: tuple[Served, httpx.Client]) -> None:
    served, client = hooks
    payload = {
        "satisfaction_rating": {
            "id": 35436,
            "score": "good",
            "ticket_id": "CS-1",
            "comment": "Quick, thanks",
            "created_at": now_iso(),
        }
    }
    body = json.dumps(payload).encode()
    stamp = now_iso()
    signature = base64.b64encode(
        hmac.new(SECRETS["HOOK_ZENDESK"].encode(), stamp.encode() + body, hashlib.sha256).digest()
    ).decode()
    headers = {
        "X-Zendesk-Webhook-Signature": signature,
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        "X-Zendesk-Webhook-Invocation-Id": "inv-1",
    }
    assert client.post("/hooks/zendesk", content=body, headers=headers).json()["stored"] == 1
    assert rows(served, "SELECT response_id, csat, case_id, comment FROM responses") == [
        ("zendesk:35436", 5, "CS-1", "Quick, thanks")
    ]
    assert client.post("/hooks/zendesk", content=body, headers=headers).json()["status"] == "duplicate"
