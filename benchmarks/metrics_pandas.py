"""The 11 core metrics in plain pandas: the "straightforward implementation" baseline of `metrics_speed.py`.

Written the way a competent analyst would write them in a notebook, independently of cxscore's compiler
and of the hand-written SQL:

- each table is read once from the DuckDB file with only the columns the metrics need (a plain
  `SELECT column, ... FROM table`: no filter, join or aggregate runs in DuckDB), through Arrow, with ids
  as categoricals and amounts as floats;
- everything after the read is pandas and numpy: filters, month periods, attribution as of the fact's
  day (`pd.merge_asof` on the ownership and membership histories, computed once per source table and
  reused by the metrics that share it), the roll-up through the team hierarchy, the aggregation;
- additive statistics (counts, successes, totals, squares) are summed by team and month first and then
  rolled up to every ancestor team; medians need every value, so their facts are repeated for every
  ancestor, sorted once, and the median and its order-statistic bounds picked by position.

Values and intervals come from the sufficient statistics through `metrics_sql.with_values`, the same
`cxscore.stats` functions as the other methods, so the comparison is about computing the statistics.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa


@dataclass(frozen=True)
class Spec:
    """One metric: its source rows, measured value, time, credit and aggregation."""

    table: str
    keep: Callable[[pd.DataFrame], Any]  # which rows are facts
    time: str
    kind: str  # nps, share, mean, median, sum
    measure: Callable[[pd.DataFrame], Any]  # the measured value of each fact
    credit: str  # "person" (a person column) or "owner" (account owner at the fact's date)
    person: str = ""
    team: str = ""  # the team column used when the person has no membership that day
    anonymous: bool = False


_SURVEY = {"credit": "person", "person": "person_id", "team": "team_id", "anonymous": True}
_SUPPORT = {"credit": "person", "person": "agent_id", "team": "team_id"}
_TERMS = ("new_business", "renewal")
_RENEWED = ("renewed", "expanded", "contracted")

SPECS: dict[str, Spec] = {
    "nps": Spec("responses", lambda t: t.nps.notna(), "responded_at", "nps", lambda t: t.nps, **_SURVEY),
    "csat": Spec(
        "responses", lambda t: t.csat.notna(), "responded_at", "share", lambda t: t.csat >= 4, **_SURVEY
    ),
    "csat_mean": Spec(
        "responses", lambda t: t.csat.notna(), "responded_at", "mean", lambda t: t.csat, **_SURVEY
    ),
    "ces": Spec("responses", lambda t: t.ces.notna(), "responded_at", "mean", lambda t: t.ces, **_SURVEY),
    "reopen_rate": Spec(
        "cases", lambda t: t.resolved_at.notna(), "resolved_at", "share", lambda t: t.reopen_count > 0,
        **_SUPPORT,
    ),
    "first_contact_resolution": Spec(
        "cases", lambda t: t.resolved_at.notna() & t.contacts_to_resolve.notna(), "resolved_at", "share",
        lambda t: t.contacts_to_resolve == 1, **_SUPPORT,
    ),
    "time_to_resolution": Spec(
        "cases", lambda t: t.resolved_at.notna() & t.opened_at.notna(), "resolved_at", "median",
        lambda t: (t.resolved_at - t.opened_at).dt.total_seconds() / 3600.0, **_SUPPORT,
    ),
    "renewal_rate": Spec(
        "contracts", lambda t: t.kind.isin(_TERMS) & (t.renewal_outcome != "pending"), "end_date", "share",
        lambda t: t.renewal_outcome.isin(_RENEWED), "owner",
    ),
    "churn_rate": Spec(
        "contracts", lambda t: t.kind.isin(_TERMS) & (t.renewal_outcome != "pending"), "end_date", "share",
        lambda t: t.renewal_outcome == "churned", "owner",
    ),
    "new_business_arr": Spec(
        "contracts", lambda t: t.kind == "new_business", "booked_on", "sum", lambda t: t.arr, "person",
        "credited_person_id",
    ),
    "expansion_arr": Spec(
        "contracts", lambda t: t.kind == "expansion", "booked_on", "sum", lambda t: t.arr, "person",
        "credited_person_id",
    ),
}  # fmt: skip

#: The columns read from each table (nothing else is read).
COLUMNS = {
    "responses": ["responded_at", "nps", "csat", "ces", "person_id", "team_id", "anonymous"],
    "cases": ["opened_at", "resolved_at", "reopen_count", "contacts_to_resolve", "agent_id", "team_id"],
    "contracts": [
        "kind",
        "renewal_outcome",
        "arr",
        "booked_on",
        "end_date",
        "account_id",
        "credited_person_id",
    ],
    "account_owners": ["account_id", "person_id", "valid_from", "valid_to"],
    "memberships": ["person_id", "team_id", "valid_from", "valid_to"],
    "teams": ["team_id", "parent_team_id"],
}


def read(con: Any, table: str) -> pd.DataFrame:
    """The table's needed columns: strings as categoricals, decimals as floats, dates as datetime64."""
    arrow = con.sql(f'SELECT {", ".join(COLUMNS[table])} FROM "{table}"').arrow().read_all()
    for i, field in enumerate(arrow.schema):
        if pa.types.is_decimal(field.type):
            arrow = arrow.set_column(i, field.name, arrow.column(i).cast(pa.float64()))
    frame: pd.DataFrame = arrow.to_pandas(strings_to_categorical=True, date_as_object=False)
    return frame


