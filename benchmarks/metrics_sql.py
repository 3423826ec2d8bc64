"""Every built-in metric as hand-written DuckDB SQL: the baseline of `metrics_speed.py`.

Written the way a competent analyst would write them for DuckDB, independently of cxscore's compiler:
one query per metric and scope (team: rolled up through the hierarchy; person), by month, returning the
sufficient statistics; `with_values` turns them into values and 95% intervals with the same
`cxscore.stats` functions. Medians get the same distribution-free bounds as cxscore (the order statistics
at the binomial ranks): each group's values are sorted once into a list in a temporary table, the ranks
for the group sizes come from `cxscore.stats.quantile_rank_bounds`, and DuckDB picks the values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

TODAY = "CAST(now() AS DATE)"

#: The derived facts some metrics read (the same definitions as cxscore's views, written by hand).
VIEWS: dict[str, str] = {
    "invitation_outcomes": """
        SELECT i.sent_at, i.credited_person_id, i.credited_team_id,
               a.first_answer IS NOT NULL OR coalesce(i.answered_anonymously, false) AS responded
        FROM invitations i LEFT JOIN (
            SELECT invitation_id, min(responded_at) AS first_answer FROM responses
            WHERE invitation_id IS NOT NULL GROUP BY invitation_id
        ) a ON a.invitation_id = i.invitation_id""",
    "case_outcomes": """
        SELECT c.resolved_at, c.agent_id, c.team_id, c.reopen_count, a.csat
        FROM cases c JOIN (
            SELECT case_id, min(csat) AS csat FROM responses
            WHERE case_id IS NOT NULL AND csat IS NOT NULL GROUP BY case_id
        ) a ON a.case_id = c.case_id""",
    "renewals": """
        SELECT t.end_date, t.account_id, t.renewal_outcome, coalesce(CAST(t.arr AS DOUBLE), 0) AS arr,
               coalesce(CAST(CASE WHEN s.successor_arr IS NOT NULL THEN s.successor_arr
                                  WHEN t.renewal_outcome IN ('renewed', 'expanded', 'contracted') THEN t.arr
                                  ELSE 0 END AS DOUBLE), 0) AS renewed_arr
        FROM contracts t LEFT JOIN (
            SELECT previous_contract_id, sum(arr) AS successor_arr FROM contracts
            WHERE kind = 'renewal' GROUP BY previous_contract_id
        ) s ON s.previous_contract_id = t.contract_id
        WHERE t.kind IN ('new_business', 'renewal')""",
    "deal_follow_ups": """
        SELECT c.booked_on, c.account_id, f.first_touch_at
        FROM contracts c LEFT JOIN (
            SELECT d.contract_id, min(a.occurred_at) AS first_touch_at
            FROM contracts d JOIN activities a
              ON a.account_id = d.account_id AND CAST(a.occurred_at AS DATE) >= d.booked_on
            WHERE d.kind IN ('new_business', 'renewal')
            GROUP BY d.contract_id
        ) f ON f.contract_id = c.contract_id
        WHERE c.kind IN ('new_business', 'renewal')""",
    "account_quarters": """
        WITH years AS (
            SELECT year(start_date) AS y FROM contracts UNION SELECT year(end_date) FROM contracts
            UNION SELECT year(occurred_at) FROM activities
        ), quarters AS (
            SELECT make_date(y, m, 1) AS quarter FROM years, (VALUES (1), (4), (7), (10)) months(m)
        ), covered AS (
            SELECT DISTINCT c.account_id, q.quarter FROM contracts c
            JOIN quarters q ON c.start_date <= q.quarter AND c.end_date >= q.quarter
        ), touched AS (
            SELECT DISTINCT account_id, CAST(date_trunc('quarter', occurred_at) AS DATE) AS quarter
            FROM activities
        )
        SELECT c.account_id, c.quarter, t.account_id IS NOT NULL AS touched
        FROM covered c LEFT JOIN touched t ON t.account_id = c.account_id AND t.quarter = c.quarter""",
    "upgrade_opportunities": """
        WITH before AS (
            SELECT i.account_id, v.product_id, v.version, v.released_on, i.version AS had_version
            FROM installations i JOIN product_versions v
              ON i.product_id = v.product_id AND i.installed_on < v.released_on
        ), candidates AS (
            SELECT DISTINCT account_id, product_id, version, released_on FROM before b
            WHERE NOT EXISTS (
                SELECT 1 FROM before x WHERE x.had_version = x.version AND x.account_id = b.account_id
                  AND x.product_id = b.product_id AND x.version = b.version
            )
        ), upgrades AS (
            SELECT account_id, product_id, version, min(installed_on) AS upgraded_on
            FROM installations GROUP BY 1, 2, 3
        )
        SELECT c.*, u.upgraded_on, CAST(u.upgraded_on - c.released_on AS DOUBLE) AS days_to_upgrade
        FROM candidates c LEFT JOIN upgrades u
          ON u.account_id = c.account_id AND u.product_id = c.product_id AND u.version = c.version""",
    "followup_tasks": """
        SELECT f.*, f.first_contact_at IS NOT NULL AS contacted,
               coalesce(f.first_contact_at <= f.due_at, false) AS contacted_on_time,
               CAST(f.due_at AS DATE) < CAST(now() AS DATE) AS due_passed, t.renewal_outcome
        FROM followups f LEFT JOIN (
            SELECT g.followup_id, k.renewal_outcome FROM followups g JOIN contracts k
              ON k.account_id = g.account_id AND k.kind IN ('new_business', 'renewal')
             AND k.start_date <= CAST(g.opened_at AS DATE) AND k.end_date >= CAST(g.opened_at AS DATE)
            QUALIFY row_number() OVER (PARTITION BY g.followup_id ORDER BY k.end_date, k.contract_id) = 1
        ) t ON t.followup_id = f.followup_id""",
    "attended": """
        SELECT r.event_id, r.attendee_id, e.series, e.starts_on, e.team_id
        FROM event_registrations r JOIN events e ON e.event_id = r.event_id
        WHERE coalesce(r.attended, false)""",
    "event_attendance": """
        SELECT n.starts_on, n.team_id, EXISTS (
            SELECT 1 FROM attended b WHERE b.attendee_id = n.attendee_id AND b.series = n.series
              AND b.starts_on < n.starts_on
        ) AS repeat
        FROM attended n""",
    "event_talks": """
        SELECT t.by_customer, e.starts_on, e.team_id
        FROM talk_submissions t JOIN events e ON e.event_id = t.event_id""",
    "event_growth": """
        WITH sizes AS (
            SELECT event_id, count(DISTINCT attendee_id) AS attendees FROM attended GROUP BY event_id
        ), editions AS (
            SELECT e.event_id, e.series, e.starts_on, e.team_id, s.attendees,
                   lag(e.starts_on) OVER w AS previous_starts_on,
                   lag(s.attendees) OVER w AS previous_attendees
            FROM events e JOIN sizes s ON s.event_id = e.event_id
            WINDOW w AS (PARTITION BY e.series ORDER BY e.starts_on)
        ), later AS (
            SELECT * FROM editions WHERE previous_starts_on IS NOT NULL
        ), customers AS (
            SELECT l.event_id,
                   count(DISTINCT CASE WHEN c.start_date <= l.starts_on AND c.end_date >= l.starts_on
                                       THEN c.account_id END) AS now,
                   count(DISTINCT CASE WHEN c.start_date <= l.previous_starts_on
                                        AND c.end_date >= l.previous_starts_on THEN c.account_id END) AS then_
            FROM later l JOIN contracts c
              ON (c.start_date <= l.starts_on AND c.end_date >= l.starts_on)
              OR (c.start_date <= l.previous_starts_on AND c.end_date >= l.previous_starts_on)
            GROUP BY l.event_id
            HAVING now > 0 AND then_ > 0
        )
        SELECT l.starts_on, l.team_id,
               (CAST(l.attendees AS DOUBLE) / nullif(l.previous_attendees, 0))
               / nullif(CAST(c.now AS DOUBLE) / nullif(c.then_, 0), 0) AS growth_vs_base
        FROM later l JOIN customers c ON c.event_id = l.event_id""",
}

#: Which views each view reads (written before it in the WITH list).
_NEEDS = {"event_attendance": ["attended"], "event_growth": ["attended"]}


@dataclass(frozen=True)
class Spec:
    """One metric: its facts (source, filter, time, measured value) and who is credited."""

    source: str
    where: str
    time: str
    kind: str  # nps, share, mean, sum, median, logo, gross, net
    value: str  # the measured value; for retention the starting amount
    credit: str  # person (a column), owner (an ownership table), team (a column), teams (touchpoint_teams)
    person: str = ""
    team: str = ""
    anonymous: bool = False
    owner: str = ""  # account_owners or product_managers
    ending: str = ""  # retention: the ending amount


_RESOLVED = "resolved_at IS NOT NULL"
_TERMS = "kind IN ('new_business', 'renewal') AND renewal_outcome <> 'pending'"
_SUPPORT = {"credit": "person", "person": "agent_id", "team": "team_id"}
_SURVEY = {"credit": "person", "person": "person_id", "team": "team_id", "anonymous": True}
_OWNER = {"credit": "owner", "owner": "account_owners"}
_PM = {"credit": "owner", "owner": "product_managers"}
_TEAM = {"credit": "team", "team": "team_id"}
_TASK = {"credit": "person", "person": "assignee_id", "team": "team_id"}

SPECS: dict[str, Spec] = {
    "nps": Spec("responses", "nps IS NOT NULL", "responded_at", "nps", "nps", **_SURVEY),
    "csat": Spec(
        "responses",
        "csat IS NOT NULL",
        "responded_at",
        "share",
        "CASE WHEN csat >= 4 THEN 1 ELSE 0 END",
        **_SURVEY,
    ),
    "csat_mean": Spec(
        "responses", "csat IS NOT NULL", "responded_at", "mean", "CAST(csat AS DOUBLE)", **_SURVEY
    ),
    "ces": Spec("responses", "ces IS NOT NULL", "responded_at", "mean", "CAST(ces AS DOUBLE)", **_SURVEY),
    "reopen_rate": Spec(
        "cases", _RESOLVED, "resolved_at", "share", "CASE WHEN reopen_count > 0 THEN 1 ELSE 0 END", **_SUPPORT
    ),
    "first_contact_resolution": Spec(
        "cases",
        f"{_RESOLVED} AND contacts_to_resolve IS NOT NULL",
        "resolved_at",
        "share",
        "CASE WHEN contacts_to_resolve = 1 THEN 1 ELSE 0 END",
        **_SUPPORT,
    ),
    "time_to_resolution": Spec(
        "cases",
        f"{_RESOLVED} AND opened_at IS NOT NULL",
        "resolved_at",
        "median",
        "CAST(epoch(resolved_at) - epoch(opened_at) AS DOUBLE) / 3600.0",
        **_SUPPORT,
    ),
    "renewal_rate": Spec(
        "contracts",
        _TERMS,
        "end_date",
        "share",
        "CASE WHEN renewal_outcome IN ('renewed', 'expanded', 'contracted') THEN 1 ELSE 0 END",
        **_OWNER,
    ),
    "churn_rate": Spec(
        "contracts",
        _TERMS,
        "end_date",
        "share",
        "CASE WHEN renewal_outcome = 'churned' THEN 1 ELSE 0 END",
        **_OWNER,
    ),
    "new_business_arr": Spec(
        "contracts",
        "kind = 'new_business'",
        "booked_on",
        "sum",
        "CAST(arr AS DOUBLE)",
        "person",
        "credited_person_id",
    ),
    "expansion_arr": Spec(
        "contracts",
        "kind = 'expansion'",
        "booked_on",
        "sum",
        "CAST(arr AS DOUBLE)",
        "person",
        "credited_person_id",
    ),
    "cases_satisfied": Spec(
        "case_outcomes",
        _RESOLVED,
        "resolved_at",
        "share",
        "CASE WHEN csat >= 4 AND (reopen_count = 0 OR reopen_count IS NULL) THEN 1 ELSE 0 END",
        **_SUPPORT,
    ),
    "survey_response_rate": Spec(
        "invitation_outcomes",
        "true",
        "sent_at",
        "share",
        "CASE WHEN responded THEN 1 ELSE 0 END",
        "person",
        "credited_person_id",
        "credited_team_id",
    ),
    "touchpoint_satisfaction": Spec(
        "responses",
        "touchpoint_id IS NOT NULL AND csat IS NOT NULL",
        "responded_at",
        "share",
        "CASE WHEN csat >= 4 THEN 1 ELSE 0 END",
        "teams",
    ),
    "logo_retention": Spec(
        "renewals", "renewal_outcome <> 'pending'", "end_date", "logo", "arr", ending="renewed_arr", **_OWNER
    ),
    "gross_revenue_retention": Spec(
        "renewals",
        "renewal_outcome <> 'pending'",
        "end_date",
        "gross",
        "arr",
        ending="least(arr, renewed_arr)",
        **_OWNER,
    ),
    "net_revenue_retention": Spec(
        "renewals", "renewal_outcome <> 'pending'", "end_date", "net", "arr", ending="renewed_arr", **_OWNER
    ),
    "post_sale_engagement": Spec(
        "deal_follow_ups",
        f"booked_on <= {TODAY} - 30",
        "booked_on",
        "share",
        "CASE WHEN first_touch_at <= CAST(booked_on AS TIMESTAMP) + INTERVAL 30 DAY THEN 1 ELSE 0 END",
        **_OWNER,
    ),
    "quarterly_engagement": Spec(
        "account_quarters",
        f"quarter <= {TODAY} - 92",
        "quarter",
        "share",
        "CASE WHEN touched THEN 1 ELSE 0 END",
        **_OWNER,
    ),
    "upgrade_rate": Spec(
        "upgrade_opportunities",
        f"released_on <= {TODAY} - 90",
        "released_on",
        "share",
        "CASE WHEN upgraded_on <= released_on + 90 THEN 1 ELSE 0 END",
        **_PM,
    ),
    "time_to_upgrade": Spec(
        "upgrade_opportunities", "upgraded_on IS NOT NULL", "released_on", "median", "days_to_upgrade", **_PM
    ),
    "repeat_attendee_share": Spec(
        "event_attendance", "true", "starts_on", "share", "CASE WHEN repeat THEN 1 ELSE 0 END", **_TEAM
    ),
    "customer_talk_share": Spec(
        "event_talks", "true", "starts_on", "share", "CASE WHEN by_customer THEN 1 ELSE 0 END", **_TEAM
    ),
    "conference_growth_vs_base": Spec(
        "event_growth", "growth_vs_base IS NOT NULL", "starts_on", "mean", "growth_vs_base", **_TEAM
    ),
    "testimonials_per_event": Spec("events", "true", "starts_on", "rate", "1", **_TEAM),
    "followups_contacted": Spec(
        "followup_tasks",
        "due_passed AND outcome IS DISTINCT FROM 'not_needed'",
        "opened_at",
        "share",
        "CASE WHEN contacted_on_time THEN 1 ELSE 0 END",
        **_TASK,
    ),
    "followup_time_to_contact": Spec(
        "followup_tasks",
        "first_contact_at IS NOT NULL",
        "opened_at",
        "median",
        "CAST(epoch(first_contact_at) - epoch(opened_at) AS DOUBLE) / 3600.0",
        **_TASK,
    ),
    "followups_recovered": Spec(
        "followup_tasks",
        "status = 'closed' AND outcome <> 'not_needed'",
        "opened_at",
        "share",
        "CASE WHEN outcome IN ('resolved', 'explained') THEN 1 ELSE 0 END",
        **_TASK,
    ),
    "followup_renewal_rate": Spec(
        "followup_tasks",
        "renewal_outcome <> 'pending'",
        "opened_at",
        "share",
        "CASE WHEN renewal_outcome IN ('renewed', 'expanded', 'contracted') THEN 1 ELSE 0 END",
        **_TASK,
    ),
}

#: The metrics of the original, smaller comparison (also implemented in pandas).
CORE = (
    "nps", "csat", "csat_mean", "ces", "reopen_rate", "first_contact_resolution", "time_to_resolution",
    "renewal_rate", "churn_rate", "new_business_arr", "expansion_arr",
)  # fmt: skip

CLOSURE = """closure(team_id, ancestor_id) AS (
    SELECT team_id, team_id FROM teams
    UNION ALL
    SELECT c.team_id, t.parent_team_id FROM closure c JOIN teams t ON t.team_id = c.ancestor_id
    WHERE t.parent_team_id IS NOT NULL
)"""

_OWNED = {"account_owners": "account_id", "product_managers": "product_id"}

AGGREGATES = {
    "nps": "count(*) AS n, sum(CASE WHEN v >= 9 THEN 1 ELSE 0 END) AS promoters, "
    "sum(CASE WHEN v <= 6 THEN 1 ELSE 0 END) AS detractors",
    "share": "count(*) AS n, sum(v) AS successes",
    "mean": "count(*) AS n, sum(v) AS total, sum(v * v) AS total_squares",
    "sum": "count(*) AS n, sum(v) AS total, sum(v * v) AS total_squares",
    "median": "count(*) AS n, quantile_cont(v, 0.5) AS quantile_value, list_sort(list(v)) AS sorted_values",
    "gross": "count(*) AS n, sum(v) AS starting, sum(e) AS ending, sum(v * v) AS starting_squares, "
    "sum(e * e) AS ending_squares, sum(v * e) AS cross_products",
}
AGGREGATES["net"] = AGGREGATES["gross"]


def _with(spec: Spec) -> str:
    """The WITH list: the team closure and the views the metric reads."""
    parts = [CLOSURE]
    for view in [*_NEEDS.get(spec.source, []), spec.source]:
        if view in VIEWS:
            parts.append(f"{view} AS ({VIEWS[view]})")
    return "WITH RECURSIVE " + ",\n".join(parts)


def _facts(spec: Spec) -> str:
    """One row per fact: period, v (and e, the ending amount), the credited person, the fact's day."""
    day = f"CAST(f.{spec.time} AS DATE)"
    joins, fallback = "", "NULL"
    if spec.credit == "owner":
        match = _OWNED[spec.owner]
        person = "o.person_id"
        joins = (
            f"LEFT JOIN {spec.owner} o ON o.{match} = f.{match} AND o.valid_from <= {day} "
            f"AND {day} <= coalesce(o.valid_to, DATE '9999-12-31')"
        )
    elif spec.credit == "person":
        person = f"f.{spec.person}"
        fallback = f"f.{spec.team}" if spec.team else "NULL"
    else:
        person = "NULL"
        fallback = f"f.{spec.team}" if spec.team else "NULL"
    credited = (
        f"CASE WHEN coalesce(f.anonymous, false) THEN NULL ELSE {person} END" if spec.anonymous else person
    )
    extra = f", {spec.ending} AS e, f.account_id" if spec.ending else ""
    extra += ", f.response_id, f.touchpoint_id" if spec.credit == "teams" else ""
    return f"""facts AS (
        SELECT CAST(date_trunc('month', f.{spec.time}) AS DATE) AS period, {spec.value} AS v{extra},
               {credited} AS person, {person} AS anyone, {day} AS day, {fallback} AS fallback
        FROM {spec.source} f {joins}
        WHERE {spec.where}
    )"""


