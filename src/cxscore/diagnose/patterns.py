"""The integrity checks' counting: one aggregate per check, run in the engine, one row per person.

Each function returns a frame with `person`, `team`, `n`, `value`, `peers`, `peers_n`, `difference`,
`p_value` and `evidence` (an empty frame when nobody can be tested). Methods: docs/concepts/integrity.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from cxscore.diagnose.peers import MIN_N, bunching_test, log_odds_ratio, mean_tests, rates_against_peers
from cxscore.errors import DiagnosisError

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from cxscore.store import Store

__all__ = [
    "Settings",
    "bunching",
    "late_reassignments",
    "promoters_who_churn",
    "reopens",
    "response_rates",
    "score_distributions",
    "selective_invitations",
]


@dataclass(frozen=True)
class Settings:
    """What the checks look at: the period, and the limits that define a poor or late case."""

    start: dt.date | None
    end: dt.date | None
    team: str | None
    slow_first_response_hours: float
    slow_resolution_hours: float
    late_hours: float
    threshold: float | None
    metric: str
    root: Path | None = None  # the project folder, for its own metric definitions


def _in_period(t: ir.Table, column: str, settings: Settings) -> ir.Table:
    from cxscore.metrics.views import within_days

    within = within_days(t[column], settings.start, settings.end)
    return t.filter(*within) if within else t


def _hours(start: ir.Value, end: ir.Value) -> ir.Value:
    from cxscore.metrics.views import seconds_between

    return seconds_between(start, end) / 3600.0


def _run(store: Store, expr: ir.Table) -> pd.DataFrame:
    frame: pd.DataFrame = store.con.execute(expr)
    if "year" in frame.columns:
        frame["year"] = frame["year"].astype(int)
    keys = [k for k in ("team", "year", "person") if k in frame.columns]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def _flag(condition: ir.BooleanValue) -> ir.IntegerValue:
    """1 where `condition` holds, else 0: PostgreSQL cannot cast a boolean to bigint or double."""
    return condition.ifelse(1, 0)


def _year(at: ir.Value) -> ir.Value:
    """The calendar year of a timestamp: people are compared with their team in the same year, since a
    team that changes over the years (it improves, a release breaks) would otherwise make its newcomers
    and leavers look different from their peers."""
    return at.cast("timestamp").year()


def _cases(store: Store, settings: Settings) -> ir.Table:
    cases = store.table("cases")
    cases = _in_period(
        cases.filter(cases.closed_at.notnull() & cases.agent_id.notnull()), "closed_at", settings
    )
    poor = (
        (cases.reopen_count.fill_null(0) > 0)
        | (_hours(cases.opened_at, cases.first_response_at) > settings.slow_first_response_hours)
        | (_hours(cases.opened_at, cases.resolved_at) > settings.slow_resolution_hours)
    )
    return cases.mutate(_poor=poor.fill_null(False))


def selective_invitations(store: Store, settings: Settings) -> pd.DataFrame:
    """Per agent: how often cases with a good and a poor outcome were followed by a survey invitation."""
    cases = _cases(store, settings)
    invitations = store.table("invitations")
    invited = invitations.filter(invitations.case_id.notnull()).select(_invited_case="case_id").distinct()
    joined = cases.left_join(invited, cases.case_id == invited._invited_case)
    joined = joined.mutate(_inv=_flag(joined._invited_case.notnull()), _bad=_flag(joined._poor))
    per = joined.group_by(
        person=joined.agent_id, team=joined.team_id, year=_year(joined.closed_at)
    ).aggregate(
        n=joined.count(),
        poor=joined._bad.sum(),
        invited=joined._inv.sum(),
        invited_poor=(joined._inv * joined._bad).sum(),
    )
    frame = _run(store, per)
    if frame.empty or frame["invited"].sum() == 0:
        return pd.DataFrame()
    frame = frame.assign(
        good=frame["n"] - frame["poor"], invited_good=frame["invited"] - frame["invited_poor"]
    )
    totals = frame.groupby(["team", "year"])[["good", "poor", "invited_good", "invited_poor", "n"]].transform(
        "sum"
    )
    peers = totals - frame[["good", "poor", "invited_good", "invited_poor", "n"]]
    own_lor, own_var = log_odds_ratio(frame)
    peer_lor, peer_var = log_odds_ratio(peers)
    z: np.ndarray = (own_lor - peer_lor).to_numpy(float) / np.sqrt((own_var + peer_var).to_numpy(float))
    poor_rate = frame["invited_poor"] / frame["poor"].where(frame["poor"] > 0)
    peer_poor = peers["invited_poor"] / peers["poor"].where(peers["poor"] > 0)
    good_rate = frame["invited_good"] / frame["good"].where(frame["good"] > 0)
    peer_good = peers["invited_good"] / peers["good"].where(peers["good"] > 0)
    out = frame.assign(
        value=poor_rate, peers=peer_poor, peers_n=peers["n"], difference=poor_rate - peer_poor,
        p_value=scipy_stats.norm.sf(z),
    )  # fmt: skip
    out["evidence"] = [
        f"invited {g:.0%} of {int(ng)} cases with a good outcome and {b:.0%} of {int(nb)} with a poor one "
        f"(reopened or slow); peers in the team: {pg:.0%} and {pb:.0%}"
        for g, ng, b, nb, pg, pb in zip(
            good_rate, frame["good"], poor_rate, frame["poor"], peer_good, peer_poor, strict=True
        )
    ]
    keep = (out["n"] >= MIN_N) & (out["poor"] >= 10) & (out["peers_n"] >= MIN_N) & out["value"].notna()
    return out[keep].reset_index(drop=True)


def response_rates(store: Store, settings: Settings) -> pd.DataFrame:
    """Per credited person and survey: the share of their invitations that were answered, against the rest
    of their team on the same survey (account-clustered, two-sided)."""
    invitations = store.table("invitations")
    invitations = _in_period(
        invitations.filter(invitations.credited_person_id.notnull()), "sent_at", settings
    )
    responses = store.table("responses")
    answered = (
        responses.filter(responses.invitation_id.notnull()).select(_answered="invitation_id").distinct()
    )
    joined = invitations.left_join(answered, invitations.invitation_id == answered._answered)
    joined = joined.mutate(_y=_flag(joined._answered.notnull()).cast("float64"))
    keys = {
        "person": joined.credited_person_id,
        "team": joined.credited_team_id,
        "survey": joined.survey_id,
        "year": _year(joined.sent_at),
    }
    frame = _run(store, _clustered_sums(joined, keys, joined.account_id.fill_null(joined.invitation_id)))
    if frame.empty:
        return frame
    out = mean_tests(frame, "two-sided")
    out = out.assign(difference=out["value"] - out["peers"])
    out["evidence"] = [
        f"{v:.0%} of {n} invitations of survey {survey} answered; peers in the team: {p:.0%} of {pn} "
        "(tested by account)"
        for v, n, p, pn, survey in zip(
            out["value"], out["n"], out["peers"], out["peers_n"], out["survey"], strict=True
        )
    ]
    return out


def _clustered_sums(t: ir.Table, keys: dict[str, ir.Value], cluster: ir.Value) -> ir.Table:
    """Per person (`keys`): n, the sum and squares of _y, top scores, and the per-cluster sums that a
    cluster-robust variance needs."""
    top = t._top if "_top" in t.columns else t._y
    per_account = t.group_by(**keys, _cluster=cluster).aggregate(
        n_a=t.count(), s_a=t._y.sum(), q_a=(t._y * t._y).sum(), t_a=top.sum()
    )
    per = per_account.group_by(*keys).aggregate(
        n=per_account.n_a.sum(), s=per_account.s_a.sum(), q=per_account.q_a.sum(), top=per_account.t_a.sum(),
        ss_a=(per_account.s_a * per_account.s_a).sum(), sn_a=(per_account.s_a * per_account.n_a).sum(),
        nn_a=(per_account.n_a * per_account.n_a).sum(), clusters=per_account.count(),
    )  # fmt: skip
    return per.filter(per.team.notnull())


def score_distributions(store: Store, settings: Settings) -> pd.DataFrame:
    """Per credited person and survey: is their mean score far above their team's on the same survey?

    Answers of one account are not independent (one loyal account answers every quarter), so the
    standard errors are cluster-robust by account (the sandwich estimator of a mean, Liang and Zeger
    1986); a lower score is a coaching matter, not an integrity one, so only higher scores are tested.
    """
    responses = _in_period(store.table("responses"), "responded_at", settings)
    frames = []
    for scale, top in (("csat", 4), ("nps", 9)):
        # Answers about a case only: relationship answers follow the owner's accounts (segment, history)
        # more than anything the owner does around the survey.
        scored = responses.filter(
            responses[scale].notnull() & responses.person_id.notnull() & responses.case_id.notnull()
        )
        scored = scored.mutate(_y=scored[scale].cast("float64"), _top=_flag(scored[scale] >= top))
        keys = {
            "person": scored.person_id,
            "team": scored.team_id,
            "survey": scored.survey_id,
            "year": _year(scored.responded_at),
        }
        frame = _run(store, _clustered_sums(scored, keys, scored.account_id.fill_null(scored.response_id)))
        if not frame.empty:
            frames.append(_scores_evidence(mean_tests(frame, "greater"), scale.upper()))
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _scores_evidence(out: pd.DataFrame, scale: str) -> pd.DataFrame:
    out["evidence"] = [
        f"{scale} on survey {sv}: mean {m:.2f} on {n} answers ({t / n:.0%} top scores); peers in the team "
        f"{pm:.2f} on {pn} ({pt / pn:.0%}); {d:+.2f} standard deviations"
        for sv, m, n, t, pm, pn, pt, d in zip(
            out["survey"],
            out["value"],
            out["n"],
            out["top"],
            out["peers"],
            out["peers_n"],
            out["peers_top"],
            out["difference"],
            strict=True,
        )
    ]
    return out


def late_reassignments(store: Store, settings: Settings) -> pd.DataFrame:
    """Per agent: the share of the cases they held that were handed to someone else shortly before the
    survey invitation (or after the case was resolved)."""
    moves = store.table("case_assignments")
    cases = _cases(store, settings).select("case_id", "resolved_at", "closed_at")
    invitations = store.table("invitations")
    first_invite = (
        invitations.filter(invitations.case_id.notnull())
        .group_by(_icase=invitations.case_id)
        .aggregate(_sent=invitations.sent_at.min())
    )
    held = moves.join(cases, "case_id").left_join(first_invite, moves.case_id == first_invite._icase)
    import ibis

    ordered = held.mutate(
        _next_at=held.assigned_at.lead().over(ibis.window(group_by=held.case_id, order_by=held.assigned_at)),
        _next_person=held.person_id.lead().over(
            ibis.window(group_by=held.case_id, order_by=held.assigned_at)
        ),
    )
    survey_at = ordered._sent.fill_null(ordered.closed_at)
    late = (
        ordered._next_at.notnull()
        & (ordered._next_person != ordered.person_id)
        & (
            (_hours(ordered._next_at, survey_at) <= settings.late_hours)
            | (ordered._next_at >= ordered.resolved_at)
        )
    )
    ordered = ordered.mutate(_late=_flag(late.fill_null(False)))
    per = ordered.group_by(
        person=ordered.person_id, team=ordered.team_id, year=_year(ordered.closed_at)
    ).aggregate(held=ordered.case_id.nunique(), handed=ordered._late.sum())
    frame = _run(store, per)
    if frame.empty:
        return frame
    out = rates_against_peers(frame, "held", "handed", "greater")
    out["evidence"] = [
        f"handed {v:.1%} of {n} cases to someone else within {settings.late_hours:g} hours of the survey "
        f"or after resolving them; peers in the team: {p:.1%}"
        for v, n, p in zip(out["value"], out["n"], out["peers"], strict=True)
    ]
    return out


def reopens(store: Store, settings: Settings) -> pd.DataFrame:
    """Per agent: the share of their closed cases that were reopened (closing early stops a clock)."""
    cases = _cases(store, settings)
    cases = cases.mutate(_reopened=_flag(cases.reopen_count.fill_null(0) > 0))
    per = cases.group_by(person=cases.agent_id, team=cases.team_id, year=_year(cases.closed_at)).aggregate(
        cases=cases.count(), reopened=cases._reopened.sum()
    )
    frame = _run(store, per)
    if frame.empty:
        return frame
    out = rates_against_peers(frame, "cases", "reopened", "greater")
    out["evidence"] = [
        f"{v:.1%} of {n} closed cases reopened; peers in the team: {p:.1%} of {pn}"
        for v, n, p, pn in zip(out["value"], out["n"], out["peers"], out["peers_n"], strict=True)
    ]
    return out


def promoters_who_churn(store: Store, settings: Settings) -> pd.DataFrame:
    """Per credited person: the share of their promoter accounts (an NPS of 9-10 credited to them) that
    churned within a year of such an answer, against the rest of their team's. Counted by account, not by
    answer: one account's contacts answer together."""
    responses = _in_period(store.table("responses"), "responded_at", settings)
    promoters = responses.filter(
        (responses.nps >= 9) & responses.person_id.notnull() & responses.account_id.notnull()
    )
    contracts = store.table("contracts")
    churned = contracts.filter(contracts.renewal_outcome == "churned").select(
        _account="account_id", _end="end_date"
    )
    joined = promoters.left_join(
        churned,
        (promoters.account_id == churned._account)
        & (churned._end >= promoters.responded_at.cast("date"))
        & (churned._end.cast("timestamp") <= promoters.responded_at + _one_year()),
    )
    per_account = joined.group_by(
        person=joined.person_id,
        team=joined.team_id,
        year=_year(joined.responded_at),
        account=joined.account_id,
    ).aggregate(_churn=_flag(joined._account.notnull()).max())
    per = per_account.group_by("person", "team", "year").aggregate(
        accounts=per_account.count(), churned=per_account._churn.sum()
    )
    frame = _run(store, per.filter(per.team.notnull()))
    if frame.empty:
        return frame
    out = rates_against_peers(frame, "accounts", "churned", "greater")
    out["evidence"] = [
        f"{v:.0%} of {n} accounts with a promoter's answer churned within a year of it; the rest of the "
        f"team's: {p:.0%}"
        for v, n, p in zip(out["value"], out["n"], out["peers"], strict=True)
    ]
    return out


