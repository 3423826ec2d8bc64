"""Metric engine speed: cxscore's compiled metrics beside a hand-written DuckDB SQL script and plain pandas.

For every team (rolled up through the hierarchy) and every person, by month, over the whole demo
history, three implementations compute the same numbers with their 95% intervals:

- `cxscore`: `MetricEngine.compute` (definitions compiled to Ibis, run on DuckDB, evaluated in Python);
- `sql`: one hand-written DuckDB SQL query per metric and scope, intervals from the same `cxscore.stats`;
- `pandas`: the tables read into pandas and aggregated there, intervals from the same `cxscore.stats`.

The hand-written and pandas versions cover the metrics listed in `COMPARED` (surveys, support,
contracts, bookings); the cxscore run of *every* built-in metric is timed too. The three results are
checked equal (identical n, values within 1e-9) before any time is reported. Each implementation runs
in its own process, so its peak memory (max RSS) is its own.

    python benchmarks/metrics_speed.py --project demo-company      # a project made by `cxscore demo`
    python benchmarks/metrics_speed.py --project demo-company --json
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SCOPES = ("team", "person")


@dataclass(frozen=True)
class Spec:
    """How the baselines compute one metric: its facts, time, credit and statistics."""

    table: str
    where: str  # SQL condition on the source rows
    keep: Callable[[pd.DataFrame], Any]  # the same condition in pandas
    time: str
    kind: str  # nps, share, mean, median, sum
    value: str  # SQL expression of the measured value (success flag, score, hours, amount)
    measure: Callable[[pd.DataFrame], pd.Series]  # the same in pandas
    credit: str  # "person" (a person column) or "owner" (account owner at the fact's date)
    person: str = ""
    team: str | None = None
    anonymous: bool = False


COMPARED: dict[str, Spec] = {
    "nps": Spec(
        "responses", "nps IS NOT NULL", lambda t: t.nps.notna(), "responded_at", "nps", "nps",
        lambda t: t.nps, "person", "person_id", "team_id", anonymous=True,
    ),
    "csat": Spec(
        "responses", "csat IS NOT NULL", lambda t: t.csat.notna(), "responded_at", "share",
        "CASE WHEN csat >= 4 THEN 1 ELSE 0 END", lambda t: (t.csat >= 4).astype("int64"),
        "person", "person_id", "team_id", anonymous=True,
    ),
    "csat_mean": Spec(
        "responses", "csat IS NOT NULL", lambda t: t.csat.notna(), "responded_at", "mean", "csat",
        lambda t: t.csat.astype("float64"), "person", "person_id", "team_id", anonymous=True,
    ),
    "ces": Spec(
        "responses", "ces IS NOT NULL", lambda t: t.ces.notna(), "responded_at", "mean", "ces",
        lambda t: t.ces.astype("float64"), "person", "person_id", "team_id", anonymous=True,
    ),
    "reopen_rate": Spec(
        "cases", "resolved_at IS NOT NULL", lambda t: t.resolved_at.notna(), "resolved_at", "share",
        "CASE WHEN reopen_count > 0 THEN 1 ELSE 0 END", lambda t: (t.reopen_count > 0).astype("int64"),
        "person", "agent_id", "team_id",
    ),
    "first_contact_resolution": Spec(
        "cases", "resolved_at IS NOT NULL AND contacts_to_resolve IS NOT NULL",
        lambda t: t.resolved_at.notna() & t.contacts_to_resolve.notna(), "resolved_at", "share",
        "CASE WHEN contacts_to_resolve = 1 THEN 1 ELSE 0 END",
        lambda t: (t.contacts_to_resolve == 1).astype("int64"), "person", "agent_id", "team_id",
    ),
    "time_to_resolution": Spec(
        "cases", "resolved_at IS NOT NULL AND opened_at IS NOT NULL",
        lambda t: t.resolved_at.notna() & t.opened_at.notna(), "resolved_at", "median",
        "CAST(epoch(resolved_at) - epoch(opened_at) AS DOUBLE) / 3600.0",
        lambda t: (t.resolved_at - t.opened_at).dt.total_seconds() / 3600.0, "person", "agent_id", "team_id",
    ),
    "renewal_rate": Spec(
        "contracts", "kind IN ('new_business', 'renewal') AND renewal_outcome <> 'pending'",
        lambda t: t.kind.isin(["new_business", "renewal"]) & (t.renewal_outcome != "pending"), "end_date",
        "share", "CASE WHEN renewal_outcome IN ('renewed', 'expanded', 'contracted') THEN 1 ELSE 0 END",
        lambda t: t.renewal_outcome.isin(["renewed", "expanded", "contracted"]).astype("int64"), "owner",
    ),
    "churn_rate": Spec(
        "contracts", "kind IN ('new_business', 'renewal') AND renewal_outcome <> 'pending'",
        lambda t: t.kind.isin(["new_business", "renewal"]) & (t.renewal_outcome != "pending"), "end_date",
        "share", "CASE WHEN renewal_outcome = 'churned' THEN 1 ELSE 0 END",
        lambda t: (t.renewal_outcome == "churned").astype("int64"), "owner",
    ),
    "new_business_arr": Spec(
        "contracts", "kind = 'new_business'", lambda t: t.kind == "new_business", "booked_on", "sum", "arr",
        lambda t: t.arr.astype("float64"), "person", "credited_person_id",
    ),
    "expansion_arr": Spec(
        "contracts", "kind = 'expansion'", lambda t: t.kind == "expansion", "booked_on", "sum", "arr",
        lambda t: t.arr.astype("float64"), "person", "credited_person_id",
    ),
}  # fmt: skip


# --- the hand-written SQL -------------------------------------------------------------------------------

CLOSURE = """
WITH RECURSIVE closure(team_id, ancestor_id) AS (
    SELECT team_id, team_id FROM teams
    UNION ALL
    SELECT c.team_id, t.parent_team_id FROM closure c JOIN teams t ON t.team_id = c.ancestor_id
    WHERE t.parent_team_id IS NOT NULL
)"""

AGGREGATES = {
    "nps": "count(*) AS n, sum(CASE WHEN v >= 9 THEN 1 ELSE 0 END) AS promoters, "
    "sum(CASE WHEN v <= 6 THEN 1 ELSE 0 END) AS detractors",
    "share": "count(*) AS n, sum(v) AS successes",
    "mean": "count(*) AS n, sum(v) AS total, sum(v * v) AS total_squares",
    "sum": "count(*) AS n, sum(v) AS total, sum(v * v) AS total_squares",
    "median": "count(*) AS n, quantile_cont(v, 0.5) AS quantile_value",
}


def sql(spec: Spec, scope: str) -> str:
    """The hand-written query of one metric for one scope."""
    day = f"CAST(f.{spec.time} AS DATE)"
    if spec.credit == "owner":
        person = "o.person_id"
        owners = (
            f"LEFT JOIN account_owners o ON o.account_id = f.account_id AND o.valid_from <= {day} "
            f"AND {day} <= coalesce(o.valid_to, DATE '9999-12-31')"
        )
        fallback = "NULL"
    else:
        person = f"f.{spec.person}"
        owners = ""
        fallback = f"f.{spec.team}" if spec.team else "NULL"
    credited = (
        f"CASE WHEN coalesce(f.anonymous, false) THEN NULL ELSE {person} END" if spec.anonymous else person
    )
    facts = f"""
    facts AS (
        SELECT CAST(date_trunc('month', f.{spec.time}) AS DATE) AS period, {spec.value} AS v,
               {credited} AS person, {person} AS anyone, {day} AS day, {fallback} AS fallback
        FROM {spec.table} f {owners}
        WHERE {spec.where}
    )"""
    aggregates = AGGREGATES[spec.kind]
    if scope == "person":
        return (
            f"WITH {facts.strip()} SELECT person AS scope_id, period, {aggregates} FROM facts "
            "WHERE person IS NOT NULL GROUP BY 1, 2"
        )
    return f"""{CLOSURE}, {facts.strip()},
    credited AS (
        SELECT f.period, f.v, coalesce(m.team_id, f.fallback) AS team
        FROM facts f LEFT JOIN memberships m ON m.person_id = f.anyone AND m.valid_from <= f.day
            AND f.day <= coalesce(m.valid_to, DATE '9999-12-31')
    )
    SELECT c.ancestor_id AS scope_id, f.period, {aggregates}
    FROM credited f JOIN closure c ON c.team_id = f.team
    GROUP BY 1, 2"""


# --- the pandas implementation --------------------------------------------------------------------------


def closure_frame(teams: pd.DataFrame) -> pd.DataFrame:
    parent = dict(zip(teams.team_id, teams.parent_team_id, strict=True))
    pairs = []
    for team in parent:
        current = team
        while isinstance(current, str):
            pairs.append((team, current))
            current = parent.get(current)
    return pd.DataFrame(pairs, columns=["team", "scope_id"])


def effective(facts: pd.DataFrame, dated: pd.DataFrame, left: str, right: str, value: str) -> pd.Series:
    """For each fact, `dated[value]` of the row whose key matches and whose dates cover the fact's day."""
    merged = facts[[left, "day"]].reset_index().merge(dated, left_on=left, right_on=right, how="inner")
    valid = (merged.valid_from <= merged.day) & (merged.valid_to.isna() | (merged.day <= merged.valid_to))
    found = merged[valid].drop_duplicates("index").set_index("index")[value]
    return found.reindex(facts.index)


