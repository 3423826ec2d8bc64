"""Key drivers on the demo company: the planted truths are found, and the numbers match statsmodels."""

from __future__ import annotations

import json
from itertools import combinations
from math import factorial
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from typer.testing import CliRunner

import cxscore
from cxscore.cli.main import app
from cxscore.diagnose import KeyDrivers, key_drivers, key_drivers_of_table, parse_period, read_table
from cxscore.errors import DiagnosisError


def _driver(result: KeyDrivers, name: str) -> object:
    return next(d for d in result.drivers if d.name == name)


def test_truth_1_the_defective_version_is_the_top_driver_of_csat(demo: Path) -> None:
    result = key_drivers(
        "csat",
        scope="team:T-SUP",
        drivers=("version", "team", "training", "resolution", "channel"),
        project=demo,
    )
    top = result.drivers[0]
    assert top.name == "version" and top.rank == 1
    assert top.lower > 0.02  # clearly more than noise
    assert top.levels[0].level == "atlas 3.2"  # the worst level first
    assert (
        top.levels[0].upper < top.levels[0].value - top.levels[0].difference
    )  # below the rest, beyond noise
    assert sum(d.share for d in result.drivers) == pytest.approx(result.r2, abs=1e-6)
    assert result.r2_lower <= result.r2 <= result.r2_upper


def test_truth_2_the_untrained_team_reopens_more(demo: Path) -> None:
    result = key_drivers(
        "reopen_rate", scope="team:T-SUP", drivers=("team", "training", "version"), project=demo
    )
    team, training = _driver(result, "team"), _driver(result, "training")
    assert team.levels[0].level == "T-SUP-LATAM"  # reopen rate is "lower is better": worst = highest
    assert team.lower > 0
    assert training.lower > 0
    assert training.levels[0].level == "untrained"
    assert training.levels[0].difference > 0.01


def test_truth_2_csat_of_the_untrained_team_is_the_lowest_once_apac_has_improved(demo: Path) -> None:
    result = key_drivers("csat", scope="team:T-SUP", period="2025", drivers=("team", "version"), project=demo)
    assert _driver(result, "team").levels[0].level == "T-SUP-LATAM"


def _reference_rows(demo: Path) -> pd.DataFrame:
    """Resolved cases of 2024 with the reopen outcome, written in plain SQL independently of cxscore."""
    with duckdb.connect(str(demo / "cxscore.duckdb"), read_only=True) as con:
        return con.sql(
            """SELECT CASE WHEN reopen_count > 0 THEN 1.0 ELSE 0.0 END AS y, channel, priority, category
               FROM cases WHERE resolved_at IS NOT NULL AND resolved_at >= '2024-01-01'
               AND CAST(resolved_at AS DATE) <= '2024-12-31'"""
        ).df()


def test_shares_from_the_engine_aggregates_equal_brute_force_statsmodels(demo: Path) -> None:
    drivers = ("channel", "priority", "category")
    result = key_drivers(
        "reopen_rate", period="2024", drivers=drivers, min_level_n=1, project=demo, resamples=20
    )
    rows = _reference_rows(demo)
    assert result.used == len(rows)
    dummies = {d: pd.get_dummies(rows[d], drop_first=True, dtype=float) for d in drivers}

    def r2(subset: tuple[str, ...]) -> float:
        if not subset:
            return 0.0
        x = sm.add_constant(pd.concat([dummies[d] for d in subset], axis=1))
        return float(sm.OLS(rows["y"], x).fit().rsquared)

    assert result.r2 == pytest.approx(r2(drivers), abs=1e-9)
    k = len(drivers)
    for j, name in enumerate(drivers):
        others = [d for d in drivers if d != name]
        expected = sum(
            factorial(size) * factorial(k - size - 1) / factorial(k) * (r2((*subset, name)) - r2(subset))
            for size in range(k)
            for subset in combinations(others, size)
        )
        assert _driver(result, name).share == pytest.approx(expected, abs=1e-8), (j, name)
    assert result.value == pytest.approx(rows["y"].mean())