def read_tables(con: Any) -> dict[str, pd.DataFrame]:
    return {table: read(con, table) for table in COLUMNS}


# --- attribution -------------------------------------------------------------------------------------------


def as_of(facts: pd.DataFrame, key: str, history: pd.DataFrame, history_key: str, value: str) -> pd.Series:
    """For each fact, `history[value]` of the row for its key whose [valid_from, valid_to] covers its day.

    The keys are matched by their categorical codes; `pd.merge_asof` finds, per key, the last row that
    started on or before the fact's day, and the row counts if it had not ended by then.
    """
    keys = facts[key].astype("category")
    found = history[value].astype("category")
    left = pd.DataFrame({"k": keys.cat.codes, "day": facts["day"], "i": np.arange(len(facts))})
    right = pd.DataFrame(
        {
            "k": pd.Categorical(history[history_key].astype(str), keys.cat.categories).codes,
            "valid_from": history["valid_from"].to_numpy(dtype="datetime64[ns]"),
            "valid_to": history["valid_to"].to_numpy(dtype="datetime64[ns]"),
            "found": found.cat.codes,
        }
    )
    left, right = left[left.k >= 0].sort_values("day"), right[right.k >= 0].sort_values("valid_from")
    matched = pd.merge_asof(left, right, left_on="day", right_on="valid_from", by="k")
    hits = matched[matched.valid_to.isna() | (matched.day <= matched.valid_to)]
    codes = np.full(len(facts), -1, dtype="int32")
    codes[hits.i.to_numpy()] = hits.found.to_numpy(dtype="int32")
    return pd.Series(pd.Categorical.from_codes(codes, found.cat.categories), index=facts.index)


def coalesce(first: pd.Series, second: pd.Series) -> pd.Series:
    """`first` where it has a value, else `second` (both categorical, their categories united)."""
    categories = first.cat.categories.union(second.cat.categories)
    second = second.cat.set_categories(categories)
    return first.cat.set_categories(categories).where(first.notna(), second)


def attribute(tables: dict[str, pd.DataFrame], spec: Spec) -> pd.DataFrame:
    """The source table with, per row: day, period, the credited person and the team (before roll-up)."""
    source = tables[spec.table]
    stamp = source[spec.time].to_numpy(dtype="datetime64[ns]")
    frame = pd.DataFrame(
        {"day": stamp.astype("datetime64[D]"), "period": stamp.astype("datetime64[M]")}, index=source.index
    )
    frame["day"] = frame["day"].astype("datetime64[ns]")
    if spec.credit == "owner":
        frame["account_id"] = source["account_id"]
        frame["anyone"] = as_of(frame, "account_id", tables["account_owners"], "account_id", "person_id")
    else:
        frame["anyone"] = source[spec.person]
    team = as_of(frame, "anyone", tables["memberships"], "person_id", "team_id")
    frame["team"] = coalesce(team, source[spec.team]) if spec.team else team
    frame["person"] = frame["anyone"]
    if spec.anonymous:
        frame["person"] = frame["anyone"].where(~source["anonymous"].fillna(False).astype(bool))
    return frame[["period", "person", "team"]]


