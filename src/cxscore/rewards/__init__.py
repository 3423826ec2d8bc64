"""Rewards: fair rankings that do not reward noise, and the recognition programs built on them.

>>> from cxscore.rewards import fit_beta_binomial
>>> fit_beta_binomial([45, 30, 18, 88, 9], [50, 40, 30, 100, 10]).method
'maximum_likelihood'
"""

from __future__ import annotations

from cxscore.rewards.leaderboard import RANKED_SCOPES, Leaderboards, rank
from cxscore.rewards.posterior import Posterior, beta_posterior, dirichlet_posterior, normal_posterior
from cxscore.rewards.priors import BetaPrior, DirichletPrior, fit_beta_binomial, fit_dirichlet_multinomial
from cxscore.rewards.ranking import Entry, Exclusion, Ranking, industry_nps_score, rank_frame

__all__ = [
    "RANKED_SCOPES",
    "BetaPrior",
    "DirichletPrior",
    "Entry",
    "Exclusion",
    "Leaderboards",
    "Posterior",
    "Ranking",
    "beta_posterior",
    "dirichlet_posterior",
    "fit_beta_binomial",
    "fit_dirichlet_multinomial",
    "industry_nps_score",
    "normal_posterior",
    "rank",
    "rank_frame",
]
