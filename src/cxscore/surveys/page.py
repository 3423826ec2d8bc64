"""The public survey page (`/s/TOKEN`) and the unsubscribe page (`/u/TOKEN`).

Server-rendered HTML that works without JavaScript: one page, or one question per screen with the
answers so far kept in the store. Every response is also available as JSON (`Accept: application/json`).
Every request is rate-limited per client address and, once the link is verified, per link; a refused
request gets 429 with `Retry-After` and a page saying when to try again. The page shows the survey's own
texts only: no internal id, team or person name.

| situation | status | page |
|---|---|---|
| answers stored (or the same form sent again) | 200 | thank you |
| answers with problems | 422 | the form again, every problem named |
| forged, altered or cut link | 404 | this link is not valid |
| expired link | 410 | this link has expired |
| link already used by another submission | 409 | already answered |
| form not made for this link (CSRF) | 403 | open the survey again |
| too many requests | 429 | wait N seconds |
| the store could not commit | 503 | try again in a minute |
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from cxscore.errors import RateLimitedError, SurveyLinkError
from cxscore.surveys.answers import COMMENT, MAX_TEXT, check_answers, question_ids
from cxscore.surveys.definition import Survey
from cxscore.surveys.dialect import exclusive
from cxscore.surveys.messages import LANGUAGES, catalogue
from cxscore.surveys.service import SurveyService
from cxscore.surveys.tokens import Link, make_form_token, read_form_token, read_link
from cxscore.surveys.writer import Outcome, Submission

__all__ = ["router"]

router = APIRouter(include_in_schema=True)
_TEMPLATES = Environment(
    loader=PackageLoader("cxscore.surveys", "templates"), autoescape=select_autoescape(["html"])
)
_STATIC = Path(__file__).parent / "static"
#: Largest form body accepted, in bytes (every question plus a long comment fits easily).
MAX_BODY = 64 * 1024
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
}
#: The form bodies as OpenAPI declares them (the handlers read the body themselves, within `MAX_BODY`).
_FORM_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "form_token": {"type": "string", "description": "The token of the page's form."},
                        "step": {"type": "string", "description": "The screen answered (one per screen)."},
                        "go": {"type": "string", "enum": ["next", "back", "send"]},
                    },
                    "required": ["form_token"],
                    "additionalProperties": {"type": "string", "description": "An answer, by question id."},
                }
            }
        },
    }
}
_STATUS = {"invalid": 404, "expired": 410, "form": 403, "used": 409, "unknown": 404, "failed": 503}
_PAGE = {"invalid": "invalid", "expired": "expired", "form": "form", "used": "used", "unknown": "invalid"}


def _service(request: Request) -> SurveyService:
    service: SurveyService = request.app.state.surveys
    return service


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _language(request: Request, offered: tuple[str, ...] = LANGUAGES) -> str:
    """The first language of the Accept-Language header that is offered, else the first offered."""
    for part in request.headers.get("accept-language", "")[:200].split(","):
        tag = part.split(";")[0].strip()
        for candidate in (tag, tag.split("-")[0].lower()):
            if candidate in offered:
                return candidate
    return "en"


def _message(request: Request, key: str, status: int, language: str, **values: Any) -> Response:
    t = catalogue(language)
    title, body = t[f"{key}_title"], t[f"{key}_body"].format(**values)
    headers = dict(_HEADERS)
    if "seconds" in values:
        headers["Retry-After"] = str(values["seconds"])
    if _wants_json(request):
        return JSONResponse({"status": key, "title": title, "message": body}, status, headers=headers)
    html = _TEMPLATES.get_template("message.html").render(title=title, body=body, language=language)
    return HTMLResponse(html, status, headers=headers)


def _limited(request: Request, error: RateLimitedError, language: str) -> Response:
    seconds = max(1, int(error.retry_after + 0.999))
    return _message(request, "limited", 429, language, seconds=seconds)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _verify(request: Request, token: str, key: bytes) -> Link:
    """The link of `token` after the rate limits; raises SurveyLinkError or RateLimitedError."""
    service = _service(request)
    service.per_address.check(f"addr:{_client(request)}", "requests from this address")
    link = read_link(key, token, time.time())
    service.per_link.check(f"link:{link.link_id}", "requests for this link")
    return link


def _refusal(request: Request, error: Exception) -> Response:
    language = _language(request)
    if isinstance(error, RateLimitedError):
        return _limited(request, error, language)
    reason = error.reason if isinstance(error, SurveyLinkError) else "invalid"
    return _message(request, _PAGE[reason], _STATUS[reason], language)


def _same_origin(request: Request) -> bool:
    """A browser's Origin header, when sent, must name this server (no forms posted from elsewhere)."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")