def pandas_metric(tables: dict[str, pd.DataFrame], spec: Spec, scope: str) -> pd.DataFrame:
    source = tables[spec.table]
    facts = source[spec.keep(source)].copy()
    stamp = pd.to_datetime(facts[spec.time])
    facts["day"] = stamp.dt.date
    facts["period"] = stamp.dt.to_period("M").dt.start_time.dt.date
    facts["v"] = spec.measure(facts)
    if spec.credit == "owner":
        facts["anyone"] = effective(facts, tables["account_owners"], "account_id", "account_id", "person_id")
    else:
        facts["anyone"] = facts[spec.person]
    if spec.anonymous:
        facts["person"] = facts["anyone"].where(~facts["anonymous"].fillna(False).astype(bool))
    else:
        facts["person"] = facts["anyone"]
    if scope == "person":
        grouped = facts[facts.person.notna()].rename(columns={"person": "scope_id"})
    else:
        members = tables["memberships"]
        team = effective(facts, members.rename(columns={"person_id": "who"}), "anyone", "who", "team_id")
        fallback = facts[spec.team] if spec.team else pd.Series(None, index=facts.index, dtype="object")
        facts["team"] = team.fillna(fallback)
        grouped = facts.merge(closure_frame(tables["teams"]), on="team")
    return aggregate_pandas(grouped, spec.kind)


