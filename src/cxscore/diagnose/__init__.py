"""Diagnosis: what drives a metric (key drivers), and later what holds a team back.

>>> from cxscore.diagnose import Scope
>>> str(Scope.parse("team:T-SUP-EMEA"))
'team:T-SUP-EMEA'
"""

from __future__ import annotations

from cxscore.diagnose.drivers import DriverImportance, KeyDrivers, LevelValue, OddsRatio, key_drivers
from cxscore.diagnose.facts import Driver, Scope
from cxscore.diagnose.importance import relative_weights, shapley_r2
from cxscore.diagnose.period import parse_period

__all__ = [
    "Driver",
    "DriverImportance",
    "KeyDrivers",
    "LevelValue",
    "OddsRatio",
    "Scope",
    "key_drivers",
    "parse_period",
    "relative_weights",
    "shapley_r2",
]