# -- the survey page ----------------------------------------------------------------------------------


@router.get("/s/static/survey.css", include_in_schema=False)
def stylesheet() -> FileResponse:
    return FileResponse(
        _STATIC / "survey.css", media_type="text/css", headers={"Cache-Control": "max-age=86400"}
    )


@router.get("/s/{token}", summary="The survey page of a link", response_class=HTMLResponse)
def show(request: Request, token: str, step: int | None = None, lang: str | None = None) -> Response:
    service = _service(request)
    try:
        link = _verify(request, token, service.keys.link)
    except (SurveyLinkError, RateLimitedError) as error:
        return _refusal(request, error)
    row = service.link_row(link.invitation_id)
    survey = service.survey(str(row[0])) if row else None
    if row is None or survey is None:
        return _message(request, "invalid", 404, _language(request))
    language = survey.language_for(lang if lang in survey.languages else str(row[1]))
    if row[2] is not None:
        return _message(request, "used", 409, language)
    saved: dict[str, str] = {}
    if survey.layout == "one_per_screen":  # only these keep answers between screens
        with service.locked() as store:
            saved = dict(
                store.execute(
                    "SELECT question_id, value FROM _survey_partials WHERE invitation_id = ?",
                    [link.invitation_id],
                ).fetchall()
            )
    return _form(request, survey, token, link, language, saved, {}, step, 200)


def _steps(survey: Survey) -> list[str]:
    return question_ids(survey)


def _form(
    request: Request,
    survey: Survey,
    token: str,
    link: Link,
    language: str,
    values: dict[str, str],
    errors: dict[str, str],
    step: int | None,
    status: int,
) -> Response:
    service = _service(request)
    fields = _steps(survey)
    one_per_screen = survey.layout == "one_per_screen"
    if one_per_screen:
        step = min(max(step or 0, 0), len(fields) - 1)
        shown = [fields[step]]
    else:
        step, shown = None, fields
    t = catalogue(language)
    questions = [_question(survey, q, language, values.get(q), errors.get(q)) for q in shown]
    form_token = make_form_token(service.keys.form, link.link_id)
    query = f"?lang={language}" if language != survey.languages[0] else ""
    context = {
        "language": language,
        "title": survey.title_in(language),
        "intro": survey.intro.get(language)
        or (next(iter(survey.intro.values()), "") if survey.intro else ""),
        "anonymous": survey.anonymous,
        "t": t,
        "questions": questions,
        "errors": bool(errors),
        "form_token": form_token,
        "action": f"/s/{token}{query}",
        "step": step,
        "steps": t["step"].format(current=step + 1, total=len(fields)) if step is not None else "",
        "back": step - 1 if step else None,
        "last": step is None or step == len(fields) - 1,
        "limit": MAX_TEXT,
    }
    headers = dict(_HEADERS)
    if _wants_json(request):
        public = [
            {k: q[k] for k in ("id", "kind", "label", "required", "points", "choices", "error")}
            for q in questions
        ]
        return JSONResponse(
            {
                "status": "form",
                "title": context["title"],
                "language": language,
                "form_token": form_token,
                "step": step,
                "questions": public,
            },
            status,
            headers=headers,
        )
    return HTMLResponse(_TEMPLATES.get_template("survey.html").render(context), status, headers=headers)


