"""Rewards: fair rankings that do not reward noise."""

from __future__ import annotations
