"""How big the demo company is: the knobs that scale it from a laptop demo to a load test."""

from __future__ import annotations

from dataclasses import dataclass

from cxscore.errors import DemoError

__all__ = ["SIZES", "Size", "size"]


@dataclass(frozen=True)
class Size:
    """The scale of one demo company; everything else (people, cases, responses) follows from it.

    `accounts` counts every account the company has had (the base at the start plus the new logos of the
    three years); `cases_per_account_year` is the average support load of an active account.
    `chunk_rows` bounds how many rows of a big table are held in memory at once. With `truths` False
    the planted truths are left out (a clean company, for checking that diagnosis flags nothing).
    """

    name: str
    accounts: int
    cases_per_account_year: float
    chunk_rows: int = 250_000
    truths: bool = True

    def headcount(self, work: float, per_person: float, minimum: int) -> int:
        """People a team needs for `work` units a year at `per_person` each, never fewer than `minimum`.

        >>> SIZES["small"].headcount(work=1000, per_person=400, minimum=5)
        5
        """
        return max(minimum, round(work / per_person))


SIZES: dict[str, Size] = {
    "small": Size("small", accounts=400, cases_per_account_year=8.0),
    "medium": Size("medium", accounts=4_000, cases_per_account_year=8.0),
    "large": Size("large", accounts=330_000, cases_per_account_year=8.0),
}


def size(name: str) -> Size:
    """The size called `name`, or a DemoError naming the sizes there are."""
    try:
        return SIZES[name]
    except KeyError:
        raise DemoError(f"There is no demo size '{name}'. Pick one of: {', '.join(SIZES)}.") from None
