"""Every setting the service reads from the environment is documented for deployments."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_environment_setting_is_in_the_production_guide() -> None:
    code = (ROOT / "src" / "cxscore" / "service" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'"(CXSCORE_[A-Z_]+)"', code))
    guide = (ROOT / "docs" / "how-to" / "production.md").read_text(encoding="utf-8")
    assert read, "no settings found in settings.py"
    assert not {name for name in read if name not in guide}
    assert "CXSCORE_STORE" in guide and "CXSCORE_SECRET_KEY" in guide