def _credited(spec: Spec, scope: str) -> str:
    """Rows of (scope_id, period, v, ...): per person, or per team and every team above it."""
    columns = "f.period, f.v" + (", f.e, f.account_id" if spec.ending else "")
    if scope == "person":
        return f"credited AS (SELECT f.person AS scope_id, {columns} FROM facts f WHERE f.person IS NOT NULL)"
    if spec.credit == "teams":
        return f"""credited AS (
            SELECT DISTINCT f.response_id, c.ancestor_id AS scope_id, {columns}
            FROM facts f JOIN touchpoint_teams t ON t.touchpoint_id = f.touchpoint_id
              AND (t.weight IS NULL OR t.weight > 0)
            JOIN closure c ON c.team_id = t.team_id
        )"""
    if spec.credit == "team":
        team = "f.fallback"
        joins = ""
    else:
        team = "coalesce(m.team_id, f.fallback)"
        joins = (
            "LEFT JOIN memberships m ON m.person_id = f.anyone AND m.valid_from <= f.day "
            "AND f.day <= coalesce(m.valid_to, DATE '9999-12-31')"
        )
    return f"""teamed AS (SELECT {columns}, {team} AS team FROM facts f {joins}),
    credited AS (
        SELECT c.ancestor_id AS scope_id, {columns} FROM teamed f JOIN closure c ON c.team_id = f.team
    )"""