def _question(
    survey: Survey, question_id: str, language: str, value: str | None, error: str | None
) -> dict[str, Any]:
    t = catalogue(language)
    question = survey.question(question_id)
    if question is None:  # the comment
        label = survey.comment.get(language) or t["comment_default"]
        return {
            "id": COMMENT,
            "kind": "text",
            "label": label,
            "required": False,
            "points": [],
            "choices": [],
            "value": value,
            "error": error,
        }
    points = list(range(question.scale[0], question.scale[1] + 1)) if question.scale else []
    kind = question.kind if question.kind in ("nps", "csat", "ces") else "rating"
    return {
        "id": question.id,
        "kind": question.kind,
        "label": question.label(language),
        "required": question.required,
        "points": points,
        "choices": list(question.choices),
        "low": question.low_label.get(language) or t[f"{kind}_low"],
        "high": question.high_label.get(language) or t[f"{kind}_high"],
        "value": value,
        "error": error,
    }


@router.post(
    "/s/{token}", summary="Answer the survey of a link", response_class=HTMLResponse, openapi_extra=_FORM_BODY
)
async def answer(request: Request, token: str, lang: str | None = None) -> Response:
    service = _service(request)
    try:
        link = _verify(request, token, service.keys.link)
    except (SurveyLinkError, RateLimitedError) as error:
        return _refusal(request, error)
    form = await _read_form(request)
    if isinstance(form, Response):
        return form
    try:
        if not _same_origin(request):
            raise SurveyLinkError("The form was posted from another site.", "form")
        nonce = read_form_token(service.keys.form, link.link_id, form.get("form_token", ""))
    except SurveyLinkError as error:
        return _refusal(request, error)
    if form.get("step") is not None:
        saved = await run_in_threadpool(_save_step, service, request, link, form, lang)
        if saved is None:
            return _message(request, "invalid", 404, _language(request))
        if isinstance(saved, Response):
            return saved
        if isinstance(saved, _Step):
            return _form(
                request,
                saved.survey,
                token,
                link,
                saved.language,
                saved.values,
                saved.errors,
                saved.step,
                saved.status,
            )
        form = saved
    future = service.writer.submit(Submission(link.link_id, nonce, form, lang))
    outcome: Outcome = await asyncio.wrap_future(future)
    return _answered(request, token, link, outcome, lang)


def _answered(request: Request, token: str, link: Link, outcome: Outcome, lang: str | None) -> Response:
    language = outcome.language
    if outcome.status == "stored":
        return _message(request, "thanks", 200, language)
    if outcome.status == "invalid" and outcome.survey is not None:
        first = next((i for i, q in enumerate(_steps(outcome.survey)) if q in outcome.errors), 0)
        step = first if outcome.survey.layout == "one_per_screen" else None
        return _form(
            request, outcome.survey, token, link, language, outcome.values, outcome.errors, step, 422
        )
    if outcome.status == "failed":
        response = _message(request, "error", 503, language)
        response.headers["Retry-After"] = "1"
        return response
    return _message(request, _PAGE[outcome.status], _STATUS[outcome.status], language)


async def _read_form(request: Request) -> dict[str, str] | Response:
    """The posted form as a dict (last value of each name), refusing bodies too large or not a form."""
    language = _language(request)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return _message(request, "form", 415, language)
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > MAX_BODY:
        return _message(request, "form", 413, language)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return _message(request, "form", 413, language)
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=64))
    except (UnicodeDecodeError, ValueError):
        return _message(request, "form", 400, language)


class _Step:
    """A screen to show again (one question per screen): the next, the previous, or this one with errors."""

    def __init__(
        self,
        survey: Survey,
        language: str,
        values: dict[str, str],
        errors: dict[str, str],
        step: int,
        status: int,
    ) -> None:
        self.survey, self.language, self.values, self.errors, self.step, self.status = (
            survey,
            language,
            values,
            errors,
            step,
            status,
        )


