"""Rankings and awards as plain rows: JSON and CSV text, with NaN written as empty (null), never as NaN."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from typing import Any

__all__ = ["to_csv", "to_json"]


def clean(value: Any) -> Any:
    """NaN and infinities become None, recursively, so the JSON is valid.

    >>> clean({"a": [1.0, float("nan")]})
    {'a': [1.0, None]}
    """
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def to_json(document: Any) -> str:
    return json.dumps(clean(document), indent=2, default=str) + "\n"


def to_csv(rows: Sequence[dict[str, Any]]) -> str:
    """One line per row; the columns are every key of every row, in order of first appearance.

    >>> print(to_csv([{"rank": 1, "name": "a"}, {"rank": None, "name": "b", "reason": "n=2"}]), end="")
    rank,name,reason
    1,a,
    ,b,n=2
    """
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows([{k: ("" if v is None else v) for k, v in clean(row).items()} for row in rows])
    return buffer.getvalue()