def sql(name: str, scope: str) -> str:
    """The hand-written query of one metric for one scope (rates: see `rate_sql`)."""
    spec = SPECS[name]
    head = f"{_with(spec)},\n{_facts(spec)},\n{_credited(spec, scope)}"
    if spec.kind == "logo":
        return f"""{head},
        accounts AS (
            SELECT scope_id, period, account_id, max(CASE WHEN e > 0 THEN 1 ELSE 0 END) AS kept
            FROM credited GROUP BY ALL
        )
        SELECT scope_id, period, count(*) AS n, sum(kept) AS successes FROM accounts GROUP BY ALL"""
    return f"{head}\nSELECT scope_id, period, {AGGREGATES[spec.kind]} FROM credited GROUP BY ALL"


def rate_sql() -> str:
    """Testimonials per event by team: testimonials over events, by the event's month and team."""
    return f"""WITH RECURSIVE {CLOSURE},
    events_by_team AS (
        SELECT c.ancestor_id AS scope_id, CAST(date_trunc('month', e.starts_on) AS DATE) AS period,
               count(*) AS n
        FROM events e JOIN closure c ON c.team_id = e.team_id GROUP BY ALL
    ), quotes_by_team AS (
        SELECT c.ancestor_id AS scope_id, CAST(date_trunc('month', e.starts_on) AS DATE) AS period,
               count(*) AS numerator
        FROM testimonials q JOIN events e ON e.event_id = q.event_id
        JOIN closure c ON c.team_id = e.team_id GROUP BY ALL
    )
    SELECT coalesce(e.scope_id, q.scope_id) AS scope_id, coalesce(e.period, q.period) AS period,
           coalesce(e.n, 0) AS n, coalesce(q.numerator, 0) AS numerator
    FROM events_by_team e FULL JOIN quotes_by_team q ON q.scope_id = e.scope_id AND q.period = e.period"""