def _save_step(
    service: SurveyService, request: Request, link: Link, form: dict[str, str], lang: str | None
) -> Any:
    """Keep the answer of one screen; the next screen to show, or (on the last) the whole form to submit."""
    row = service.link_row(link.invitation_id)
    survey = service.survey(str(row[0])) if row else None
    if row is None or survey is None:
        return None
    language = survey.language_for(lang if lang in survey.languages else str(row[1]))
    if row[2] is not None:
        return _message(request, "used", 409, language)
    fields = _steps(survey)
    raw_step = form.get("step", "0")
    step = int(raw_step) if raw_step.isdigit() and int(raw_step) < len(fields) else 0
    question_id = fields[step]
    checked = check_answers(survey, form, language, final=form.get("go") != "back", only=[question_id])
    now = datetime.now(UTC).replace(tzinfo=None)
    with service.locked() as store, store.transaction():
        store.execute(
            "DELETE FROM _survey_partials WHERE invitation_id = ? AND question_id = ?",
            [link.invitation_id, question_id],
        )
        if question_id in checked.values:
            store.execute(
                "INSERT INTO _survey_partials (invitation_id, question_id, value, saved_at) "
                "VALUES (?, ?, ?, ?)",
                [link.invitation_id, question_id, checked.values[question_id], now],
            )
        saved = dict(
            store.execute(
                "SELECT question_id, value FROM _survey_partials WHERE invitation_id = ?",
                [link.invitation_id],
            ).fetchall()
        )
    if checked.errors:
        return _Step(
            survey, language, saved | {question_id: form.get(question_id, "")}, checked.errors, step, 422
        )
    if form.get("go") == "back":
        return _Step(survey, language, saved, {}, max(step - 1, 0), 200)
    if step < len(fields) - 1:
        return _Step(survey, language, saved, {}, step + 1, 200)
    return {**saved, "form_token": form.get("form_token", "")}


# -- unsubscribing ------------------------------------------------------------------------------------


@router.get("/u/{token}", summary="The unsubscribe page of a link", response_class=HTMLResponse)
def unsubscribe_page(request: Request, token: str) -> Response:
    service = _service(request)
    try:
        link = _verify(request, token, service.keys.unsubscribe)
    except (SurveyLinkError, RateLimitedError) as error:
        return _refusal(request, error)
    row = service.link_row(link.invitation_id)
    if row is None:
        return _message(request, "invalid", 404, _language(request))
    language = str(row[1])
    t = catalogue(language)
    if _wants_json(request):
        return JSONResponse(
            {"status": "unsubscribe", "form_token": make_form_token(service.keys.form, link.link_id)},
            headers=_HEADERS,
        )
    html = _TEMPLATES.get_template("unsubscribe.html").render(
        language=language,
        t=t,
        title=t["unsubscribe_title"],
        body=t["unsubscribe_body"],
        action=f"/u/{token}",
        form_token=make_form_token(service.keys.form, link.link_id),
    )
    return HTMLResponse(html, headers=_HEADERS)


@router.post(
    "/u/{token}",
    summary="Unsubscribe the contact of a link from every survey",
    response_class=HTMLResponse,
    openapi_extra=_FORM_BODY,
)
async def unsubscribe(request: Request, token: str) -> Response:
    service = _service(request)
    try:
        link = _verify(request, token, service.keys.unsubscribe)
    except (SurveyLinkError, RateLimitedError) as error:
        return _refusal(request, error)
    form = await _read_form(request)
    if isinstance(form, Response):
        return form
    try:
        if not _same_origin(request):
            raise SurveyLinkError("The form was posted from another site.", "form")
        read_form_token(service.keys.form, link.link_id, form.get("form_token", ""))
    except SurveyLinkError as error:
        return _refusal(request, error)
    language = await run_in_threadpool(_unsubscribe, service, link.invitation_id)
    if language is None:
        return _message(request, "invalid", 404, _language(request))
    return _message(request, "unsubscribed", 200, language)


def _unsubscribe(service: SurveyService, invitation_id: str) -> str | None:
    """Record the opt-out of the link's contact (once; a second click changes nothing)."""
    with service.locked() as store:
        row = store.execute(
            "SELECT i.contact_id, l.email, l.language FROM _survey_links l "
            "JOIN invitations i USING (invitation_id) "
            "WHERE l.invitation_id = ?",
            [invitation_id],
        ).fetchone()
        if row is None:
            return None
        contact, email, language = row
        if contact is not None:
            with exclusive(store, "unsubscribes"), store.transaction():  # two clicks on two servers: one row
                if (
                    store.execute("SELECT 1 FROM unsubscribes WHERE contact_id = ?", [contact]).fetchone()
                    is None
                ):
                    store.execute(
                        "INSERT INTO unsubscribes (contact_id, email, unsubscribed_at, source) "
                        "VALUES (?, ?, ?, 'link')",
                        [contact, email, datetime.now(UTC).replace(tzinfo=None, microsecond=0)],
                    )
        return str(language)
