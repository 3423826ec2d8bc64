"""Derived views: facts that are not one row of one canonical table, declared once like the tables.

Some metrics count things that only exist across tables: an invitation *that was answered*, a case
*and its satisfaction answer*, a contract term *and the ARR that renewed it*, an account that *could
have upgraded* to a release. Each view here is a canonical-style `Table` declaration (so metric files
are validated against it like any table) and a function building it as an Ibis expression, so it runs
inside the engine like everything else. Users write metrics on views exactly as on tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cxscore.model import TABLES, Column, Kind, Table
from cxscore.model.contracts import OUTCOMES

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = ["VIEWS", "View", "as_of", "days_between", "seconds_between", "source_table", "within_days"]

Tables = Callable[[str], "ir.Table"]


@dataclass(frozen=True)
class View:
    """A derived view: its declaration and how to build it from the canonical tables."""

    table: Table
    build: Callable[[Tables], ir.Table]


def seconds_between(start: ir.Value, end: ir.Value) -> ir.FloatingValue:
    """Seconds from `start` to `end` (dates or timestamps), the same on every engine.

    The difference is cast to a float before any division: Spark would otherwise divide an integer by
    a decimal literal in decimal arithmetic and round the result.
    """
    difference = end.cast("timestamp").epoch_seconds() - start.cast("timestamp").epoch_seconds()
    return difference.cast("float64")


def days_between(start: ir.Value, end: ir.Value) -> ir.FloatingValue:
    """Days from `start` to `end` (dates or timestamps), the same on every engine."""
    return seconds_between(start, end) / 86400.0


def within_days(when: ir.Value, first: dt.date | None, last: dt.date | None) -> list[ir.BooleanValue]:
    """Conditions keeping the rows whose day of `when` (a date or timestamp column) is `first` .. `last`,
    both included (None: no bound), on the column itself: a filter on its day (``CAST(time AS DATE)``)
    is one PostgreSQL cannot estimate from its statistics, so it plans the joins above it for a
    two-hundredth of the rows (nested loops).

    >>> import ibis
    >>> t = ibis.memtable({"at": [dt.datetime(2025, 1, 31, 23, 59), dt.datetime(2025, 2, 1)]})
    >>> t.filter(*within_days(t.at, dt.date(2025, 1, 1), dt.date(2025, 1, 31))).count().execute()
    1
    """
    import ibis

    conditions: list[ir.BooleanValue] = []
    if when.type().is_timestamp():
        if first is not None:
            conditions.append(when >= ibis.literal(dt.datetime.combine(first, dt.time())))
        if last is not None:
            after = dt.datetime.combine(last + dt.timedelta(days=1), dt.time())
            conditions.append(when < ibis.literal(after))
        return conditions
    if first is not None:
        conditions.append(when >= first)
    if last is not None:
        conditions.append(when <= last)
    return conditions


def _declare(name: str, doc: str, base: str, extra: tuple[Column, ...], drop: tuple[str, ...] = ()) -> Table:
    columns = tuple(c for c in TABLES[base].columns if c.name not in drop) + extra
    return Table(name, doc, "views", columns, key=TABLES[base].key)


def _invitation_outcomes(table: Tables) -> ir.Table:
    invitations, responses = table("invitations"), table("responses")
    named = responses.filter(responses.invitation_id.notnull())
    answered = named.group_by(answered_id=named.invitation_id).aggregate(
        responded_at=named.responded_at.min()
    )
    joined = invitations.left_join(answered, invitations.invitation_id == answered.answered_id)
    # An anonymous answer does not name its invitation; the invitation says it was answered.
    return joined.select(*invitations.columns, "responded_at").mutate(
        responded=lambda t: t.responded_at.notnull() | t.answered_anonymously.fill_null(False)
    )


def _case_outcomes(table: Tables) -> ir.Table:
    cases, responses = table("cases"), table("responses")
    answered = responses.filter(responses.case_id.notnull() & responses.csat.notnull())
    answers = answered.group_by(answered_case=answered.case_id).aggregate(
        csat=answered.csat.min(), csat_responses=answered.count()
    )
    joined = cases.left_join(answers, cases.case_id == answers.answered_case)
    return joined.select(*cases.columns, "csat", "csat_responses")


def _renewals(table: Tables) -> ir.Table:
    import ibis

    contracts = table("contracts")
    terms = contracts.filter(contracts.kind.isin(["new_business", "renewal"]))
    following = contracts.filter(contracts.kind == "renewal")
    successor = following.group_by(renews=following.previous_contract_id).aggregate(
        successor_arr=following.arr.sum()
    )
    joined = terms.left_join(successor, terms.contract_id == successor.renews)
    retained = joined.renewal_outcome.isin(["renewed", "expanded", "contracted"])
    # A renewal known from the outcome but missing its successor row keeps the term's own ARR.
    renewed_arr = ibis.cases(
        (joined.successor_arr.notnull(), joined.successor_arr),
        (retained, joined.arr),
        else_=ibis.literal(0.0),
    )
    return joined.select(
        *terms.columns, renewed_arr=renewed_arr.cast("float64"), retained=retained.fill_null(False)
    )


def _upgrade_opportunities(table: Tables) -> ir.Table:
    versions, installs = table("product_versions"), table("installations")
    before = installs.join(
        versions,
        [installs.product_id == versions.product_id, installs.installed_on < versions.released_on],
    ).select(
        account_id=installs.account_id,
        product_id=versions.product_id,
        version=versions.version,
        released_on=versions.released_on,
        had_version=installs.version,
    )
    # Accounts that already ran the release (a beta) are no opportunity; the others are, once each.
    # A grouped flag rather than an anti-join: PostgreSQL's planner runs that anti-join as a nested loop.
    candidates = before.group_by("account_id", "product_id", "version", "released_on").aggregate(
        _beta=(before.had_version == before.version).any()
    )
    candidates = candidates.filter(~candidates._beta.fill_null(False)).drop("_beta")
    upgrades = installs.group_by(
        up_account=installs.account_id, up_product=installs.product_id, up_version=installs.version
    ).aggregate(upgraded_on=installs.installed_on.min())
    joined = candidates.left_join(
        upgrades,
        [
            candidates.account_id == upgrades.up_account,
            candidates.product_id == upgrades.up_product,
            candidates.version == upgrades.up_version,
        ],
    )
    return joined.select("account_id", "product_id", "version", "released_on", "upgraded_on").mutate(
        days_to_upgrade=lambda t: days_between(t.released_on, t.upgraded_on),
        days_since_release=lambda t: days_between(t.released_on, _today()),
    )


#: The day the views take for today while `as_of` is in force; None: the engine's current date.
_AS_OF: ContextVar[dt.date | None] = ContextVar("cxscore_views_as_of", default=None)


@contextmanager
def as_of(day: dt.date) -> Iterator[None]:
    """Build the views as of `day` instead of today (what is due, days since, ...) within the block.

    Views are built when a metric is compiled, so compile inside the block with an engine made there (an
    engine keeps what it compiled). Outside any block the views use the engine's current date, and
    their SQL is exactly as before.

    >>> with as_of(dt.date(2025, 3, 31)):
    ...     _today().execute().date()
    datetime.date(2025, 3, 31)
    """
    token = _AS_OF.set(day)
    try:
        yield
    finally:
        _AS_OF.reset(token)


def _today() -> ir.Value:
    import ibis

    day = _AS_OF.get()
    return ibis.now().cast("date") if day is None else ibis.literal(day, type="date")


def _deal_follow_ups(table: Tables) -> ir.Table:
    contracts, activities = table("contracts"), table("activities")
    touches = contracts.join(
        activities,
        [
            contracts.account_id == activities.account_id,
            activities.occurred_at.cast("date") >= contracts.booked_on,
        ],
    )
    first = touches.group_by(touched_contract=contracts.contract_id).aggregate(
        first_touch_at=activities.occurred_at.min()
    )
    joined = contracts.left_join(first, contracts.contract_id == first.touched_contract)
    return joined.select(*contracts.columns, "first_touch_at").mutate(
        days_to_first_touch=lambda t: days_between(t.booked_on, t.first_touch_at),
        days_since_booking=lambda t: days_between(t.booked_on, _today()),
    )


def _followup_tasks(table: Tables) -> ir.Table:
    import ibis

    tasks, contracts = table("followups"), table("contracts")
    terms = contracts.filter(contracts.kind.isin(["new_business", "renewal"]))
    day = tasks.opened_at.cast("date")
    covering = tasks.join(
        terms, [tasks.account_id == terms.account_id, terms.start_date <= day, terms.end_date >= day]
    ).select(
        term_task=tasks.followup_id,
        renewal_contract_id=terms.contract_id,
        renewal_end_date=terms.end_date,
        renewal_outcome=terms.renewal_outcome,
    )
    # Overlapping terms: the one that ends first is the next renewal (ties broken by contract id).
    first = ibis.window(
        group_by=covering.term_task, order_by=[covering.renewal_end_date, covering.renewal_contract_id]
    )
    covering = covering.mutate(_rank=ibis.row_number().over(first))
    covering = covering.filter(covering._rank == 0).drop("_rank")
    joined = tasks.left_join(covering, tasks.followup_id == covering.term_task)
    return joined.select(*tasks.columns, "renewal_contract_id", "renewal_end_date", "renewal_outcome").mutate(
        contacted=lambda t: t.first_contact_at.notnull(),
        contacted_on_time=lambda t: (t.first_contact_at <= t.due_at).fill_null(False),
        due_passed=lambda t: t.due_at.cast("date") < _today(),
        hours_to_contact=lambda t: seconds_between(t.opened_at, t.first_contact_at) / 3600.0,
    )


def _account_quarters(table: Tables) -> ir.Table:
    import ibis

    contracts, activities = table("contracts"), table("activities")
    # Every quarter of every year the data touches, built in the engine (no calendar table needed).
    years = (
        contracts.select(year=contracts.start_date.year())
        .union(contracts.select(year=contracts.end_date.year()))
        .union(activities.select(year=activities.occurred_at.year()))
        .distinct()
    )
    quarters = years.select(quarter=ibis.date(years.year, 1, 1))
    for month in (4, 7, 10):
        quarters = quarters.union(years.select(quarter=ibis.date(years.year, month, 1)))
    live = contracts.join(
        quarters, [contracts.start_date <= quarters.quarter, contracts.end_date >= quarters.quarter]
    )
    covered = live.select(live.account_id, live.quarter).distinct()
    touched = (
        activities.select(activities.account_id, quarter=activities.occurred_at.truncate("Q").cast("date"))
        .distinct()
        .rename(touched_account="account_id", touched_quarter="quarter")
    )
    joined = covered.left_join(
        touched,
        [covered.account_id == touched.touched_account, covered.quarter == touched.touched_quarter],
    )
    return joined.select(
        "account_id",
        "quarter",
        touched=joined.touched_account.notnull(),
        days_since_start=days_between(joined.quarter, _today()),
    )


def _attended(table: Tables) -> ir.Table:
    registrations, events = table("event_registrations"), table("events")
    came = registrations.filter(registrations.attended.fill_null(False))
    return came.join(events, came.event_id == events.event_id).select(
        *registrations.columns, "series", "starts_on", "team_id"
    )


def _event_attendance(table: Tables) -> ir.Table:
    now = _attended(table)
    before = now.view()
    earlier = (
        now.join(
            before,
            [
                now.attendee_id == before.attendee_id,
                now.series == before.series,
                before.starts_on < now.starts_on,
            ],
        )
        .select(seen_event=now.event_id, seen_attendee=now.attendee_id)
        .distinct()
    )
    joined = now.left_join(
        earlier, [now.event_id == earlier.seen_event, now.attendee_id == earlier.seen_attendee]
    )
    return joined.select(*now.columns, repeat=joined.seen_event.notnull())


def _event_talks(table: Tables) -> ir.Table:
    talks, events = table("talk_submissions"), table("events")
    return talks.join(events, talks.event_id == events.event_id).select(
        *talks.columns, "series", "starts_on", "team_id"
    )


def _event_testimonials(table: Tables) -> ir.Table:
    quotes, events = table("testimonials"), table("events")
    joined = quotes.join(events, quotes.event_id == events.event_id)
    return joined.select(*quotes.columns, "series", "starts_on", "team_id")


def _event_growth(table: Tables) -> ir.Table:
    import ibis

    events, contracts = table("events"), table("contracts")
    attended = _attended(table)
    sizes = attended.group_by(sized=attended.event_id).aggregate(attendees=attended.attendee_id.nunique())
    editions = events.join(sizes, events.event_id == sizes.sized).select(*events.columns, "attendees")
    order = ibis.window(group_by=editions.series, order_by=editions.starts_on)
    editions = editions.mutate(
        previous_starts_on=editions.starts_on.lag().over(order),
        previous_attendees=editions.attendees.lag().over(order),
    )
    editions = editions.filter(editions.previous_starts_on.notnull())
    customers_now = _active_accounts(editions, contracts, "starts_on", "customers")
    customers_then = _active_accounts(editions, contracts, "previous_starts_on", "previous_customers")
    grown = editions.join(customers_now, "event_id").join(customers_then, "event_id")
    # NULLIF: a series without customers (or attendees) before has no growth ratio, on every engine.
    attendee_growth = grown.attendees.cast("float64") / grown.previous_attendees.nullif(0)
    customer_growth = grown.customers.cast("float64") / grown.previous_customers.nullif(0)
    return grown.select(*editions.columns, "customers", "previous_customers").mutate(
        attendee_growth=attendee_growth,
        customer_growth=customer_growth,
        growth_vs_base=attendee_growth / customer_growth.nullif(0),
    )


def _active_accounts(editions: ir.Table, contracts: ir.Table, on: str, name: str) -> ir.Table:
    day = editions[on]
    live = editions.join(contracts, [contracts.start_date <= day, contracts.end_date >= day])
    return live.group_by(live.event_id).aggregate(**{name: live.account_id.nunique()})


def _float(name: str, doc: str) -> Column:
    return Column(name, Kind.FLOAT, doc, "1")


def _flag(name: str, doc: str) -> Column:
    return Column(name, Kind.BOOLEAN, doc, "true")


_EVENT_COLUMNS = (
    Column("series", Kind.STRING, "The event's series.", "summit"),
    Column("starts_on", Kind.DATE, "First day of the event.", "2025-10-14"),
    Column("team_id", Kind.STRING, "The team that runs the event.", "T-EVENTS"),
)

VIEWS: dict[str, View] = {
    "invitation_outcomes": View(
        _declare(
            "invitation_outcomes",
            "Survey invitations with whether (and when first) they were answered.",
            "invitations",
            (
                Column("responded_at", Kind.TIMESTAMP, "First answer naming it, if any.", ""),
                _flag(
                    "responded",
                    "Whether it was answered: a response names it, or it was answered anonymously.",
                ),
            ),
        ),
        _invitation_outcomes,
    ),
    "case_outcomes": View(
        _declare(
            "case_outcomes",
            "Cases with the lowest CSAT answer given about them (the customer's verdict).",
            "cases",
            (
                Column("csat", Kind.INTEGER, "Lowest 1-5 CSAT answer about the case.", "4"),
                Column("csat_responses", Kind.INTEGER, "Number of CSAT answers about the case.", "1"),
            ),
        ),
        _case_outcomes,
    ),
    "renewals": View(
        _declare(
            "renewals",
            "Contract terms (new business and renewals) with the ARR of the renewal that followed them.",
            "contracts",
            (
                _float("renewed_arr", "ARR of the renewal term(s) that follow; 0 when churned."),
                _flag("retained", "Whether the outcome was renewed, expanded or contracted."),
            ),
        ),
        _renewals,
    ),
    "upgrade_opportunities": View(
        Table(
            "upgrade_opportunities",
            "One row per release and account that ran an older version of the product at release.",
            "views",
            (
                Column("account_id", Kind.STRING, "The account.", "A-10001"),
                Column("product_id", Kind.STRING, "The product.", "atlas"),
                Column("version", Kind.STRING, "The new release.", "3.2"),
                Column("released_on", Kind.DATE, "Its release date.", "2025-04-01"),
                Column("upgraded_on", Kind.DATE, "When the account installed it, if it did.", ""),
                _float("days_to_upgrade", "Days from release to installation; empty if not upgraded."),
                _float("days_since_release", "Days from release to today."),
            ),
            key=("account_id", "product_id", "version"),
        ),
        _upgrade_opportunities,
    ),
    "deal_follow_ups": View(
        _declare(
            "deal_follow_ups",
            "Contracts with the first activity on the account on or after the booking day.",
            "contracts",
            (
                Column("first_touch_at", Kind.TIMESTAMP, "First activity after booking.", ""),
                _float("days_to_first_touch", "Days from booking to the first activity."),
                _float("days_since_booking", "Days from booking to today."),
            ),
        ),
        _deal_follow_ups,
    ),
    "followup_tasks": View(
        _declare(
            "followup_tasks",
            "Follow-up tasks with whether the customer was contacted (and before the task was due), and the "
            "account's contract term in force on the day the task was opened (its next renewal).",
            "followups",
            (
                _flag("contacted", "Whether the customer was contacted (first_contact_at present)."),
                _flag("contacted_on_time", "Whether the first contact came by due_at."),
                _flag("due_passed", "Whether the day the task was due has ended (due_at before today)."),
                _float("hours_to_contact", "Hours from opening to the first contact; empty if none."),
                Column(
                    "renewal_contract_id",
                    Kind.STRING,
                    "The account's new-business or renewal term in force when the task was opened.",
                    "K-20019",
                    references="contracts.contract_id",
                ),
                Column("renewal_end_date", Kind.DATE, "Its last day: the next renewal date.", "2025-12-31"),
                Column(
                    "renewal_outcome",
                    Kind.STRING,
                    "Its renewal outcome; empty when the account had no term then.",
                    "renewed",
                    choices=OUTCOMES,
                ),
            ),
        ),
        _followup_tasks,
    ),
    "account_quarters": View(
        Table(
            "account_quarters",
            "One row per account and quarter that began while the account had a contract term, with whether "
            "anyone had an activity on the account in that quarter.",
            "views",
            (
                Column("account_id", Kind.STRING, "The account.", "A-10001"),
                Column("quarter", Kind.DATE, "First day of the quarter.", "2025-04-01"),
                _flag("touched", "Whether an activity on the account happened in the quarter."),
                _float("days_since_start", "Days from the quarter's first day to today."),
            ),
            key=("account_id", "quarter"),
        ),
        _account_quarters,
    ),
    "event_attendance": View(
        _declare(
            "event_attendance",
            "Attendees who came to an event edition, and whether they came to an earlier one.",
            "event_registrations",
            (*_EVENT_COLUMNS, _flag("repeat", "Attended an earlier edition of the same series.")),
        ),
        _event_attendance,
    ),
    "event_talks": View(
        _declare("event_talks", "Talk submissions with their event.", "talk_submissions", _EVENT_COLUMNS),
        _event_talks,
    ),
    "event_testimonials": View(
        _declare(
            "event_testimonials",
            "Testimonials recorded at an event, with the event.",
            "testimonials",
            _EVENT_COLUMNS,
        ),
        _event_testimonials,
    ),
    "event_growth": View(
        _declare(
            "event_growth",
            "Event editions that have an earlier edition in their series, with attendance and customer "
            "base growth since then.",
            "events",
            (
                Column("attendees", Kind.INTEGER, "Distinct attendees who came.", "420"),
                Column("previous_starts_on", Kind.DATE, "Start of the previous edition.", "2024-10-15"),
                Column("previous_attendees", Kind.INTEGER, "Attendees of the previous edition.", "380"),
                Column("customers", Kind.INTEGER, "Accounts under contract at the start.", "900"),
                Column("previous_customers", Kind.INTEGER, "Accounts under contract then.", "850"),
                _float("attendee_growth", "attendees / previous_attendees."),
                _float("customer_growth", "customers / previous_customers."),
                _float("growth_vs_base", "attendee_growth / customer_growth; above 1 outgrows the base."),
            ),
        ),
        _event_growth,
    ),
}


def source_table(name: str) -> Table | None:
    """The declaration of a canonical table or derived view called `name`, or None."""
    if name in TABLES:
        return TABLES[name]
    view = VIEWS.get(name)
    return view.table if view else None