def _one_year() -> Any:
    import ibis

    return ibis.interval(days=365)


def bunching(store: Store, settings: Settings) -> pd.DataFrame:
    """Monthly values per person just at or above a threshold, against what binomial noise around each
    person's own level would give (a discrete version of McCrary's 2008 density test)."""
    from cxscore.metrics.catalog import load_catalog
    from cxscore.metrics.engine import MetricEngine

    if settings.threshold is None:
        return pd.DataFrame()
    metric = load_catalog(settings.root).get(settings.metric)
    if metric.aggregation.value != "share":
        raise DiagnosisError(
            f"The bunching check needs a share metric (e.g. csat); '{metric.name}' is a "
            f"{metric.aggregation.value}."
        )
    rows = MetricEngine(store).compute(metric, ["person"], "month", settings.start, settings.end)
    rows = rows[rows["n"] >= 5].copy()
    if rows.empty:
        return pd.DataFrame()
    rows["x"] = np.rint(rows["value"] * rows["n"])
    level = rows.groupby("scope_id")[["x", "n"]].transform("sum")
    t, width = settings.threshold, 0.1
    above, below, expected, pvalue = bunching_test(
        rows["x"].to_numpy(float),
        rows["n"].to_numpy(float),
        (level["x"] / level["n"]).to_numpy(float),
        t,
        width,
    )
    window = above + below
    share = above / window if window else float("nan")
    return pd.DataFrame([{
        "person": "(everyone)", "team": "(company)", "n": window, "value": share, "peers": expected,
        "peers_n": len(rows), "difference": share - expected, "p_value": pvalue,
        "evidence": f"{above} person-months within 10 points at or above {t:.0%} and {below} just below; "
        f"binomial noise around each person's own level would put {expected:.0%} of them above",
    }])  # fmt: skip
