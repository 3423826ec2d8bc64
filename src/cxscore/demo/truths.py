"""The truths planted in the demo company, so that metrics, diagnosis and rewards can be checked on it.

Each truth names the ids involved, the size of the effect as planted, and one SQL query that measures it
on the generated data (the summary shows the measured value; `docs/demo-company.md` explains them).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TRUTHS", "PlantedTruth"]


@dataclass(frozen=True)
class PlantedTruth:
    """One planted effect: what, where, how big as planted, and a query measuring it (one text value)."""

    number: int
    title: str
    ids: str
    planted: str
    measure: str


_CSAT = "100.0 * avg(CASE WHEN r.csat >= 4 THEN 1.0 WHEN r.csat IS NOT NULL THEN 0.0 END)"

TRUTHS: tuple[PlantedTruth, ...] = (
    PlantedTruth(
        1,
        "A defective version drags CSAT down for every support team",
        "product atlas, version 3.2 (released 2024-02-12, fixed by 3.3 on 2024-09-16)",
        "latent satisfaction -1.1 on cases about atlas 3.2; more defects, reopens, slower resolution",
        f"""SELECT printf('CSAT %.0f%% on atlas 3.2 (n=%d) vs %.0f%% on other atlas cases (n=%d)',
            {_CSAT} FILTER (WHERE c.version = '3.2'), count(*) FILTER (WHERE c.version = '3.2'),
            {_CSAT} FILTER (WHERE c.version <> '3.2'), count(*) FILTER (WHERE c.version <> '3.2'))
        FROM responses r JOIN cases c USING (case_id) WHERE r.csat IS NOT NULL AND c.product_id = 'atlas'""",
    ),
    PlantedTruth(
        2,
        "An untrained support team scores lower and reopens more",
        "team T-SUP-LATAM (Support LATAM): no `trainings` rows for anyone who was ever in it",
        "latent -0.5, first responses 1.5x slower, resolution 1.4x slower, reopen rate +10 points",
        f"""SELECT printf('Support LATAM: CSAT %.0f%%, reopen rate %.1f%%; others: %.0f%%, %.1f%%',
            max(csat) FILTER (WHERE latam), max(reopen) FILTER (WHERE latam),
            max(csat) FILTER (WHERE NOT latam), max(reopen) FILTER (WHERE NOT latam))
        FROM (SELECT c.team_id = 'T-SUP-LATAM' AS latam, {_CSAT} AS csat,
                     100.0 * avg(CASE WHEN c.reopen_count > 0 THEN 1 ELSE 0 END) AS reopen
              FROM cases c LEFT JOIN responses r USING (case_id)
              WHERE c.team_id IN ('T-SUP-EMEA', 'T-SUP-NA', 'T-SUP-APAC', 'T-SUP-LATAM') GROUP BY 1)""",
    ),
    PlantedTruth(
        3,
        "A support team that truly improves year over year",
        "team T-SUP-APAC (Support APAC), after a 2023-2024 training programme",
        "latent -1.0 (2023), -0.3 (2024), +0.5 (2025); first response 1.6x, 1.15x, 0.8x the usual time",
        f"""SELECT string_agg(printf('%d: %.0f%% (n=%d)', y, csat, n), ', ' ORDER BY y)
        FROM (SELECT year(r.responded_at) AS y, {_CSAT} AS csat, count(*) AS n
              FROM responses r WHERE r.team_id = 'T-SUP-APAC' AND r.csat IS NOT NULL
                AND r.survey_id = 'case-csat' AND year(r.responded_at) BETWEEN 2023 AND 2025 GROUP BY 1)""",
    ),
    PlantedTruth(
        4,
        "A tiny team that looks great only by luck",
        "team T-SUP-PREMIER (Support Premier): 2 agents, about 25 cases a year on 4 strategic accounts",
        "true satisfaction = company average; the observed sample is as lucky as the luckiest team in ten",
        f"""SELECT printf('Support Premier CSAT %.0f%% on n=%d responses; all case responses %.0f%% (n=%d)',
            {_CSAT} FILTER (WHERE r.team_id = 'T-SUP-PREMIER'),
            count(*) FILTER (WHERE r.team_id = 'T-SUP-PREMIER'),
            {_CSAT}, count(*))
        FROM responses r WHERE r.survey_id = 'case-csat' AND r.csat IS NOT NULL""",
    ),
    PlantedTruth(
        5,
        "A sales team paid on new logos neglects renewals",
        "team T-SALES-NA (Sales North America)",
        "30% more new logos and 1.3x their ARR; churn odds x3, expansion 8% instead of 24%, "
        "a quarter of the post-sale activities",
        """SELECT printf('Sales NA: renewal rate %.0f%% on %d terms; other sales teams: %.0f%% on %d terms',
            100.0 * avg(renewed) FILTER (WHERE na), count(*) FILTER (WHERE na),
            100.0 * avg(renewed) FILTER (WHERE NOT na), count(*) FILTER (WHERE NOT na))
        FROM (SELECT m.team_id = 'T-SALES-NA' AS na,
                     CASE WHEN k.renewal_outcome = 'churned' THEN 0.0 ELSE 1.0 END AS renewed
              FROM contracts k
              JOIN account_owners o ON o.account_id = k.account_id AND k.end_date - 30 >= o.valid_from
                   AND (o.valid_to IS NULL OR k.end_date - 30 <= o.valid_to)
              JOIN memberships m ON m.person_id = o.person_id AND k.end_date - 30 >= m.valid_from
                   AND (m.valid_to IS NULL OR k.end_date - 30 <= m.valid_to)
              WHERE k.renewal_outcome IN ('renewed', 'expanded', 'contracted', 'churned')
                AND m.team_id LIKE 'T-SALES-%')""",
    ),
    PlantedTruth(
        6,
        "An agent who only surveys happy customers",
        "the support agent of team T-SUP-EMEA with the lowest person id",
        "invites 93% of cases answered within a day, resolved within two and never reopened, 5% of the "
        "others; peers invite 93% of all",
        f"""SELECT printf('%s: invitation rate %.0f%%, CSAT %.0f%%; Support EMEA peers: %.0f%%, %.0f%%',
            max(agent) FILTER (WHERE me), max(rate) FILTER (WHERE me), max(csat) FILTER (WHERE me),
            avg(rate) FILTER (WHERE NOT me), avg(csat) FILTER (WHERE NOT me))
        FROM (SELECT c.agent_id AS agent, c.agent_id = (SELECT min(person_id) FROM memberships
                     WHERE team_id = 'T-SUP-EMEA' AND role_id = 'support_agent') AS me,
                     100.0 * count(DISTINCT i.invitation_id) / count(DISTINCT c.case_id) AS rate,
                     {_CSAT} AS csat
              FROM cases c LEFT JOIN invitations i USING (case_id) LEFT JOIN responses r USING (invitation_id)
              WHERE c.team_id = 'T-SUP-EMEA' GROUP BY 1 HAVING count(DISTINCT c.case_id) >= 50)""",
    ),
    PlantedTruth(
        7,
        "Seasonality: a December dip in CSAT and a Q1 peak in case volume",
        "every support team; cases opened in December and in January-March",
        "December: first responses 2x slower and latent -0.5; case volume x1.3 in Q1, x0.8 in December",
        f"""SELECT printf('CSAT %.0f%% in December vs %.0f%% in other months; %.0f%% of cases open in Q1',
            {_CSAT} FILTER (WHERE month(c.opened_at) = 12), {_CSAT} FILTER (WHERE month(c.opened_at) <> 12),
            100.0 * count(DISTINCT c.case_id) FILTER (WHERE month(c.opened_at) <= 3)
                / count(DISTINCT c.case_id))
        FROM cases c LEFT JOIN responses r USING (case_id)""",
    ),
)
