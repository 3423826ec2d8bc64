"""Payout statements (restricted): a person sees their own, a manager their subtree's, a compensation admin
everyone's. Every view (page, JSON, export) is written to the audit log with who, what and when."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Query, Request, Response

from cxscore.errors import AccessDeniedError
from cxscore.web.pages.common import period_choices, period_of, person_of
from cxscore.web.pages.scorecards import FormatQuery, PeriodQuery, TableQuery
from cxscore.web.site import Page, site_of

router = APIRouter()


@router.get("/payouts", include_in_schema=False)
@router.get("/api/payouts", tags=["payouts"], summary="Payout statements (restricted, audit-logged)")
def payouts(
    request: Request,
    period: str | None = PeriodQuery,
    person: str | None = Query(None, max_length=60, description="One person's statements."),
    format: str = FormatQuery,
    table: str | None = TableQuery,
) -> Response:
    site = site_of(request)
    user = site.user(request)
    snap = site.snapshot()
    chosen = period_of(snap, period)
    access = site.access(user, chosen.end)
    if person:
        person_of(snap, person)
        if not access.may_see_payouts(person):
            raise AccessDeniedError(
                f"Payouts of {person} are visible only to that person, their managers and compensation "
                "admins; "
                f"your role is {user.role.replace('_', ' ')}."
            )
    elif user.role not in ("compensation_admin", "manager") and not user.person_id:
        raise AccessDeniedError(
            f"Your account ({user.role.replace('_', ' ')} role) is not linked to a person, so it has no "
            "payouts; compensation admins see everyone's."
        )
    everything = snap.cached(("payouts", chosen.label), lambda: _statements(snap, chosen.label))
    shown = [
        s
        for s in everything
        if (not person or s["person_id"] == person) and access.may_see_payouts(s["person_id"])
    ]
    lines = [
        {
            "period": s["period"],
            "person_id": s["person_id"],
            "name": s["name"],
            "plan": s["plan"]["name"],
            **line,
        }
        for s in shown
        for line in s["lines"]
    ]
    for row in lines:
        row.pop("figures", None)
        row.pop("contracts", None)
    total = sum((Decimal(s["total"]) for s in shown), Decimal(0))
    data = {
        "filters": {"period": chosen.label, "periods": period_choices(snap), "person": person},
        "statements": shown,
        "total": str(total),
        "audited": True,
    }
    page = Page(
        "Payouts",
        "payouts.html",
        data,
        tables={
            "statements": [
                {k: v for k, v in s.items() if k not in ("lines", "plan", "data", "notes")} for s in shown
            ],
            "lines": lines,
        },
        audit=(
            "view payouts",
            person or ("everyone" if user.role == "compensation_admin" else "own and reports"),
        ),
    )
    return site.answer(request, user, page, format, table)


def _statements(snap: Any, period: str) -> list[dict[str, Any]]:
    """Every statement of the period under the project's active plans, as plain data."""
    from cxscore.errors import PayoutError
    from cxscore.plans.api import Payroll, statements
    from cxscore.plans.facts import Facts

    engine = snap.evaluator.results.engine
    # The payroll shares the app's store and engine; it is never closed here (the app owns the store).
    payroll = Payroll(snap.project, snap.store, engine, Facts(engine, snap.project.root))
    found: list[dict[str, Any]] = []
    for plan in payroll.plans():
        if plan.status != "active":
            continue
        try:
            found += [s.to_dict() for s in statements(payroll, plan, period)]
        except PayoutError:
            continue  # the plan pays per year and a quarter was asked (or the reverse): nothing to pay
    return found
