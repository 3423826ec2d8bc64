"""Case-mix adjustment by indirect standardisation: do not punish whoever takes the hardest cases.

An agent who takes the urgent cases, or a team that serves the hardest segment, would score lower on the
same skill. For metrics that are a mean of per-fact scores (shares, NPS, means), each scope's expected
value is what the company achieved on the same mix of cases: sum over the dimension's groups d of
n_sd v_d / sum_d n_sd. The adjustment is the company's value minus that expectation; a scope's
adjusted value is its raw value plus the adjustment (indirect standardisation, as for standardised
mortality ratios; Breslow & Day 1987). Only the mix of one dimension is adjusted for.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["ADJUSTABLE", "case_mix_adjustments"]

#: Aggregations whose value is a mean of per-fact scores, so expectations add up over groups.
ADJUSTABLE = ("share", "nps", "mean")


def case_mix_adjustments(
    by_scope_and_group: pd.DataFrame, by_group: pd.DataFrame, overall: float, dimension: str
) -> pd.Series:
    """One adjustment per scope id: `overall` minus the value expected from the scope's mix of groups.

    `by_scope_and_group` has `scope_id`, the `dimension` column, `n`; `by_group` has the `dimension`
    column and the company's `value` per group.

    >>> cases = pd.DataFrame({"scope_id": ["ana", "ana", "ben", "ben"], "priority": ["low", "urgent"] * 2,
    ...                       "n": [10, 90, 90, 10]})
    >>> company = pd.DataFrame({"priority": ["low", "urgent"], "value": [0.9, 0.6]})
    >>> case_mix_adjustments(cases, company, overall=0.75, dimension="priority").round(3).to_dict()
    {'ana': 0.12, 'ben': -0.12}
    """
    mix = by_scope_and_group[["scope_id", dimension, "n"]]
    merged = mix.merge(by_group[[dimension, "value"]], on=dimension, how="left")
    merged = merged[merged["value"].notna() & (merged["n"] > 0)]
    weighted = (merged["n"] * merged["value"]).groupby(merged["scope_id"]).sum()
    expected = weighted / merged.groupby("scope_id")["n"].sum()
    return (overall - expected).rename("case_mix_adjustment")