def test_odds_ratios_equal_statsmodels_logit(demo: Path) -> None:
    result = key_drivers(
        "reopen_rate", period="2024", drivers=("channel",), min_level_n=1, project=demo, resamples=5
    )
    rows = _reference_rows(demo)
    reference_level = rows["channel"].value_counts().index[0]
    x = pd.get_dummies(rows["channel"], dtype=float).drop(columns=reference_level)
    fit = sm.Logit(rows["y"], sm.add_constant(x)).fit(disp=0)
    for odds in result.odds_ratios:
        assert odds.odds_ratio == pytest.approx(np.exp(fit.params[odds.term]), rel=1e-6)
    assert result.pseudo_r2 == pytest.approx(fit.prsquared, rel=1e-6)


def test_refuses_tiny_samples_and_metrics_without_one_outcome_per_fact(demo: Path) -> None:
    with pytest.raises(DiagnosisError, match="needs at least"):
        key_drivers("csat", scope="team:T-SUP-PREMIER", period="2025-03", project=demo)
    with pytest.raises(DiagnosisError, match="one outcome per fact"):
        key_drivers("expansion_arr", project=demo)
    with pytest.raises(DiagnosisError, match="Unknown driver"):
        key_drivers("csat", drivers=("moon_phase",), project=demo)
    with pytest.raises(DiagnosisError, match="not one of"):
        key_drivers("csat", scope="galaxy:far", project=demo)


def test_periods() -> None:
    assert [str(d) for d in parse_period("2024")] == ["2024-01-01", "2024-12-31"]
    assert [str(d) for d in parse_period("2024-12")] == ["2024-12-01", "2024-12-31"]
    assert [str(d) for d in parse_period("2024-Q4")] == ["2024-10-01", "2024-12-31"]
    with pytest.raises(DiagnosisError, match="2025-Q2"):
        parse_period("last year")


def test_cli_table_and_json(demo: Path) -> None:
    runner = CliRunner()
    args = ["drivers", "csat", "--scope", "team:T-SUP", "-d", "version", "-d", "team"]
    shown = runner.invoke(app, [*args, "--resamples", "20", "--project", str(demo)], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    assert "atlas 3.2" in shown.output and "share of R2" in shown.output
    printed = runner.invoke(app, [*args, "--resamples", "20", "--format", "json", "--project", str(demo)])
    assert "NaN" not in printed.output  # strict JSON: effects that do not apply are null
    data = json.loads(printed.output)
    assert data["drivers"][0]["name"] == "version" and data["scope"] == "team:T-SUP"
    failed = runner.invoke(app, ["drivers", "csat", "--period", "someday", "--project", str(demo)])
    assert failed.exit_code == 1 and "not a year" in failed.output


CHURN_FILE = "telecom_churn_calls/telecom_churn.csv"


def test_real_telecom_churn_customer_service_calls_are_a_strong_driver(datasets: Path) -> None:
    frame = read_table(datasets / CHURN_FILE)
    numeric = ["Customer service calls", "Total day minutes", "Total eve minutes", "Account length"]
    categorical = ["International plan", "Voice mail plan"]
    result = key_drivers_of_table(
        frame, "Churn", categorical=categorical, numeric=numeric, direction="lower", resamples=100
    )
    calls = _driver(result, "Customer service calls")
    assert calls.rank <= 3 and calls.lower > 0.02
    assert calls.direction == "higher raises the metric"
    odds = next(o for o in result.odds_ratios if o.driver == "Customer service calls")
    assert odds.lower > 1.3  # each call multiplies the odds of churning
    # The same model by hand: statsmodels OLS R2 and Logit on the rows.
    y = frame["Churn"].str.lower().eq("true").astype(float)
    x = pd.concat(
        [
            frame[numeric].astype(float),
            *(pd.get_dummies(frame[c], drop_first=True, dtype=float) for c in categorical),
        ],
        axis=1,
    )
    ols = sm.OLS(y, sm.add_constant(x)).fit()
    assert result.r2 == pytest.approx(ols.rsquared, abs=1e-9)
    low, high = ols.conf_int(0.05).loc["Customer service calls"]
    assert (calls.effect, calls.effect_lower, calls.effect_upper) == pytest.approx(
        (ols.params["Customer service calls"], low, high), rel=1e-6
    )
    logit = sm.Logit(y, sm.add_constant(x)).fit(disp=0)
    assert odds.odds_ratio == pytest.approx(np.exp(logit.params["Customer service calls"]), rel=1e-6)


def test_cli_file_drivers(datasets: Path) -> None:
    args = ["drivers", "--csv", str(datasets / CHURN_FILE), "--outcome", "Churn", "--lower-is-better"]
    args += [
        "-n",
        "Customer service calls",
        "-c",
        "International plan",
        "--resamples",
        "20",
        "--format",
        "json",
    ]
    shown = CliRunner().invoke(app, args)
    assert shown.exit_code == 0, shown.output
    assert {d["name"] for d in json.loads(shown.output)["drivers"]} == {
        "Customer service calls",
        "International plan",
    }
    without = CliRunner().invoke(app, ["drivers", "--csv", str(datasets / CHURN_FILE)])
    assert without.exit_code == 1 and "--outcome" in without.output


def test_before_the_defective_release_the_version_explains_little(demo: Path) -> None:
    """A negative control: in 2023 atlas 3.2 did not exist, and the weak team of that year leads (truth 3)."""
    result = key_drivers(
        "csat",
        scope="team:T-SUP",
        period="2023",
        drivers=("version", "team", "training", "resolution"),
        resamples=50,
        project=demo,
    )
    assert result.drivers[0].name == "team" and result.drivers[0].levels[0].level == "T-SUP-APAC"
    assert _driver(result, "version").share < 0.02


def test_simulated_independent_drivers_recover_their_known_shares() -> None:
    """y = 1.0 x1 + 0.5 x2 + 0 x3 + noise, all independent with unit variance: the true shares of R2 are
    1/2.25, 0.25/2.25 and 0, and R2 = 1.25/2.25."""
    rng = np.random.default_rng(11)
    n = 3000
    x = rng.normal(size=(n, 3))
    y = x @ np.array([1.0, 0.5, 0.0]) + rng.normal(size=n)
    table = pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 2], "y": y})
    result = key_drivers_of_table(table, "y", numeric=["x1", "x2", "x3"], resamples=200)
    truth = {"x1": 1 / 2.25, "x2": 0.25 / 2.25, "x3": 0.0}
    for name, share in truth.items():
        found = _driver(result, name)
        assert found.lower - 0.01 <= share <= found.upper + 0.01, (name, found)
    assert _driver(result, "x3").upper < 0.01
    assert result.r2_lower <= 1.25 / 2.25 <= result.r2_upper
    assert [d.name for d in result.drivers] == ["x1", "x2", "x3"]


