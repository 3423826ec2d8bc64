"""The demo company's planted truths on fair leaderboards: the tiny lucky team (4), the improving team (3)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cxscore.cli.main import app
from cxscore.errors import ConfigError
from cxscore.rewards import Leaderboards
from cxscore.scorecards.period import Period
from cxscore.store import Project

PREMIER, APAC = "T-SUP-PREMIER", "T-SUP-APAC"


def test_the_tiny_lucky_team_is_left_out_under_the_minimum_sample(boards: Leaderboards) -> None:
    for year in ("2023", "2024", "2025"):
        board = boards.rank("csat", "team", Period.parse(year), within="T-SUP")
        left_out = {x.scope_id: x.reason for x in board.excluded}
        assert PREMIER in left_out and "under the minimum sample of 30" in left_out[PREMIER]


def test_the_tiny_lucky_team_tops_the_naive_ranking_but_not_the_fair_one(boards: Leaderboards) -> None:
    board = boards.rank("csat", "team", Period.parse("2024"), within="T-SUP", min_n=0)
    premier = board.entry(PREMIER)
    assert premier is not None
    assert premier.naive_rank == 1 and premier.rank > 1
    assert premier.shrunk < premier.value
    # In no year is it alone at the top: its luck cannot be told apart from the next team.
    for year in ("2023", "2024", "2025"):
        entries = boards.rank("csat", "team", Period.parse(year), within="T-SUP", min_n=0).entries
        assert not (entries[0].scope_id == PREMIER and entries[1].band > 1)


def test_the_improving_team_goes_from_last_to_first(boards: Leaderboards) -> None:
    first = boards.rank("csat", "team", Period.parse("2023"), within="T-SUP")
    last = boards.rank("csat", "team", Period.parse("2025"), within="T-SUP")
    assert first.entries[-1].scope_id == APAC and first.entries[-1].band > first.entries[0].band
    assert last.entries[0].scope_id == APAC and last.entries[1].band == 2


def test_teams_default_to_leaves_and_people_follow_their_team(boards: Leaderboards) -> None:
    year = Period.parse("2025")
    ids = {e.scope_id for e in boards.rank("csat", "team", year).entries}
    assert "T-SUP" not in ids and "T-COMPANY" not in ids and APAC in ids
    people = boards.rank("csat", "person", year, within=APAC, min_n=10)
    members = boards.peers("person", APAC, year.end)
    assert people.entries and members is not None
    assert {e.scope_id for e in people.entries} <= members
    with pytest.raises(ConfigError, match="T-NOPE"):
        boards.rank("csat", "team", year, within="T-NOPE")
    with pytest.raises(ConfigError, match="Cannot rank by 'region'"):
        boards.rank("csat", "region", year)


def test_nps_by_person_shows_the_industry_formula(boards: Leaderboards) -> None:
    board = boards.rank("nps", "person", Period.parse("2025-Q4"))
    assert board.model == "dirichlet_multinomial" and board.entries
    for e in board.entries:
        assert e.industry_score == pytest.approx(e.value - 160 / e.n**0.5)
        assert e.lower <= e.value <= e.upper and e.shrunk_lower <= e.shrunk <= e.shrunk_upper


def test_a_gross_retention_is_never_shrunk_past_100_percent(boards: Leaderboards) -> None:
    """The ranking clips to the metric's bounds, not the kind's: in 2025 the sales rep keeping 98.4% of
    43 accounts' ARR had a shrunk interval of 85% to 107% when it knew only 'retention'."""
    year = Period.parse("2025")
    gross = boards.rank("gross_revenue_retention", "person", year).entries
    assert gross and all(0.0 <= e.shrunk_lower <= e.shrunk <= e.shrunk_upper <= 1.0 for e in gross)
    assert any(e.shrunk_upper == 1.0 for e in gross)
    net = boards.rank("net_revenue_retention", "person", year).entries  # expansion counts: no top
    assert max(e.shrunk_upper for e in net) > 1.0


def test_the_command_in_three_formats(demo: Project) -> None:
    runner = CliRunner()
    base = ["rank", "csat", "--by", "team", "--period", "2025", "--within", "T-SUP", "-p", str(demo.root)]
    result = runner.invoke(app, [*base, "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["entries"][0]["scope_id"] == APAC
    assert document["excluded"][0] == {
        "scope_id": PREMIER, "name": document["excluded"][0]["name"], "value": pytest.approx(8 / 12), "n": 12,
        "reason": "n=12 is under the minimum sample of 30",
    }  # fmt: skip
    result = runner.invoke(app, [*base, "--format", "csv"])
    assert result.exit_code == 0 and result.output.startswith("metric,period,rank,band,scope_id,name,value")
    result = runner.invoke(app, base, env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "Left out: Support Premier (T-SUP-PREMIER)" in result.output
    result = runner.invoke(app, ["rank", "csat", "--period", "2025-Q9", "-p", str(demo.root)])
    assert result.exit_code == 1 and "2025-Q9" in result.output
