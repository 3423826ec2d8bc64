"""Short English verbatims, grouped by the driver they speak of (slow response, defect, billing error...).

A response's comment is drawn from the group its own drivers point to, so text analysis later finds the
same causes as the numbers. Each generator picks groups that fit its survey (an invoice answer speaks of
the invoice) and the answer's score (a complaint only with a low score, praise only with a high one).
"""

from __future__ import annotations

import numpy as np

from cxscore.demo.calendar import Ints

__all__ = ["GROUPS", "LABELS", "UNHAPPY", "comment_codes", "group"]

#: The latent score under which a CSAT answer is 1-3 (see `feedback.csat_scale`): the customer complains.
UNHAPPY = 0.15

GROUPS: dict[str, tuple[str, ...]] = {
    "defect": (
        "Atlas 3.2 keeps crashing when we export reports.",
        "Since the upgrade to 3.2 the nightly sync fails.",
        "The 3.2 release broke our dashboards; the workaround is painful.",
        "Another bug in 3.2. Please fix the product, not just the ticket.",
        "We had to roll back from 3.2, too many defects.",
    ),
    "slow_response": (
        "It took two days to get a first answer.",
        "Nobody picked up the ticket for ages.",
        "Waited far too long for someone to reply.",
        "Response time was unacceptable for a high-priority issue.",
    ),
    "reopened": (
        "The issue came back a week after it was closed.",
        "Closed too early; I had to reopen it.",
        "Fixed, then broken again. Frustrating.",
    ),
    "long_resolution": (
        "Took far too long to resolve.",
        "Many back-and-forth e-mails before it was solved.",
        "I had to explain the problem three times.",
    ),
    "effort": (
        "Too much effort to get a simple answer.",
        "I had to chase you repeatedly.",
        "Why do I have to fill in the same form twice?",
    ),
    "friendly": (
        "Friendly agent, solved it on the first call!",
        "Quick and friendly, thanks!",
        "Great support, very patient and knowledgeable.",
        "Clear explanation and a fast fix.",
        "Excellent service as always.",
    ),
    "neutral": ("Fine.", "OK, issue solved.", "Did the job.", "Average experience."),
    "relationship_neutral": ("Does what we need.", "A solid product, nothing special."),
    "billing_error": (
        "The first invoice had the wrong amount.",
        "We were billed twice and it took weeks to sort out.",
        "The invoice did not match the contract.",
    ),
    "late_delivery": (
        "The appliance arrived two weeks late.",
        "Delivery was late and the box was damaged.",
        "Provisioning took much longer than promised.",
    ),
    "invoice_unclear": (
        "The invoice was hard to read.",
        "Could not match the invoice to our purchase order.",
    ),
    "invoice_fixed": ("A mistake on the invoice, but you fixed it quickly.",),
    "invoice_good": ("Clear and correct invoice, thank you.", "The invoice was easy to read and on time."),
    "setup_trouble": ("Set-up took several calls to get right.", "The licence keys did not work at first."),
    "late_but_fine": ("Arrived a few days late, but the set-up went well.",),
    "delivery_good": (
        "Smooth delivery and set-up, well packed.",
        "Everything arrived on time, great onboarding.",
    ),
    "order_good": ("Ordering was quick and simple.", "Clear quote and a simple contract."),
    "relationship_good": (
        "Great product and a team that listens.",
        "Atlas is central to our operations; we recommend it.",
        "Our account manager really understands our business.",
    ),
    "neglected": (
        "Nobody from your side has called us since we signed.",
        "We hear from sales only when they want to sell more.",
        "No check-ins, no reviews; we feel like a number.",
    ),
    "price": ("Too expensive for what we get.", "The price went up again without more value."),
    "event_good": (
        "Great talks and useful hands-on labs.",
        "Loved meeting other customers at the summit.",
        "Well organised, see you next year!",
    ),
    "event_bad": (
        "Sessions were too sales-heavy.",
        "The venue was overcrowded.",
        "Hard to find the sessions I needed.",
    ),
    "upgrade_good": ("The upgrade was painless.", "The new version is faster and the upgrade went smoothly."),
    "upgrade_bad": ("The upgrade broke our integration.", "The upgrade instructions were unclear."),
}

#: Every comment, in group order; a comment code is an index into LABELS.
LABELS: tuple[str, ...] = tuple(text for texts in GROUPS.values() for text in texts)
_NAMES = tuple(GROUPS)
_OFFSETS = np.cumsum([0] + [len(t) for t in GROUPS.values()])[:-1]
_SIZES = np.array([len(t) for t in GROUPS.values()])


def group(name: str) -> int:
    """The code of a comment group.

    >>> LABELS[_OFFSETS[group("defect")]]
    'Atlas 3.2 keeps crashing when we export reports.'
    """
    return _NAMES.index(name)


def comment_codes(rng: np.random.Generator, groups: Ints, share: float) -> Ints:
    """A comment code from each row's group for about `share` of the rows; -1 (no comment) elsewhere."""
    pick = _OFFSETS[groups] + (rng.random(len(groups)) * _SIZES[groups]).astype(np.int64)
    return np.where(rng.random(len(groups)) < share, pick, -1)
