"""Touchpoint surveys along the journey: order, delivery and set-up, first invoice, upgrade.

Back-office teams are credited for the touchpoints they contribute to (see `touchpoint_teams`): a late
delivery (over 14 days, one in ten) or a wrong first invoice (one in sixteen) drags the score down.
"""

from __future__ import annotations

import numpy as np

from cxscore.demo import comments
from cxscore.demo.calendar import DAY, FIRST_DAY, Ints, office_hours
from cxscore.demo.comments import UNHAPPY
from cxscore.demo.contracts import Contracts
from cxscore.demo.customers import Customers
from cxscore.demo.feedback import Feedback, Invitations
from cxscore.demo.organisation import Organisation, team_code
from cxscore.demo.products import DEFECTIVE, VERSIONS, Products, product_manager

__all__ = ["build_journey"]


def build_journey(
    rng: np.random.Generator,
    org: Organisation,
    customers: Customers,
    products: Products,
    contracts: Contracts,
    feedback: Feedback,
) -> None:
    """Send the touchpoint surveys of every booking and upgrade."""
    deals = contracts.bookings
    g = comments.group
    n = len(deals.account)
    # order: credited to the rep who booked it
    sent = office_hours(rng, deals.booked + 1)
    z = 1.1 + rng.normal(0, 1, n)
    team = org.person_team(deals.person, sent // DAY)
    group = np.where(z > UNHAPPY, g("order_good"), g("effort"))
    _send(rng, customers, feedback, "order-csat", "order", deals.account, sent, deals.person, team, z, group)
    # delivery and set-up: a team effort of purchasing, provisioning and logistics
    took = rng.lognormal(np.log(8), 0.45, n)
    late = took > 14
    sent = office_hours(rng, deals.start + took.astype(np.int64))
    z = 1.2 - 1.4 * late + rng.normal(0, 1, n)
    team = np.full(n, team_code("T-LOGISTICS"))
    group = _fitting(z, late, g("late_delivery"), g("setup_trouble"), g("late_but_fine"), g("delivery_good"))
    _send(
        rng,
        customers,
        feedback,
        "delivery-csat",
        "delivery",
        deals.account,
        sent,
        np.full(n, -1),
        team,
        z,
        group,
    )
    # first invoice: new business only
    new = np.flatnonzero(deals.kind == 0)
    wrong = rng.random(len(new)) < 1 / 16
    sent = office_hours(rng, deals.start[new] + 30)
    z = 1.2 - 1.6 * wrong + rng.normal(0, 1, len(new))
    group = _fitting(
        z, wrong, g("billing_error"), g("invoice_unclear"), g("invoice_fixed"), g("invoice_good")
    )
    _send(rng, customers, feedback, "invoice-csat", "first_invoice", deals.account[new], sent,
          np.full(len(new), -1), np.full(len(new), team_code("T-BILLING")), z, group)  # fmt: skip
    _upgrades(rng, org, customers, products, feedback)


def _upgrades(
    rng: np.random.Generator, org: Organisation, customers: Customers, products: Products, feedback: Feedback
) -> None:
    account, version, installed = products.upgrades
    keep = installed >= FIRST_DAY
    account, version, installed = account[keep], version[keep], installed[keep]
    product = np.array([v[0] for v in VERSIONS])[version]
    sent = office_hours(rng, installed + 7)
    pm = product_manager(product, sent // DAY, org)
    bad = version == DEFECTIVE
    z = 1.0 - 1.0 * bad + rng.normal(0, 1, len(account))
    g = comments.group
    group = np.where(z <= UNHAPPY, np.where(bad, g("defect"), g("upgrade_bad")), g("upgrade_good"))
    _send(rng, customers, feedback, "upgrade-csat", "upgrade", account, sent, pm,
          np.full(len(account), team_code("T-PRODUCT")), z, group, product)  # fmt: skip


def _fitting(z: np.ndarray, cause: np.ndarray, *groups: int) -> Ints:
    """A comment group that fits both the cause and the score: groups are (the cause, unhappy), (no cause,
    unhappy), (the cause, happy) and (no cause, happy); unhappy is a CSAT of 1-3.

    >>> _fitting(np.array([-1.0, -1.0, 2.0, 2.0]), np.array([True, False, True, False]), 7, 8, 9, 10).tolist()
    [7, 8, 9, 10]
    """
    unhappy = z <= UNHAPPY
    return np.select(
        [unhappy & cause, unhappy, cause], [groups[0], groups[1], groups[2]], default=groups[3]
    ).astype(np.int64)


def _send(
    rng: np.random.Generator,
    customers: Customers,
    feedback: Feedback,
    survey: str,
    touchpoint: str,
    account: Ints,
    sent: Ints,
    person: Ints,
    team: Ints,
    z: np.ndarray,
    group: Ints,
    product: Ints | None = None,
) -> None:
    contact = customers.random_contact(rng, account)
    keep = customers.unsubscribed[contact] > sent
    feedback.send(rng, Invitations(
        survey=survey, account=account[keep], contact=contact[keep], sent=sent[keep], person=person[keep],
        team=team[keep], z=z[keep], comments=comments.comment_codes(rng, group[keep].astype(np.int64), 0.4),
        touchpoint=touchpoint, product=None if product is None else product[keep], respond=0.4,
    ))  # fmt: skip
