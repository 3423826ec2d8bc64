"""Diagnosis: what drives a metric (key drivers), what holds a team back (obstacle verdicts), which survey
patterns are worth a look (integrity checks) and what customers write about (verbatims).

>>> from cxscore.diagnose import Scope
>>> str(Scope.parse("team:T-SUP-EMEA"))
'team:T-SUP-EMEA'
"""

from __future__ import annotations

from cxscore.diagnose.drivers import DriverImportance, KeyDrivers, LevelValue, OddsRatio, key_drivers
from cxscore.diagnose.facts import Driver, Scope
from cxscore.diagnose.gap import Component, Contribution, VarianceComponent
from cxscore.diagnose.importance import relative_weights, shapley_r2
from cxscore.diagnose.integrity import CHECKS, Finding, IntegrityCheck, IntegrityReport, integrity
from cxscore.diagnose.mixed import MixedFit, fit_cells
from cxscore.diagnose.obstacles import ObstacleVerdict, obstacles
from cxscore.diagnose.period import parse_period
from cxscore.diagnose.tabular import key_drivers_of_table, read_table
from cxscore.diagnose.text import detect_language, mask_personal_data, sentiment
from cxscore.diagnose.verbatims import (
    Comment,
    Score,
    Topic,
    TouchpointView,
    VerbatimReport,
    analyse_verbatims,
    read_verbatims_csv,
    verbatims,
)

__all__ = [
    "CHECKS",
    "Comment",
    "Component",
    "Contribution",
    "Driver",
    "DriverImportance",
    "Finding",
    "IntegrityCheck",
    "IntegrityReport",
    "KeyDrivers",
    "LevelValue",
    "MixedFit",
    "ObstacleVerdict",
    "OddsRatio",
    "Scope",
    "Score",
    "Topic",
    "TouchpointView",
    "VarianceComponent",
    "VerbatimReport",
    "analyse_verbatims",
    "detect_language",
    "fit_cells",
    "integrity",
    "key_drivers",
    "key_drivers_of_table",
    "mask_personal_data",
    "obstacles",
    "parse_period",
    "read_table",
    "read_verbatims_csv",
    "relative_weights",
    "sentiment",
    "shapley_r2",
    "verbatims",
]
