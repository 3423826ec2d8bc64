"""The test suite's throwaway servers (tests/engines.py: PostgreSQL, Spark) for the benchmarks.

tests/engines.py is a test helper, not a package module, so it is loaded by its path.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def load() -> Any:
    """tests/engines.py as a module (loaded once per process)."""
    name = "cxscore_test_engines"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE.parent / "tests" / "engines.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
