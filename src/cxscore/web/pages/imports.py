"""The Import page, for admins: upload a CSV, Parquet or JSON Lines file into a canonical table with the
options of `cxscore import`, and retry the quarantine.

On the embedded DuckDB store `cxscore serve` holds the database file, so `cxscore import` cannot run
beside it; this page imports through the server's own connection, holding its store lock, with the same
importer (`cxscore.ingest.import_files`): the same checks, counts, quarantine and one transaction.

The upload is written to a private file (mode 0600, in `.cxscore/uploads/` of the project, mode 0700)
named after a hash of its content, never after the name the browser sent, and deleted after the import.
Its rows are recorded (import log, quarantine) under the name sent, as `cxscore import` records the path
it was given, so uploading the same bad file twice does not quarantine its rows twice (a quarantined row
is known by its file, record and content).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Annotated, Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from cxscore.errors import AuthenticationError, CXScoreError, ImportFileError
from cxscore.ingest import ImportOptions, ImportResult, parse_assignments, parse_columns
from cxscore.ingest.sources import FORMATS
from cxscore.store import Store
from cxscore.web.accounts import User, as_text
from cxscore.web.pages.scorecards import FormatQuery, TableQuery
from cxscore.web.site import Page, Site, is_api, local_path, site_of

__all__ = ["UploadLimit", "router", "writing"]

router = APIRouter()

#: Who may change data: the admin role (the role model has no analyst role; see `cxscore.web.access`).
MAY_IMPORT = ("admin",)
WHAT = "Importing data"
#: Where uploads wait for their import, under the project folder.
UPLOADS = Path(".cxscore") / "uploads"
#: Room in a request for the form's other fields and the multipart boundaries, beside the file.
FORM_ROOM = 64 * 1024
DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|"}
ENCODINGS = ("utf-8", "utf-16", "latin-1")
DATE_ORDERS = {"": "ISO 8601 only (2025-03-31)", "day-first": "day first", "month-first": "month first"}
IMPORT_PATHS = ("/imports", "/api/imports")


@dataclass(frozen=True)
class Upload:
    """The form as sent, kept to fill the form again when the import is refused."""

    table_name: str = "responses"
    mapping: str = ""
    constants: str = ""
    date_order: str = ""
    date_format: str = ""
    key_from: str = ""
    key_from_content: bool = False
    delimiter: str = "comma"
    encoding: str = "utf-8"

    def options(self) -> ImportOptions:
        """The importer's options; MappingError names the option, the value and the fix."""
        return ImportOptions(
            mapping=parse_assignments(_lines(self.mapping), "--map"),
            constants=parse_assignments(_lines(self.constants), "--set"),
            day_first=self.date_order == "day-first",
            month_first=self.date_order == "month-first",
            date_format=self.date_format.strip() or None,
            key_from_content=self.key_from_content,
            key_from=parse_columns([self.key_from]),
            delimiter=DELIMITERS[self.delimiter],
            encoding=self.encoding,
        )


@router.get("/imports", include_in_schema=False)
@router.get("/api/imports", tags=["admin"], summary="The import form's tables and options, recent imports")
def imports(request: Request, format: str = FormatQuery, table: str | None = TableQuery) -> Response:
    site = site_of(request)
    user = _admin(site, request)
    return site.answer(request, user, _page(site, Upload()), format, table)


