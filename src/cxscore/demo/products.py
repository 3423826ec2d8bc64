"""Products, their versions, their product managers, and each account's installed version over time.

Planted here: atlas 3.2 (released 2024-02-12) has a defect, fixed in 3.3 (2024-09-16); accounts run 3.2
from their upgrade until they move on, so support cases on it cluster in 2024 and early 2025.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cxscore.demo.calendar import FIRST_DAY, LAST_DAY, Ints, day
from cxscore.demo.customers import Customers
from cxscore.demo.lookup import Timeline
from cxscore.demo.organisation import Organisation
from cxscore.demo.writer import Ids, Labels, Writer

__all__ = ["DEFECTIVE", "PRODUCTS", "VERSIONS", "Products", "build_products"]

PRODUCTS = (
    ("atlas", "Atlas", "Platform"),
    ("beacon", "Beacon", "Analytics"),
    ("courier", "Courier", "Integration"),
)
#: (product index, version, release day); a version code is the index in this tuple.
VERSIONS: tuple[tuple[int, str, int], ...] = (
    (0, "3.0", day("2022-06-01")),
    (0, "3.1", day("2023-03-13")),
    (0, "3.2", day("2024-02-12")),
    (0, "3.3", day("2024-09-16")),
    (0, "4.0", day("2025-06-02")),
    (1, "1.4", day("2022-09-05")),
    (1, "1.5", day("2023-06-05")),
    (1, "2.0", day("2024-05-20")),
    (1, "2.1", day("2025-04-14")),
    (2, "5.0", day("2022-03-01")),
    (2, "5.1", day("2023-10-02")),
    (2, "5.2", day("2025-01-20")),
)  # fmt: skip
#: The version with the planted defect: atlas 3.2.
DEFECTIVE = 2
_SUBSCRIBED = (1.0, 0.45, 0.30)


@dataclass(frozen=True)
class Products:
    """Which products each account has and which version it ran on each day."""

    subscribed: np.ndarray  # bool [account, product]
    installed: Timeline  # account * 3 + product -> version code on a day
    upgrades: tuple[Ints, Ints, Ints]  # account, version code, day of each upgrade (not first installs)

    def version_on(self, account: Ints, product: Ints, days: Ints) -> Ints:
        return self.installed.at(account * len(PRODUCTS) + product, days)


def build_products(
    rng: np.random.Generator, customers: Customers, org: Organisation, writer: Writer
) -> Products:
    """Create products, versions, product managers and installations (first installs and upgrades)."""
    _write_catalogue(writer, org)
    n = customers.count
    subscribed = rng.random((n, len(PRODUCTS))) < np.array(_SUBSCRIBED)
    rows: list[tuple[Ints, Ints, Ints]] = []
    upgrades: list[tuple[Ints, Ints, Ints]] = []
    for product in range(len(PRODUCTS)):
        codes = [c for c, v in enumerate(VERSIONS) if v[0] == product]
        has = np.flatnonzero(subscribed[:, product])
        went_live = customers.created[has]
        released = np.array([VERSIONS[c][2] for c in codes])
        # accounts from before 2023 show their install of 2022 or earlier; new logos install on day one
        base = went_live < FIRST_DAY
        low = np.maximum(went_live, released[0])
        on = np.where(base, low + (rng.random(len(has)) * (FIRST_DAY - low)).astype(np.int64), went_live)
        first = np.searchsorted(released, on, side="right") - 1
        rows.append((has, np.array(codes)[first], on))
        current, last = first.copy(), on.copy()
        for step in range(1, len(codes)):
            delay = rng.lognormal(np.log(110), 0.6, len(has)).astype(np.int64)
            when = np.maximum(released[step] + delay, last + 30)
            adopt = 0.45 if codes[step] == DEFECTIVE else 0.8  # word of 3.2's bugs got around
            takes = (current < step) & (when <= LAST_DAY) & (rng.random(len(has)) < adopt)
            rows.append((has[takes], np.full(takes.sum(), codes[step]), when[takes]))
            upgrades.append((has[takes], np.full(takes.sum(), codes[step]), when[takes]))
            current, last = np.where(takes, step, current), np.where(takes, when, last)
    account, version, installed_on = (np.concatenate(x) for x in zip(*rows, strict=True))
    product = np.array([v[0] for v in VERSIONS])[version]
    order = np.lexsort((installed_on, product, account))
    writer.write(
        "installations",
        {
            "account_id": Ids("A-", 6, account[order]),
            "product_id": Labels([p[0] for p in PRODUCTS], product[order]),
            "version": Labels([v[1] for v in VERSIONS], version[order]),
            "installed_on": installed_on[order],
        },
    )
    key = account * len(PRODUCTS) + product
    ends = _next_start(key, installed_on)
    up = tuple(np.concatenate(x) for x in zip(*upgrades, strict=True))
    return Products(subscribed, Timeline.build(key, installed_on, ends, version), (up[0], up[1], up[2]))


def _next_start(key: Ints, start: Ints) -> Ints:
    """Last day of each installation: the day before the next one of the same account and product."""
    order = np.lexsort((start, key))
    ends = np.full(len(key), -1, dtype=np.int64)
    same = key[order][1:] == key[order][:-1]
    ends[order[:-1][same]] = start[order][1:][same] - 1
    return ends


def _write_catalogue(writer: Writer, org: Organisation) -> None:
    writer.write(
        "products",
        {
            "product_id": [p[0] for p in PRODUCTS],
            "name": [p[1] for p in PRODUCTS],
            "line": [p[2] for p in PRODUCTS],
        },
    )
    writer.write(
        "product_versions",
        {
            "product_id": [PRODUCTS[v[0]][0] for v in VERSIONS],
            "version": [v[1] for v in VERSIONS],
            "released_on": np.array([v[2] for v in VERSIONS], dtype=np.int64),
        },
    )
    special = org.special
    handover = day("2024-07-01")  # atlas changes product manager mid-period
    writer.write(
        "product_managers",
        {
            "product_id": ["atlas", "atlas", "beacon", "courier"],
            "person_id": Ids(
                "P-",
                5,
                np.array([special[k] for k in ("pm_atlas", "pm_atlas_next", "pm_beacon", "pm_courier")]),
            ),
            "valid_from": np.array([day("2022-01-01"), handover, day("2022-01-01"), day("2022-01-01")]),
            "valid_to": np.array([handover - 1, -1, -1, -1]),
        },
    )


def product_manager(product: Ints, days: Ints, org: Organisation) -> Ints:
    """The product manager responsible for each product on each day (mirrors `product_managers`)."""
    special = org.special
    atlas = np.where(days < day("2024-07-01"), special["pm_atlas"], special["pm_atlas_next"])
    return np.choose(
        product, [atlas, np.full_like(days, special["pm_beacon"]), np.full_like(days, special["pm_courier"])]
    )
