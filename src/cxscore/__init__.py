"""cxscore: measure customer experience honestly and tie every role's performance to it."""

from __future__ import annotations

__version__ = "0.1.0"
