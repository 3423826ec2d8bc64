"""The quarterly relationship NPS survey to every subscribed contact of every active account.

Credit goes to the account's owner on the day it is sent and to the owner's team on that day. The
score follows the account's latent loyalty (which also drives churn), drops while it runs atlas 3.2,
and is lower for accounts left alone by Sales North America (planted truth 5).
"""

from __future__ import annotations

import numpy as np

from cxscore.demo import comments
from cxscore.demo.calendar import DAY, Ints, day
from cxscore.demo.contracts import Contracts
from cxscore.demo.customers import Customers
from cxscore.demo.feedback import Feedback, Invitations
from cxscore.demo.organisation import Organisation, team_code
from cxscore.demo.products import DEFECTIVE, Products
from cxscore.demo.sizes import Size

__all__ = ["WAVES", "build_relationship"]

#: The days the relationship survey goes out: mid-February, -May, -August and -November of each year.
WAVES = tuple(day(f"{year}-{month:02d}-12") for year in (2023, 2024, 2025) for month in (2, 5, 8, 11))


def build_relationship(
    rng: np.random.Generator,
    size: Size,
    org: Organisation,
    customers: Customers,
    products: Products,
    contracts: Contracts,
    feedback: Feedback,
) -> None:
    """Send every wave, in chunks of contacts."""
    contact_count = len(customers.contact_account)
    for wave in WAVES:
        for low in range(0, contact_count, size.chunk_rows):
            contact = np.arange(low, min(low + size.chunk_rows, contact_count))
            account = customers.contact_account[contact]
            sent = wave * DAY + 9 * 3600 + rng.integers(0, 8 * 3600, len(contact))
            active = (customers.created[account] <= wave) & (contracts.churned[account] >= wave)
            keep = active & (customers.unsubscribed[contact] > sent)
            _wave(
                rng, org, customers, products, feedback, contact[keep], account[keep], sent[keep], wave,
                planted=size.truths,
            )  # fmt: skip


def _wave(
    rng: np.random.Generator,
    org: Organisation,
    customers: Customers,
    products: Products,
    feedback: Feedback,
    contact: Ints,
    account: Ints,
    sent: Ints,
    wave: int,
    *,
    planted: bool = True,
) -> None:
    n = len(contact)
    days = np.full(n, wave, dtype=np.int64)
    owner = customers.owner.at(account, days)
    team = org.person_team(owner, days)
    neglected = (team == team_code("T-SALES-NA")) & planted
    defect = (products.version_on(account, np.zeros(n, dtype=np.int64), days) == DEFECTIVE) & planted
    z = (
        0.55
        + 0.6 * customers.health[account]
        - 0.8 * defect
        - 0.45 * neglected
        + 0.2 * (team == team_code("T-AM"))
        + rng.normal(0, 0.9, n)
    )
    g = comments.group
    unhappy = np.select([defect, neglected], [g("defect"), g("neglected")], default=g("price"))
    group = np.where(z < -0.2, unhappy, np.where(z > 0.8, g("relationship_good"), g("relationship_neutral")))
    feedback.send(rng, Invitations(
        survey="relationship-nps", account=account, contact=contact, sent=sent, person=owner, team=team, z=z,
        comments=comments.comment_codes(rng, group, 0.35), respond=0.58, anonymous=0.08,
    ))  # fmt: skip