def aggregate_pandas(facts: pd.DataFrame, kind: str) -> pd.DataFrame:
    groups = facts.groupby(["scope_id", "period"]).v
    if kind == "nps":
        frame = groups.agg(
            n="size", promoters=lambda s: int((s >= 9).sum()), detractors=lambda s: int((s <= 6).sum())
        )
    elif kind == "share":
        frame = groups.agg(n="size", successes="sum")
    elif kind == "median":
        frame = groups.agg(n="size", quantile_value="median")
    else:
        frame = groups.agg(n="size", total="sum", total_squares=lambda s: float((s * s).sum()))
    return frame.reset_index()


# --- values and intervals, the same for both baselines ------------------------------------------------------


def with_values(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    from cxscore import stats

    n = frame.n.to_numpy(dtype="float64")
    if kind == "nps":
        value = 100.0 * (frame.promoters - frame.detractors) / n
        lower, upper = stats.nps_interval(frame.promoters, frame.detractors, n)
    elif kind == "share":
        value = frame.successes / n
        lower, upper = stats.wilson_interval(frame.successes, n)
    elif kind == "median":
        value, lower, upper = frame.quantile_value, np.nan, np.nan  # bounds: see the note in the docs
    else:
        mean = frame.total / n
        sd = np.sqrt(np.maximum(frame.total_squares - n * mean**2, 0) / np.where(n > 1, n - 1, 1))
        lower, upper = stats.mean_interval(mean, sd, n)
        value = frame.total if kind == "sum" else mean
        if kind == "sum":
            lower, upper = lower * n, upper * n
    return frame.assign(value=np.asarray(value, dtype="float64"), lower=lower, upper=upper)


# --- the three runs -----------------------------------------------------------------------------------------


def run_cxscore(database: Path, out: Path, every: bool) -> dict[str, Any]:
    from cxscore.metrics import MetricEngine
    from cxscore.store import Store

    store = Store.duckdb(database)
    engine = MetricEngine(store)
    names = [m.name for m in engine.catalog] if every else list(COMPARED)
    frames = []
    for name in names:
        metric = engine.catalog.get(name)
        attribution = metric.facts.attribution
        for scope in SCOPES:
            if attribution is None or (scope == "person" and not attribution.credits_people):
                continue
            result = engine.compute(name, by=[scope], grain="month")
            frames.append(result[["metric", "scope", "scope_id", "period", "value", "n", "lower", "upper"]])
    pd.concat(frames).to_parquet(out)
    return {"metrics": len(names)}


def run_sql(database: Path, out: Path) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(str(database), read_only=True)
    frames = []
    for name, spec in COMPARED.items():
        for scope in SCOPES:
            frame = with_values(con.execute(sql(spec, scope)).df(), spec.kind)
            frames.append(
                frame.assign(metric=name, scope=scope)[
                    ["metric", "scope", "scope_id", "period", "value", "n", "lower", "upper"]
                ]
            )
    pd.concat(frames).to_parquet(out)
    return {"metrics": len(COMPARED)}


def run_pandas(database: Path, out: Path) -> dict[str, Any]:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(str(database), read_only=True)
    needed = {"teams", "memberships", "account_owners", *(s.table for s in COMPARED.values())}
    tables = {name: con.execute(f'SELECT * FROM "{name}"').df() for name in needed}
    for name in ("memberships", "account_owners"):
        for column in ("valid_from", "valid_to"):
            tables[name][column] = pd.to_datetime(tables[name][column]).dt.date
    read = time.perf_counter() - started
    frames = []
    for name, spec in COMPARED.items():
        for scope in SCOPES:
            frame = with_values(pandas_metric(tables, spec, scope), spec.kind)
            frames.append(
                frame.assign(metric=name, scope=scope)[
                    ["metric", "scope", "scope_id", "period", "value", "n", "lower", "upper"]
                ]
            )
    pd.concat(frames).to_parquet(out)
    return {"metrics": len(COMPARED), "read_seconds": read}


RUNS = {"cxscore": lambda d, o: run_cxscore(d, o, False), "cxscore_all": lambda d, o: run_cxscore(d, o, True),
        "sql": run_sql, "pandas": run_pandas}  # fmt: skip


def child(method: str, database: Path, out: Path) -> None:
    started = time.perf_counter()
    details = RUNS[method](database, out)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"method": method, "seconds": seconds, "peak_mib": peak, **details}))


