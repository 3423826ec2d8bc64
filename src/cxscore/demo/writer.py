"""Bulk writing of generated columns into the store: one Arrow chunk, one INSERT, never row by row.

Generators hand over whole columns as numpy arrays. Ids travel as integers and are formatted by DuckDB
(`Ids`), repeated labels travel as dictionary codes (`Labels`), so a chunk of a quarter of a million rows
costs a few integer arrays rather than millions of Python strings.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from cxscore.model import TABLES, Kind
from cxscore.store import Store

__all__ = ["Derived", "Ids", "Labels", "Values", "Writer"]


@dataclass(frozen=True)
class Ids:
    """Ids made from 0-based row indexes: index i is written `prefix` + zero-padded i+1; negative is NULL.

    >>> Ids("P-", 5, np.array([41])).sql("x")
    "CASE WHEN x < 0 THEN NULL ELSE printf('P-%05d', x + 1) END"
    """

    prefix: str
    width: int
    index: npt.NDArray[np.int64]

    def sql(self, name: str) -> str:
        return f"CASE WHEN {name} < 0 THEN NULL ELSE printf('{self.prefix}%0{self.width}d', {name} + 1) END"


@dataclass(frozen=True)
class Labels:
    """Values taken from a short list of labels by code; a negative code is NULL."""

    labels: Sequence[str]
    codes: npt.NDArray[np.int64]

    def arrow(self) -> pa.Array[Any]:
        codes = np.asarray(self.codes)
        indices: Any = pa.array(np.where(codes < 0, 0, codes).astype(np.int32), mask=codes < 0)
        labels: Any = pa.array(list(self.labels), pa.string())
        array: pa.Array[Any] = pa.DictionaryArray.from_arrays(indices, labels)
        return array


@dataclass(frozen=True)
class Derived:
    """A column DuckDB computes from helper columns, e.g. an e-mail address from the parts of a name.

    `sql` names the helpers as `{name}` placeholders; the helpers travel in the chunk but are not stored.
    """

    sql: str
    inputs: Mapping[str, Ids | Labels | npt.NDArray[Any]]


Values: TypeAlias = "Ids | Labels | Derived | npt.NDArray[Any] | pa.Array[Any] | Sequence[Any]"


class Writer:
    """Appends chunks of columns to the canonical tables of a DuckDB store and counts the rows written.

    The inserts run on a background thread, so DuckDB stores one chunk while numpy computes the next
    (DuckDB releases the GIL while it works). Use it as a context manager: leaving the block waits for
    every insert and re-raises the first one that failed.
    """

    def __init__(self, store: Store) -> None:
        self._raw = store.con.con
        self.rows: Counter[str] = Counter()
        self._queue: queue.Queue[tuple[str, pa.Table, str] | None] = queue.Queue(maxsize=2)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._insert_all, name="demo-writer", daemon=True)
        self._thread.start()

    def __enter__(self) -> Writer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def write(self, table: str, columns: Mapping[str, Values]) -> None:
        """Queue one chunk; columns the model has but `columns` lacks are NULL, unknown ones an error."""
        model = TABLES[table]
        unknown = set(columns) - set(model.column_names)
        if unknown:
            raise ValueError(f"Table '{table}' has no columns {sorted(unknown)}.")
        arrays: dict[str, pa.Array[Any]] = {}
        select: list[str] = []
        for column in model.columns:
            value = columns.get(column.name)
            if value is None:
                select.append(f"CAST(NULL AS {column.kind.sql})")
                continue
            if isinstance(value, Derived):
                parts = {}
                for part, given in value.inputs.items():
                    helper = f"__{column.name}_{part}"
                    arrays[helper] = _arrow(given, Kind.INTEGER)
                    parts[part] = given.sql(f'"{helper}"') if isinstance(given, Ids) else f'"{helper}"'
                expression = value.sql.format(**parts)
            else:
                arrays[column.name] = _arrow(value, column.kind)
                expression = value.sql(f'"{column.name}"') if isinstance(value, Ids) else f'"{column.name}"'
            select.append(f"CAST({expression} AS {column.kind.sql})")
        chunk = pa.table(arrays)
        if chunk.num_rows == 0:
            return
        self._check()
        self._queue.put((table, chunk, f'INSERT INTO "{table}" SELECT {", ".join(select)} FROM __demo_chunk'))
        self.rows[table] += chunk.num_rows

    def close(self) -> None:
        """Wait for every queued insert; raise the first failure, if any."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        self._check()

    def _check(self) -> None:
        if self._failure is not None:
            raise self._failure

    def _insert_all(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._failure is not None:
                continue  # drain the queue so the producer never blocks
            _, chunk, sql = item
            try:
                self._raw.register("__demo_chunk", chunk)
                try:
                    self._raw.execute(sql)
                finally:
                    self._raw.unregister("__demo_chunk")
            except BaseException as error:  # handed to the producer thread
                self._failure = error


def _arrow(value: Values, kind: Kind) -> pa.Array[Any]:
    converted: Any
    if isinstance(value, Ids):
        converted = pa.array(np.asarray(value.index, dtype=np.int64))
    elif isinstance(value, Labels):
        converted = value.arrow()
    elif isinstance(value, pa.Array):
        converted = value
    elif isinstance(value, Derived):
        raise TypeError("a Derived column is expanded into its inputs by Writer.write")
    else:
        array = np.asarray(value)
        if kind.is_temporal and array.dtype.kind in "iu":  # day numbers or seconds; negative is NULL
            unit = "datetime64[D]" if kind is Kind.DATE else "datetime64[s]"
            converted = pa.array(array.astype(unit), mask=array < 0)
        else:
            converted = pa.array(array if array.dtype != object else list(array))
    return converted  # type: ignore[no-any-return]
