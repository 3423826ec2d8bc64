"""The example plans shipped with cxscore (`cxscore/plans/defaults/`), written into the demo's `plans/`.

Unlike metrics or recognition programs, plans are never applied from the package: pay follows only the
files of a project's own `plans/` folder, so that every payout comes from a file the company can review.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["DEMO_PLANS", "install_demo_plans", "shipped_plan"]

#: Shipped file -> its name in the demo project's plans/ folder.
DEMO_PLANS = {
    "meridian_sales_current.yml": "current.yml",
    "meridian_sales_proposed.yml": "proposed.yml",
}


def shipped_plan(name: str) -> str:
    """The text of a shipped plan file.

    >>> "status: proposal" in shipped_plan("meridian_sales_proposed.yml")
    True
    """
    return (resources.files("cxscore.plans") / "defaults" / name).read_text(encoding="utf-8")


def install_demo_plans(root: Path) -> list[Path]:
    """Write the demo company's plans into `root/plans/`, leaving files already there untouched."""
    folder = root / "plans"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for shipped, target in DEMO_PLANS.items():
        path = folder / target
        if not path.exists():
            path.write_text(shipped_plan(shipped), encoding="utf-8")
            written.append(path)
    return written