def run(con: Any, name: str, scope: str) -> pd.DataFrame:
    """The sufficient statistics of one metric and scope, with the medians' bounds picked."""
    spec = SPECS[name]
    if spec.kind == "rate":
        return con.execute(rate_sql()).df()
    if spec.kind != "median":
        return con.execute(sql(name, scope)).df()
    from cxscore import stats

    con.execute(f"CREATE OR REPLACE TEMP TABLE sorted_groups AS {sql(name, scope)}")
    sizes = con.execute("SELECT DISTINCT n FROM sorted_groups").df()["n"].to_numpy(dtype="int64")
    lower, upper = stats.quantile_rank_bounds(sizes, 0.5, 0.95)
    ranks = pd.DataFrame(
        {
            "n": sizes,
            "lo": np.nan_to_num(lower, nan=0).astype("int64"),
            "hi": np.nan_to_num(upper, nan=0).astype("int64"),
        }
    )
    con.register("ranks", ranks)
    frame = con.execute(
        """SELECT g.scope_id, g.period, g.n, g.quantile_value,
                  CASE WHEN r.lo > 0 THEN g.sorted_values[r.lo] END AS lower,
                  CASE WHEN r.hi > 0 THEN g.sorted_values[r.hi] END AS upper
           FROM sorted_groups g JOIN ranks r ON r.n = g.n"""
    ).df()
    con.execute("DROP TABLE sorted_groups")
    con.unregister("ranks")
    return frame


