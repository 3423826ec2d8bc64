"""Each planted truth of the demo company shows in a simple SQL aggregate over the generated data."""

from __future__ import annotations

import math

import duckdb

CSAT = "avg(CASE WHEN r.csat >= 4 THEN 1.0 WHEN r.csat IS NOT NULL THEN 0.0 END)"
REGIONAL = "('T-SUP-EMEA', 'T-SUP-NA', 'T-SUP-APAC', 'T-SUP-LATAM')"


def rows(sql: duckdb.DuckDBPyConnection, query: str) -> dict[object, tuple[object, ...]]:
    """The query's rows keyed by their first column."""
    return {row[0]: row[1:] for row in sql.execute(query).fetchall()}


def test_1_csat_on_the_defective_version_is_lower_for_every_support_team(
    sql: duckdb.DuckDBPyConnection,
) -> None:
    by_team = rows(
        sql,
        f"""
        SELECT c.team_id, {CSAT} FILTER (WHERE c.version = '3.2'), {CSAT} FILTER (WHERE c.version <> '3.2'),
               count(r.csat) FILTER (WHERE c.version = '3.2')
        FROM cases c JOIN responses r USING (case_id) WHERE c.product_id = 'atlas' GROUP BY 1""",
    )
    measured = {team: v for team, v in by_team.items() if v[2] >= 5}  # too few answers say nothing
    assert set(measured) >= {"T-SUP-EMEA", "T-SUP-NA", "T-SUP-APAC", "T-SUP-LATAM"}
    assert all(on_defect < elsewhere - 0.1 for on_defect, elsewhere, _ in measured.values())


def test_2_the_untrained_team_has_no_training_lower_csat_and_more_reopens(
    sql: duckdb.DuckDBPyConnection,
) -> None:
    trained = sql.execute("""
        SELECT count(*) FROM trainings WHERE person_id IN
            (SELECT person_id FROM memberships WHERE team_id = 'T-SUP-LATAM')""").fetchone()
    assert trained == (0,)
    by_team = rows(
        sql,
        f"""
        SELECT c.team_id, {CSAT}, avg(CASE WHEN c.reopen_count > 0 THEN 1.0 ELSE 0.0 END)
        FROM cases c LEFT JOIN responses r USING (case_id) WHERE c.team_id IN {REGIONAL} GROUP BY 1""",
    )
    latam_csat, latam_reopen = by_team.pop("T-SUP-LATAM")
    assert all(latam_csat < csat and latam_reopen > reopen for csat, reopen in by_team.values())


def test_3_the_improving_team_rises_every_year(sql: duckdb.DuckDBPyConnection) -> None:
    by_year = rows(
        sql,
        f"""
        SELECT year(r.responded_at), {CSAT} FROM responses r
        WHERE r.team_id = 'T-SUP-APAC' AND r.survey_id = 'case-csat' GROUP BY 1""",
    )
    assert by_year[2023][0] < by_year[2024][0] < by_year[2025][0]
    assert by_year[2025][0] - by_year[2023][0] > 0.15


