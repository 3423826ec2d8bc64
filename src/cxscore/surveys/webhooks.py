"""Responses pushed by other tools: `POST /hooks/SOURCE`, signed, fresh, once, validated like an import.

Each source is configured in cxscore.yaml (`surveys.webhooks`) with its format and the environment
variable holding its secret. A delivery is accepted only if its HMAC-SHA256 signature matches (compared
in constant time), its timestamp is within the source's tolerance, and its delivery id was not seen
before. Its rows then go through the importer, so they are validated, upserted and quarantined exactly
like a file import; the response id is `SOURCE:SENDER_ID`, so the sender's retries store nothing twice.

- `generic`: signature `X-Cxscore-Signature: sha256=HEX(HMAC(secret, TIMESTAMP + "." + BODY))`, timestamp
  `X-Cxscore-Timestamp` (Unix seconds), delivery id `X-Cxscore-Delivery`, the sender's id: each row's `id`;
- `typeform`: signature `Typeform-Signature: sha256=BASE64(HMAC(secret, BODY))`, timestamp
  `form_response.submitted_at` (inside the signed body), delivery id `event_id`, sender's id
  `form_response.token`;
- `zendesk`: signature `X-Zendesk-Webhook-Signature: BASE64(HMAC(secret, TIMESTAMP + BODY))`, timestamp
  `X-Zendesk-Webhook-Signature-Timestamp`, delivery id `X-Zendesk-Webhook-Invocation-Id`, sender's id
  `satisfaction_rating.id`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from cxscore.errors import ConfigError, RateLimitedError, WebhookError
from cxscore.ingest import ImportOptions, import_files
from cxscore.model import table as model_table
from cxscore.surveys.dialect import exclusive
from cxscore.surveys.followups import open_followups
from cxscore.surveys.service import SurveyService
from cxscore.surveys.settings import WebhookSource

__all__ = ["FORMATS", "Delivery", "router"]

router = APIRouter()
#: Largest body accepted, in bytes.
MAX_BODY = 1024 * 1024
_RESPONSE_COLUMNS = set(model_table("responses").column_names)
_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class Delivery:
    """A verified delivery: its id and its rows (canonical `responses` columns, as text)."""

    def __init__(self, delivery_id: str, rows: list[dict[str, str]]) -> None:
        self.delivery_id = delivery_id
        self.rows = rows


def _hmac(secret: bytes, message: bytes) -> bytes:
    return hmac.new(secret, message, hashlib.sha256).digest()


def _refuse(message: str, status: int = 401) -> WebhookError:
    return WebhookError(message, status)


def _fresh(moment: float, now: float, tolerance: int, what: str) -> None:
    if abs(now - moment) > tolerance:
        raise _refuse(
            f"The delivery's {what} is {abs(now - moment):.0f} s from now, outside the {tolerance} s window: "
            "a replayed or delayed delivery. Resend it with a fresh timestamp and signature."
        )


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise _refuse(
            "The body is not JSON. Send the payload as JSON (Content-Type: application/json).", 400
        ) from None


def _epoch(text: str, what: str) -> float:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise _refuse(
            f"The {what} {text[:40]!r} is not an ISO 8601 time such as 2025-03-06T18:02:00Z.", 400
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# -- the formats -----------------------------------------------------------------------------------------


def _generic(source: WebhookSource, headers: dict[str, str], body: bytes, now: float) -> Delivery:
    stamp, signature = headers.get("x-cxscore-timestamp", ""), headers.get("x-cxscore-signature", "")
    expected = "sha256=" + _hmac(source.secret(), stamp.encode() + b"." + body).hex()
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise _refuse(
            "The X-Cxscore-Signature header does not match the body and timestamp. Sign with the secret."
        )
    if not stamp.isdigit():
        raise _refuse("X-Cxscore-Timestamp must be the Unix time in seconds.", 400)
    _fresh(float(stamp), now, source.tolerance_seconds, "timestamp")
    delivery = headers.get("x-cxscore-delivery", "")
    if not delivery:
        raise _refuse("X-Cxscore-Delivery is missing: give every delivery a unique id.", 400)
    payload = _json(body)
    items = payload.get("responses", [payload]) if isinstance(payload, dict) else payload
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise _refuse('The body must be a response object, a list of them, or {"responses": [...]}.', 400)
    rows = []
    for item in items:
        row = {k: _text(v) for k, v in item.items() if k in _RESPONSE_COLUMNS and k != "response_id"}
        row["response_id"] = (
            f"{source.name}:{_text(item.get('id')) or ''}" if item.get("id") is not None else ""
        )
        rows.append({k: v for k, v in row.items() if v is not None})
    return Delivery(delivery, rows)


_TYPEFORM_SCORES = {"nps": "nps", "csat": "csat", "ces": "ces"}


def _typeform(source: WebhookSource, headers: dict[str, str], body: bytes, now: float) -> Delivery:
    signature = headers.get("typeform-signature", "")
    expected = "sha256=" + base64.b64encode(_hmac(source.secret(), body)).decode()
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise _refuse("The Typeform-Signature header does not match the body. Check the webhook's secret.")
    payload = _json(body)
    response = payload.get("form_response") if isinstance(payload, dict) else None
    if not isinstance(response, dict) or not payload.get("event_id"):
        raise _refuse("A Typeform delivery has event_id and form_response; this body has not.", 400)
    _fresh(
        _epoch(str(response.get("submitted_at", "")), "submitted_at"),
        now,
        source.tolerance_seconds,
        "submitted_at",
    )
    row: dict[str, str | None] = {
        "response_id": f"{source.name}:{response.get('token', '')}",
        "responded_at": _text(response.get("submitted_at")),
    }
    hidden = response.get("hidden") or {}
    for key, value in hidden.items() if isinstance(hidden, dict) else ():
        if key in _RESPONSE_COLUMNS and key != "response_id":
            row[key] = _text(value)
    for answer in response.get("answers") or []:
        field = answer.get("field") or {} if isinstance(answer, dict) else {}
        ref, kind = str(field.get("ref", "")), str(field.get("type", ""))
        column = _TYPEFORM_SCORES.get(ref) or ("nps" if kind == "nps" else None)
        if column and answer.get("type") == "number":
            row[column] = _text(answer.get("number"))
        elif answer.get("type") == "text" and "comment" not in row:
            row["comment"] = _text(answer.get("text"))
    return Delivery(str(payload["event_id"]), [{k: v for k, v in row.items() if v is not None}])


_ZENDESK_SCORES = {"good": "5", "bad": "1"}


def _zendesk(source: WebhookSource, headers: dict[str, str], body: bytes, now: float) -> Delivery:
    stamp = headers.get("x-zendesk-webhook-signature-timestamp", "")
    signature = headers.get("x-zendesk-webhook-signature", "")
    expected = base64.b64encode(_hmac(source.secret(), stamp.encode() + body)).decode()
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise _refuse(
            "The X-Zendesk-Webhook-Signature header does not match. Check the webhook's signing secret."
        )
    _fresh(_epoch(stamp, "signature timestamp"), now, source.tolerance_seconds, "signature timestamp")
    delivery = headers.get("x-zendesk-webhook-invocation-id", "")
    if not delivery:
        raise _refuse("X-Zendesk-Webhook-Invocation-Id is missing.", 400)
    payload = _json(body)
    rating = payload.get("satisfaction_rating") if isinstance(payload, dict) else None
    if not isinstance(rating, dict) or rating.get("id") is None:
        raise _refuse('A Zendesk delivery holds {"satisfaction_rating": {"id": ..., "score": ...}}.', 400)
    score = _text(rating.get("score"))
    row = {
        "response_id": f"{source.name}:{rating['id']}",
        "responded_at": _text(rating.get("updated_at") or rating.get("created_at")),
        "csat": _ZENDESK_SCORES.get(str(score).lower(), score) if score is not None else None,
        "comment": _text(rating.get("comment")),
        "case_id": _text(rating.get("ticket_id")),
    }
    return Delivery(delivery, [{k: v for k, v in row.items() if v is not None}])


FORMATS: dict[str, Callable[[WebhookSource, dict[str, str], bytes, float], Delivery]] = {
    "generic": _generic,
    "typeform": _typeform,
    "zendesk": _zendesk,
}


# -- the endpoint ------------------------------------------------------------------------------------------


def _answer(status: int, payload: dict[str, Any], retry: float | None = None) -> Response:
    headers = {"Cache-Control": "no-store"}
    if retry is not None:
        headers["Retry-After"] = str(max(1, int(retry + 0.999)))
    return JSONResponse(payload, status, headers=headers)


@router.post(
    "/hooks/{source}",
    summary="Receive survey responses from another tool",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object", "additionalProperties": True}}},
        }
    },
)
async def receive(request: Request, source: str) -> Response:
    service: SurveyService = request.app.state.surveys
    client = request.client.host if request.client else "unknown"
    try:
        service.per_address.check(f"addr:{client}", "requests from this address")
        configured = service.settings.webhooks.get(source)
        if configured is None:
            return _answer(404, {"status": "unknown_source", "message": "No webhook source by that name."})
        service.per_source.check(f"hook:{source}", "deliveries from this source")
    except RateLimitedError as error:
        return _answer(429, {"status": "limited", "message": str(error)}, error.retry_after)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return _answer(
                413, {"status": "too_large", "message": f"Bodies are limited to {MAX_BODY} bytes."}
            )
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        delivery = FORMATS[configured.format](configured, headers, body, time.time())
    except ConfigError:
        return _answer(
            503, {"status": "not_configured", "message": "This source's secret is not set on the server."}
        )
    except WebhookError as error:
        return _answer(error.status, {"status": "refused", "message": str(error)})
    result = await run_in_threadpool(_store, service, configured, delivery)
    return _answer(200, result)


def _store(service: SurveyService, source: WebhookSource, delivery: Delivery) -> dict[str, Any]:
    """Import the delivery's rows (validation and quarantine as for files), once per delivery id."""
    now = datetime.now(UTC).replace(tzinfo=None)
    # Two servers given the same delivery (or the same sender's id) at once: one imports, one sees it.
    with service.locked() as store, exclusive(store, "webhook"):
        seen = store.execute(
            "SELECT stored, quarantined FROM _webhook_receipts WHERE source = ? AND delivery_id = ?",
            [source.name, delivery.delivery_id],
        ).fetchone()
        if seen is not None:
            return {"status": "duplicate", "stored": int(seen[0]), "quarantined": int(seen[1])}
        constants = {"survey_id": source.survey} if source.survey else {}
        with tempfile.TemporaryDirectory(prefix="cxscore-hook-") as folder:
            name = _SAFE.sub("_", f"webhook-{source.name}-{delivery.delivery_id}")[:120] + ".jsonl"
            path = Path(folder) / name
            rows = [r | {c: v for c, v in constants.items() if c not in r} for r in delivery.rows]
            path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
            result = import_files(store, "responses", [path], ImportOptions())
        stored = result.inserted + result.updated + result.unchanged
        ids = [r["response_id"] for r in rows if r.get("response_id")]
        with store.transaction():
            store.execute(
                "INSERT INTO _webhook_receipts "
                "(source, delivery_id, received_at, import_id, stored, quarantined) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [source.name, delivery.delivery_id, now, result.import_id, stored, result.quarantined],
            )
            open_followups(store, service.surveys(), response_ids=ids)
    return {"status": "stored", "stored": stored, "quarantined": result.quarantined}