def closure(teams: pd.DataFrame) -> pd.DataFrame:
    """(team, scope_id) for every team and each of its ancestors, itself included."""
    parent = dict(zip(teams.team_id.astype(str), teams.parent_team_id.astype(object), strict=True))
    pairs = []
    for team in parent:
        current: Any = team
        while isinstance(current, str):
            pairs.append((team, current))
            current = parent.get(current)
    return pd.DataFrame(pairs, columns=["team", "scope_id"])


# --- aggregation -------------------------------------------------------------------------------------------


def statistics(facts: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Per-fact columns whose sums are the additive sufficient statistics of `kind`."""
    v = facts["v"]
    if kind == "nps":
        return pd.DataFrame(
            {"n": 1, "promoters": (v >= 9).astype("int64"), "detractors": (v <= 6).astype("int64")}
        )
    if kind == "share":
        return pd.DataFrame({"n": 1, "successes": v.astype("int64")})
    v = v.astype("float64")
    return pd.DataFrame({"n": 1, "total": v, "total_squares": v * v})


def additive(facts: pd.DataFrame, kind: str, scope: str, rollup: pd.DataFrame) -> pd.DataFrame:
    columns = statistics(facts, kind)
    columns["scope_id"], columns["period"] = facts[scope], facts["period"]
    summed = columns.groupby(["scope_id", "period"], observed=True).sum().reset_index()
    if scope == "team":
        summed["scope_id"] = summed["scope_id"].astype(str)
        summed = summed.rename(columns={"scope_id": "team"}).merge(rollup, on="team")
        summed = summed.drop(columns="team").groupby(["scope_id", "period"]).sum().reset_index()
    return summed


def medians(facts: pd.DataFrame, scope: str, rollup: pd.DataFrame) -> pd.DataFrame:
    from cxscore import stats

    values = facts[[scope, "period", "v"]].rename(columns={scope: "scope_id"})
    if scope == "team":
        teams = values["scope_id"].cat.categories
        pairs = rollup.assign(
            code=teams.get_indexer(rollup["team"]), scope_id=rollup["scope_id"].astype("category")
        )
        values = values.assign(code=values["scope_id"].cat.codes).drop(columns="scope_id")
        values = values.merge(pairs[["code", "scope_id"]], on="code").drop(columns="code")
    values = values.sort_values(["scope_id", "period", "v"])
    sizes = values.groupby(["scope_id", "period"], observed=True, sort=False).size()
    n = sizes.to_numpy(dtype="int64")
    start = np.concatenate([[0], np.cumsum(n)[:-1]])
    v = values["v"].to_numpy(dtype="float64")
    middle = (v[start + (n - 1) // 2] + v[start + n // 2]) / 2.0
    lower_rank, upper_rank = stats.quantile_rank_bounds(n, 0.5, 0.95)
    lower = np.where(
        np.isnan(lower_rank), np.nan, v[start + np.nan_to_num(lower_rank, nan=1).astype(int) - 1]
    )
    upper = np.where(
        np.isnan(upper_rank), np.nan, v[start + np.nan_to_num(upper_rank, nan=1).astype(int) - 1]
    )
    frame = sizes.rename("n").reset_index()
    frame["scope_id"] = frame["scope_id"].astype(str)
    return frame.assign(quantile_value=middle, lower=lower, upper=upper)


def compute(tables: dict[str, pd.DataFrame], names: list[str]) -> dict[tuple[str, str], pd.DataFrame]:
    """The sufficient statistics of each metric for each scope (team and person), by month."""
    rollup = closure(tables["teams"])
    attributed: dict[tuple[str, str, str], pd.DataFrame] = {}
    results = {}
    for name in names:
        spec = SPECS[name]
        key = (spec.table, spec.time, spec.credit)
        if key not in attributed:
            attributed[key] = attribute(tables, spec)
        source = tables[spec.table]
        keep = spec.keep(source).to_numpy(dtype=bool)
        facts = attributed[key][keep].assign(v=spec.measure(source[keep]))
        for scope in ("team", "person"):
            credited = facts[facts[scope].notna()]
            if spec.kind == "median":
                results[name, scope] = medians(credited, scope, rollup)
            else:
                results[name, scope] = additive(credited, spec.kind, scope, rollup)
    return results
