"""For admins: data quality (the quarantine of rejected rows), users and roles, the audit log; and the
API reference page for everyone signed in."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, Response

from cxscore.web.accounts import User
from cxscore.web.pages.scorecards import FormatQuery, TableQuery
from cxscore.web.site import Page, Site, site_of
from cxscore.web.tables import ROLES

router = APIRouter()


def _admin(site: Site, request: Request, what: str, roles: tuple[str, ...] = ("admin",)) -> User:
    user = site.user(request)
    site.access(user).require_role(roles, what)
    return user


@router.get("/data-quality", include_in_schema=False)
@router.get("/api/data-quality", tags=["admin"], summary="The quarantine: rejected rows with every reason")
def data_quality(
    request: Request,
    table_name: str | None = Query(None, alias="table_name", max_length=60, description="Only this table."),
    status: str = Query(
        "open", pattern="^(open|resolved|dropped|all)$", description="open, resolved, dropped, all."
    ),
    format: str = FormatQuery,
    table: str | None = TableQuery,
) -> Response:
    from dataclasses import asdict

    from cxscore.ingest.importer import recent_imports
    from cxscore.ingest.quarantine import count_rows, list_rows
    from cxscore.model import TABLES

    site = site_of(request)
    user = _admin(site, request, "The data quality page (raw rejected rows)")
    if table_name and table_name not in TABLES:
        from cxscore.errors import NotFoundError

        raise NotFoundError(f"table_name={table_name!r} is not a table. Tables: {', '.join(TABLES)}.")
    with site.lock:
        counts = count_rows(site.app.state.store)
        rows = [asdict(r) for r in list_rows(site.app.state.store, table_name, status, limit=500)]
        imports = recent_imports(site.app.state.store, 20)
    data: dict[str, Any] = {
        "filters": {"table_name": table_name, "status": status, "tables": sorted(TABLES)},
        "open_by_table": counts,
        "rows": rows,
        "imports": imports,
    }
    page = Page("Data quality", "quality.html", data, tables={"quarantine": rows, "imports": data["imports"]})
    return site.answer(request, user, page, format, table)


@router.get("/admin/users", include_in_schema=False)
@router.get("/api/admin/users", tags=["admin"], summary="Accounts and their roles")
def users(request: Request, format: str = FormatQuery, table: str | None = TableQuery) -> Response:
    site = site_of(request)
    user = _admin(site, request, "User administration")
    return site.answer(request, user, _users_page(site, None), format, table)


def _users_page(site: Site, message: str | None) -> Page:
    listed = [u.to_dict() for u in site.accounts.users()]
    data = {"users": listed, "roles": list(ROLES), "message": message}
    return Page("Users", "users.html", data, tables={"users": listed})


@router.post("/admin/users", include_in_schema=False)
def add_user(
    request: Request,
    username: Annotated[str, Form(min_length=1, max_length=64)],
    role: Annotated[str, Form(max_length=30)],
    password: Annotated[str, Form(max_length=1024)],
    person_id: Annotated[str, Form(max_length=60)] = "",
    display_name: Annotated[str, Form(max_length=100)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    site = site_of(request)
    user = _admin(site, request, "User administration")
    site.check_csrf(request, csrf_token)
    site.accounts.add(
        username, role, password, person_id=person_id or None, display_name=display_name or None
    )
    site.accounts.audit(user.username, "add user", username, f"role {role}")
    return site.answer(request, user, _users_page(site, f"Added {username} ({role})."))


@router.post("/admin/users/reset", include_in_schema=False)
def reset_user(
    request: Request,
    username: Annotated[str, Form(min_length=1, max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    site = site_of(request)
    user = _admin(site, request, "User administration")
    site.check_csrf(request, csrf_token)
    site.accounts.reset(username, password)
    site.accounts.audit(user.username, "reset password", username, "")
    return site.answer(
        request, user, _users_page(site, f"Reset the password of {username}; their sessions ended.")
    )


@router.get("/admin/audit", include_in_schema=False)
@router.get(
    "/api/admin/audit", tags=["admin"], summary="The audit log: who viewed payout data, account changes"
)
def audit(request: Request, format: str = FormatQuery, table: str | None = TableQuery) -> Response:
    site = site_of(request)
    user = _admin(site, request, "The audit log", ("admin", "compensation_admin"))
    entries = site.accounts.audit_entries(500)
    return site.answer(
        request,
        user,
        Page("Audit log", "audit.html", {"entries": entries}, tables={"audit": entries}),
        format,
        table,
    )


@router.get("/api-docs", include_in_schema=False)
def api_docs(request: Request) -> Response:
    """The API's endpoints, from the OpenAPI spec (served here: FastAPI's own pages load a CDN)."""
    site = site_of(request)
    user = site.user(request)
    spec = request.app.openapi()
    endpoints = [
        {
            "path": path,
            "method": method.upper(),
            "summary": op.get("summary", ""),
            "tag": (op.get("tags") or [""])[0],
            "parameters": [
                {
                    "name": p["name"],
                    "in": p["in"],
                    "description": p.get("description", ""),
                    "required": p.get("required", False),
                }
                for p in op.get("parameters", [])
            ],
        }
        for path, methods in spec["paths"].items()
        for method, op in methods.items()
    ]
    page = Page(
        "API",
        "api.html",
        {"endpoints": endpoints, "openapi": request.scope.get("root_path", "") + "/api/openapi.json"},
    )
    return site.answer(request, user, page)