def with_values(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Values and 95% intervals from the sufficient statistics, with `cxscore.stats`."""
    from cxscore import stats

    n = frame.n.to_numpy(dtype="float64")
    safe = np.where(n > 0, n, 1.0)
    if kind == "nps":
        value = 100.0 * (frame.promoters - frame.detractors) / n
        lower, upper = stats.nps_interval(frame.promoters, frame.detractors, n)
    elif kind in ("share", "logo"):
        value = frame.successes / n
        lower, upper = stats.wilson_interval(frame.successes, n)
    elif kind == "median":
        value, lower, upper = frame.quantile_value, frame.lower, frame.upper
    elif kind == "rate":
        top = frame.numerator.to_numpy(dtype="float64")
        value = np.where(n > 0, top / safe, np.nan)
        lower, upper = stats.rate_interval(top, n)
    elif kind in ("gross", "net"):
        value, lower, upper = _retention(frame, n, kind)
    elif kind == "sum":
        value = frame.total
        lower, upper = stats.sum_interval(frame.total, frame.total_squares, n)
    else:
        mean = frame.total / n
        sd = np.sqrt(np.maximum(frame.total_squares - n * mean**2, 0) / np.where(n > 1, n - 1, 1))
        lower, upper = stats.mean_interval(mean, sd, n)
        value = mean
    return frame.assign(value=np.asarray(value, dtype="float64"), lower=lower, upper=upper)


def _retention(frame: pd.DataFrame, n: np.ndarray, kind: str) -> tuple[Any, Any, Any]:
    """Ratio estimator sum(ending) / sum(starting) with its linearised (Cochran) t interval."""
    from cxscore import stats

    start = frame.starting.to_numpy(dtype="float64")
    ratio = np.where(start > 0, frame.ending / np.where(start > 0, start, 1.0), np.nan)
    r = np.nan_to_num(ratio)
    residuals = frame.ending_squares - 2.0 * r * frame.cross_products + r * r * frame.starting_squares
    spread = np.sqrt(np.maximum(residuals.to_numpy(dtype="float64"), 0.0) / np.where(n > 1, n - 1.0, 1.0))
    mean_start = start / np.where(n > 0, n, 1.0)
    sd = np.where(mean_start > 0, spread / np.where(mean_start > 0, mean_start, 1.0), 0.0)
    lower, upper = stats.mean_interval(r, sd, n)
    defined = ~np.isnan(ratio)
    lower = np.where(defined, np.maximum(lower, 0.0), np.nan)
    upper = np.where(defined, np.minimum(upper, 1.0) if kind == "gross" else upper, np.nan)
    return ratio, lower, upper