def measure(method: str, database: Path, out: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", method, "--database", str(database), "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        killed = done.returncode == -9
        reason = "killed (out of memory)" if killed else done.stderr.strip().splitlines()[-1]
        return {"method": method, "failed": reason, "seconds": float("nan"), "peak_mib": float("nan")}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def check_equal(reference: pd.DataFrame, other: pd.DataFrame, name: str) -> int:
    """Identical groups and n, values within 1e-9; returns the number of rows compared."""
    keys = ["metric", "scope", "scope_id", "period"]
    mine = reference[reference.metric.isin(COMPARED)].copy()
    for frame in (mine, other):
        frame["period"] = pd.to_datetime(frame["period"]).dt.date
    merged = mine.merge(other, on=keys, how="outer", suffixes=("", "_other"), indicator=True)
    unmatched = merged[merged["_merge"] != "both"]
    if len(unmatched):
        raise SystemExit(f"{name}: {len(unmatched)} rows differ in their groups, e.g.\n{unmatched.head()}")
    if not (merged.n == merged.n_other).all():
        raise SystemExit(f"{name}: n differs:\n{merged[merged.n != merged.n_other].head()}")
    for column in ("value", "lower", "upper"):
        a, b = merged[column].to_numpy(dtype="float64"), merged[f"{column}_other"].to_numpy(dtype="float64")
        both = ~np.isnan(a) & ~np.isnan(b)
        if column != "value":
            both &= merged.metric.ne(
                "time_to_resolution"
            ).to_numpy()  # the baselines do not pick order statistics
        if not np.allclose(a[both], b[both], rtol=1e-9, atol=1e-9):
            raise SystemExit(f"{name}: {column} differs beyond 1e-9")
        if column == "value" and not (np.isnan(a) == np.isnan(b)).all():
            raise SystemExit(f"{name}: value is missing on one side only")
    return len(merged)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, help="a cxscore project (e.g. made by `cxscore demo`)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each method; the median is reported")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--methods", default=",".join(RUNS), help="comma-separated, from: " + ", ".join(RUNS))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.database, args.out)
        return
    from cxscore.store import open_project

    database = open_project(args.project).database_path
    report: dict[str, Any] = {"database": str(database), "runs": {}}
    with tempfile.TemporaryDirectory() as folder:
        methods = [m for m in args.methods.split(",") if m in RUNS]
        outputs = {m: Path(folder) / f"{m}.parquet" for m in methods}
        for method in methods:
            runs = [measure(method, database, outputs[method]) for _ in range(args.repeat)]
            runs.sort(key=lambda r: r["seconds"])
            report["runs"][method] = runs[len(runs) // 2]
        reference = pd.read_parquet(outputs["cxscore"])
        report["rows_checked"] = {
            m: check_equal(reference, pd.read_parquet(outputs[m]), m)
            for m in ("sql", "pandas")
            if m in outputs and "failed" not in report["runs"][m]
        }
    if args.json:
        print(json.dumps(report, indent=1))
        return
    base = report["runs"]["sql"]["seconds"]
    print(f"Database: {database}; rows checked equal: {report['rows_checked']}")
    print("| method | metrics | time | ratio to hand-written SQL | peak memory |")
    print("|---|---|---|---|---|")
    for method, run in report["runs"].items():
        if "failed" in run:
            print(f"| {method} | - | {run['failed']} | - | - |")
            continue
        print(f"| {method} | {run['metrics']} | {run['seconds']:.2f} s | {run['seconds'] / base:.2f} | "
              f"{run['peak_mib']:.0f} MiB |")  # fmt: skip


if __name__ == "__main__":
    main()
