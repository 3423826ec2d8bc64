"""cxscore: measure customer experience honestly and tie every role's performance to it.

`cxscore.compute("nps", by=["team"], grain="quarter")` computes a metric of the project in the current
folder; it is imported on first use so that `import cxscore` (and the CLI) stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cxscore.metrics.api import compute

__version__ = "0.1.0"

__all__ = ["__version__", "compute"]


def __getattr__(name: str) -> Any:
    if name == "compute":
        from cxscore.metrics.api import compute

        return compute
    raise AttributeError(f"module 'cxscore' has no attribute {name!r}")