@router.post("/imports", include_in_schema=False)
@router.post(
    "/api/imports",
    tags=["admin"],
    summary="Import a file into a table (multipart form; the options of `cxscore import`)",
)
def upload(
    request: Request,
    file: Annotated[UploadFile, File(description="A CSV, Parquet or JSON Lines file.")],
    table_name: Annotated[str, Form(min_length=1, max_length=60, description="The canonical table.")],
    mapping: Annotated[str, Form(max_length=20_000, description="COLUMN=FILE_COLUMN, one a line.")] = "",
    constants: Annotated[str, Form(max_length=20_000, description="COLUMN=VALUE, one a line.")] = "",
    date_order: Annotated[str, Form(pattern="^(|day-first|month-first)$")] = "",
    date_format: Annotated[str, Form(max_length=200, description="A strptime format.")] = "",
    key_from: Annotated[str, Form(max_length=2_000, description="FILE_COLUMN,FILE_COLUMN...")] = "",
    key_from_content: Annotated[bool, Form()] = False,
    delimiter: Annotated[str, Form(pattern="^(comma|semicolon|tab|pipe)$")] = "comma",
    encoding: Annotated[str, Form(pattern="^(utf-8|utf-16|latin-1)$")] = "utf-8",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Import the file with the importer of `cxscore import`, holding the web app's store lock."""
    site = site_of(request)
    user = _admin(site, request)
    _check_form(site, request, csrf_token)
    sent = Upload(
        table_name,
        mapping,
        constants,
        date_order,
        date_format,
        key_from,
        key_from_content,
        delimiter,
        encoding,
    )
    name = shown_name(file.filename)
    try:
        result = _import(site, sent, file.file, name)
    except TooLarge as error:
        site.accounts.audit(user.username, "import refused", sent.table_name, f"{as_text(name)}: {error}")
        return too_large(site, request, str(error))
    except CXScoreError as error:
        site.accounts.audit(user.username, "import refused", sent.table_name, f"{as_text(name)}: {error}")
        return _refused(site, request, user, sent, str(error))
    counts = ", ".join(f"{k} {v}" for k, v in _counts(result).items())
    site.accounts.audit(
        user.username, "import", result.table, f"{as_text(name)}: {counts} ({result.import_id})"
    )
    return site.answer(request, user, _page(site, sent, imported=_described(result, name)))


@router.post("/imports/retry", include_in_schema=False)
@router.post("/api/imports/retry", tags=["admin"], summary="Retry the open quarantined rows")
def retry(
    request: Request,
    table_name: Annotated[str, Form(max_length=60, description="Only this table (empty: all).")] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Validate the open quarantined rows again with their imports' options; store those that now pass."""
    from cxscore.ingest.importer import retry_quarantined
    from cxscore.model import table

    site = site_of(request)
    user = _admin(site, request)
    _check_form(site, request, csrf_token)
    if table_name:
        table(table_name)  # ModelError (400) listing the tables when there is no such table
    with writing(site) as store:
        results = retry_quarantined(store, table_name or None)
    site.views.refresh()
    retried = [
        {"table": r.table, "retried": r.rows_read, "stored": r.resolved, "still_quarantined": r.quarantined}
        for r in results
    ]
    summary = "; ".join(f"{r['table']} {r['retried']} retried, {r['stored']} stored" for r in retried)
    site.accounts.audit(user.username, "retry quarantine", table_name or None, summary or "nothing to retry")
    return site.answer(request, user, _page(site, Upload(), retried=retried))


# -- the import ------------------------------------------------------------------------------------


class TooLarge(CXScoreError, ValueError):
    """An upload above CXSCORE_MAX_UPLOAD_MB (answered with 413)."""


class Refused(CXScoreError, ValueError):
    """The importer's refusal (a mapping, a file it cannot read), with the upload's name for the private
    file's path."""


def _import(site: Site, sent: Upload, source: IO[bytes], name: str) -> ImportResult:
    """Write the upload to a private file, import it holding the store lock, delete it."""
    from cxscore.ingest import import_files
    from cxscore.model import table

    table(sent.table_name)
    options = sent.options()
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in FORMATS:
        raise ImportFileError(
            f"Cannot import {name!r}: unknown file type {suffix or '(none)'!r}. Upload one of "
            f"{', '.join(sorted(FORMATS))} (save the file in one of these formats)."
        )
    folder = _uploads(site)
    written, digest = _write(folder, source, site.settings.max_upload_bytes)
    path = folder / f"{digest[:24]}{suffix}"
    try:
        with writing(site) as store:
            written.replace(path)
            try:
                # The rows are recorded as from the upload's own name, as the command records its path.
                return import_files(store, sent.table_name, [path], options, names={path: name})
            except CXScoreError as error:
                raise Refused(str(error).replace(str(path), repr(name))) from None
            finally:
                site.views.refresh()
    finally:
        for leftover in (written, path):
            leftover.unlink(missing_ok=True)


@contextmanager
def writing(site: Site) -> Iterator[Store]:
    """The web app's store, locked for an import. On DuckDB the survey endpoints' lock is taken too: their
    connection's transaction and the import's could change the same row (an answer, an invitation) and
    DuckDB would keep only one change, without an error, so the two take turns; the survey side never
    takes the web lock, so taking both in this order cannot deadlock. On PostgreSQL its row locks order the
    two, and customers do not wait for an import."""
    state = site.app.state
    survey: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
    if state.store.backend == "duckdb" and getattr(state, "survey_lock", None) is not None:
        survey = state.survey_lock
    with site.lock, survey:
        yield state.store


def _uploads(site: Site) -> Path:
    """The private folder for uploads (0700), made on first use."""
    folder = Path(site.project.root) / UPLOADS
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    return folder


def _write(folder: Path, source: IO[bytes], limit: int) -> tuple[Path, str]:
    """Copy the upload to a new private file (0600) in `folder`; return it and its content's SHA-256.
    TooLarge (and no file left) past `limit` bytes."""
    path = folder / f"partial-{secrets.token_hex(8)}"
    digest, size = hashlib.sha256(), 0
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            while chunk := source.read(1024 * 1024):
                size += len(chunk)
                if size > limit:
                    raise TooLarge(_limit_text(limit))
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, digest.hexdigest()


def shown_name(sent: str | None) -> str:
    """The name the browser sent, for messages and the audit log only: its last part, printable, short.

    >>> shown_name("C:\\\\exports\\\\nps week 49.csv"), shown_name("../../etc/passwd\\x00.csv")
    ('nps week 49.csv', 'passwd.csv')
    """
    last = PurePosixPath((sent or "").replace("\\", "/")).name
    kept = "".join(c for c in last if c.isprintable())[:120]
    return kept or "upload"


# -- answers ---------------------------------------------------------------------------------------


def _admin(site: Site, request: Request) -> User:
    user = site.user(request)
    site.access(user).require_role(MAY_IMPORT, WHAT)
    return user


def _check_form(site: Site, request: Request, csrf_token: str) -> None:
    """A form from a browser carries the CSRF token; a script's API token is not sent by browsers on
    their own, so a request carrying one needs none."""
    if not request.headers.get("authorization", "").lower().startswith("bearer "):
        site.check_csrf(request, csrf_token)


def _page(
    site: Site,
    sent: Upload,
    imported: dict[str, Any] | None = None,
    retried: list[dict[str, Any]] | None = None,
    error: str | None = None,
) -> Page:
    from cxscore.ingest.importer import recent_imports
    from cxscore.ingest.quarantine import count_rows
    from cxscore.model import TABLES

    with site.lock:
        open_rows = count_rows(site.app.state.store)
        recent = recent_imports(site.app.state.store, 10)
    data: dict[str, Any] = {
        "form": asdict(sent),
        "tables": [
            {"name": t.name, "key": list(t.key), "required": [c.name for c in t.columns if c.required]}
            for t in TABLES.values()
        ],
        "choices": {
            "delimiter": list(DELIMITERS),
            "encoding": list(ENCODINGS),
            "date_order": [{"value": k, "label": v} for k, v in DATE_ORDERS.items()],
        },
        "max_upload_mb": site.settings.max_upload_mb,
        "formats": sorted(FORMATS),
        "imported": imported,
        "retried": retried,
        "error": error,
        "open_by_table": open_rows,
        "imports": recent,
    }
    return Page("Import", "imports.html", data, tables={"imports": data["imports"]})


def _counts(result: ImportResult) -> dict[str, int]:
    return {
        "read": result.rows_read,
        "inserted": result.inserted,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "duplicates": result.duplicates,
        "quarantined": result.quarantined,
        "resolved": result.resolved,
    }


def _described(result: ImportResult, name: str) -> dict[str, Any]:
    """The result as `cxscore import` prints it, under the upload's name (which the quarantine and the
    import log record too)."""
    ignored = [c for columns in result.ignored_columns.values() for c in columns]
    return {
        "import_id": result.import_id,
        "table": result.table,
        "file": name,
        **_counts(result),
        "ignored": ignored,
    }


def _refused(site: Site, request: Request, user: User, sent: Upload, message: str) -> Response:
    """The form again, filled in as sent, with the importer's message (400)."""
    if is_api(request):
        return JSONResponse({"error": message, "status": 400}, status_code=400)
    page = _page(site, sent, error=message)
    context = {"page": page, "data": page.data, "user": user, "charts": {}}
    return site.html(request, page.template, context, status=400)


def too_large(site: Site, request: Request, message: str) -> Response:
    """The 413 answer: JSON for scripts, the error page for people."""
    if is_api(request) or "application/json" in request.headers.get("accept", "").split(",")[0]:
        return JSONResponse({"error": message, "status": 413}, status_code=413)
    user = None
    with contextlib.suppress(AuthenticationError):
        user = site.user(request)
    return site.html(request, "error.html", {"status": 413, "message": message, "user": user}, status=413)


def _limit_text(limit: int) -> str:
    mb = limit / (1024 * 1024)
    return (
        f"The file is larger than the upload limit of {mb:g} MB (CXSCORE_MAX_UPLOAD_MB). Split it, or "
        "raise the limit on the server, or import it with `cxscore import` while the server is stopped."
    )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class UploadLimit:
    """Refuses an upload to the Import page that is larger than the limit before its body is read: by
    its Content-Length (413), or without one (411: browsers always send it). The page checks the file's
    own size again as it copies it. Plain ASGI, like the rate limit."""

    def __init__(self, app: ASGIApp, site: Site) -> None:
        self.app = app
        self.site = site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            request = Request(scope)
            if local_path(request) in IMPORT_PATHS:
                limit = self.site.settings.max_upload_bytes
                length = request.headers.get("content-length", "")
                if not length.isdigit():
                    answer = JSONResponse(
                        {"error": "Send the upload with a Content-Length header.", "status": 411}, 411
                    )
                    await answer(scope, receive, send)
                    return
                if int(length) > limit + FORM_ROOM:
                    await too_large(self.site, request, _limit_text(limit))(scope, receive, send)
                    return
        await self.app(scope, receive, send)