def test_4_the_tiny_team_tops_the_raw_ranking_within_noise(sql: duckdb.DuckDBPyConnection) -> None:
    people = sql.execute("SELECT count(DISTINCT person_id) FROM memberships WHERE team_id = 'T-SUP-PREMIER'")
    assert people.fetchone()[0] <= 3
    by_team = rows(
        sql,
        f"""
        SELECT r.team_id, {CSAT}, count(*) FROM responses r
        WHERE r.survey_id = 'case-csat' AND r.team_id LIKE 'T-SUP-%' GROUP BY 1""",
    )
    premier, n = by_team.pop("T-SUP-PREMIER")
    assert n < 150 and all(premier > csat for csat, _ in by_team.values())
    company = sql.execute(f"SELECT {CSAT} FROM responses r WHERE r.survey_id = 'case-csat'").fetchone()[0]
    # a 95% Wilson interval around the tiny team's score still holds the company average: it is noise
    z = 1.96
    centre = (premier + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(premier * (1 - premier) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert centre - half < company


def test_5_the_new_logo_sales_team_books_most_but_keeps_least(sql: duckdb.DuckDBPyConnection) -> None:
    as_of = """JOIN memberships m ON m.person_id = {person} AND {day} >= m.valid_from
               AND (m.valid_to IS NULL OR {day} <= m.valid_to)"""
    new_arr = rows(
        sql,
        f"""
        SELECT m.team_id, sum(k.arr) FROM contracts k
        {as_of.format(person="k.credited_person_id", day="k.booked_on")}
        WHERE k.kind = 'new_business' AND k.booked_on >= DATE '2023-01-01' GROUP BY 1""",
    )
    assert max(new_arr, key=lambda team: new_arr[team][0]) == "T-SALES-NA"
    renewal = rows(
        sql,
        f"""
        SELECT m.team_id, avg(CASE WHEN k.renewal_outcome = 'churned' THEN 0.0 ELSE 1.0 END)
        FROM contracts k JOIN account_owners o ON o.account_id = k.account_id
             AND k.end_date - 30 >= o.valid_from AND (o.valid_to IS NULL OR k.end_date - 30 <= o.valid_to)
        {as_of.format(person="o.person_id", day="k.end_date - 30")}
        WHERE k.renewal_outcome IN ('renewed', 'expanded', 'contracted', 'churned') GROUP BY 1""",
    )
    na = renewal.pop("T-SALES-NA")[0]
    assert all(na < rate - 0.05 for team, (rate,) in renewal.items() if team.startswith("T-SALES-"))
    touches = rows(
        sql,
        f"""
        SELECT m.team_id, count(*) / count(DISTINCT a.account_id) FROM activities a
        {as_of.format(person="a.person_id", day="CAST(a.occurred_at AS DATE)")} GROUP BY 1""",
    )
    na_touches = touches.pop("T-SALES-NA")[0]
    assert all(na_touches < n / 2 for team, (n,) in touches.items() if team.startswith("T-SALES-"))


def test_6_the_agent_who_surveys_only_happy_customers(sql: duckdb.DuckDBPyConnection) -> None:
    by_agent = rows(
        sql,
        f"""
        SELECT c.agent_id, count(i.invitation_id) / count(*), {CSAT}, count(*) FROM cases c
        LEFT JOIN invitations i USING (case_id) LEFT JOIN responses r USING (invitation_id)
        WHERE c.team_id = 'T-SUP-EMEA' GROUP BY 1 HAVING count(*) >= 100""",
    )
    agent = sql.execute("""SELECT min(person_id) FROM memberships
                           WHERE team_id = 'T-SUP-EMEA' AND role_id = 'support_agent'""").fetchone()[0]
    rate, csat, _ = by_agent.pop(agent)
    assert all(rate < peer_rate - 0.1 for peer_rate, _, _ in by_agent.values())
    assert csat > sum(c for _, c, _ in by_agent.values()) / len(by_agent)


def test_7_december_dips_and_the_first_quarter_peaks(sql: duckdb.DuckDBPyConnection) -> None:
    december, other = sql.execute(f"""
        SELECT {CSAT} FILTER (WHERE month(c.opened_at) = 12), {CSAT} FILTER (WHERE month(c.opened_at) <> 12)
        FROM cases c JOIN responses r USING (case_id)""").fetchone()
    assert december < other - 0.05
    by_quarter = rows(sql, "SELECT quarter(opened_at), count(*) FROM cases GROUP BY 1")
    assert all(by_quarter[1][0] > by_quarter[q][0] for q in (2, 3, 4))


def test_people_change_teams_and_credit_follows_the_date(sql: duckdb.DuckDBPyConnection) -> None:
    movers = sql.execute(
        "SELECT count(*) FROM (SELECT person_id FROM memberships GROUP BY 1 "
        "HAVING count(DISTINCT team_id) > 1)"
    )
    assert movers.fetchone()[0] >= 2
    wrong = sql.execute("""
        SELECT count(*) FROM invitations i
        WHERE i.credited_person_id IS NOT NULL AND i.credited_team_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = i.credited_person_id
              AND m.team_id = i.credited_team_id AND CAST(i.sent_at AS DATE) >= m.valid_from
              AND (m.valid_to IS NULL OR CAST(i.sent_at AS DATE) <= m.valid_to))""")
    assert wrong.fetchone() == (0,)
    changed_owner = sql.execute(
        "SELECT count(*) FROM (SELECT account_id FROM account_owners GROUP BY 1 "
        "HAVING count(DISTINCT person_id) > 1)"
    )
    assert changed_owner.fetchone()[0] > 0


def test_anonymous_answers_lead_to_no_one(sql: duckdb.DuckDBPyConnection) -> None:
    anonymous, linked = sql.execute("""
        SELECT count(*), count(contact_id) + count(person_id) + count(invitation_id) + count(case_id)
        FROM responses WHERE anonymous""").fetchone()
    assert anonymous > 0 and linked == 0