def test_a_sample_only_for_the_intervals_and_the_same_one_each_time(demo: Path) -> None:
    drivers = ("version", "team", "resolution")
    everything = key_drivers("csat", scope="team:T-SUP", drivers=drivers, resamples=30, project=demo)
    sampled = key_drivers(
        "csat", scope="team:T-SUP", drivers=drivers, resamples=30, sample_size=400, project=demo
    )
    again = key_drivers(
        "csat", scope="team:T-SUP", drivers=drivers, resamples=30, sample_size=400, project=demo
    )
    assert everything.sample == everything.used and sampled.sample == 400
    assert any("random sample of 400" in note for note in sampled.notes)
    assert [d.share for d in sampled.drivers] == [
        d.share for d in everything.drivers
    ]  # shares use every fact
    assert sampled.to_dict() == again.to_dict()


def test_a_metric_is_not_its_own_driver_and_the_defect_slows_resolution(demo: Path) -> None:
    result = key_drivers(
        "time_to_resolution",
        scope="team:T-SUP",
        period="2025",
        drivers=("version", "team", "resolution"),
        resamples=30,
        project=demo,
    )
    assert [d.name for d in result.drivers] == ["version", "team"]
    assert result.drivers[0].levels[0].level == "atlas 3.2"  # the slowest: time to resolution is "lower"


def test_nps_levels_carry_the_metric_engines_interval(demo: Path) -> None:
    result = key_drivers("nps", period="2025", drivers=("segment", "team"), resamples=20, project=demo)
    segments = {v.level: v for v in _driver(result, "segment").levels}
    engine = cxscore.compute("nps", by=["segment"], grain="year", project=demo)
    engine = engine[engine["period"].astype(str).str.startswith("2025")].set_index("segment")
    named = {k: v for k, v in segments.items() if k != "(none)"}  # anonymous answers have no account
    assert len(named) == 3
    for name, level in named.items():
        row = engine.loc[name]
        assert level.n == row["n"] and level.value == pytest.approx(row["value"])
        assert (level.lower, level.upper) == pytest.approx((row["lower"], row["upper"]))
