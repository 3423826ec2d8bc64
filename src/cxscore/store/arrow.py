"""Rows on their way into the store: Arrow tables conformed to a canonical table's columns and types.

Every engine loads the same conformed Arrow table, so what is stored cannot depend on the engine.

>>> import pyarrow as pa
>>> from cxscore.model import table
>>> rows = conform(table("products"), pa.table({"name": ["Atlas"], "product_id": ["atlas"]}))
>>> rows.column_names[:2], rows.num_rows
(['product_id', 'name'], 1)
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from cxscore.errors import LoadError
from cxscore.model import Kind, Table

__all__ = ["ARROW_TYPES", "arrow_schema", "conform"]

#: The Arrow type each column kind is stored as; timestamps are naive, in UTC, to the microsecond.
ARROW_TYPES: dict[Kind, pa.DataType] = {
    Kind.STRING: pa.string(),
    Kind.INTEGER: pa.int64(),
    Kind.FLOAT: pa.float64(),
    Kind.BOOLEAN: pa.bool_(),
    Kind.DATE: pa.date32(),
    Kind.TIMESTAMP: pa.timestamp("us"),
}


def arrow_schema(table: Table) -> pa.Schema:
    """The Arrow schema of a canonical table, columns in the model's order."""
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.kind]) for c in table.columns])


def conform(table: Table, data: pa.Table) -> pa.Table:
    """`data` with the model's columns in the model's order and types; absent columns become nulls.

    A column the model does not have is refused rather than dropped, so no value is lost silently;
    time-zone-aware timestamps are converted to UTC.
    """
    names = data.column_names
    duplicates = sorted({n for n in names if names.count(n) > 1})
    unknown = [n for n in names if not table.has_column(n)]
    if duplicates or unknown:
        problem = f"has the column(s) {', '.join(duplicates)} twice" if duplicates else ""
        problem = problem or f"has column(s) {', '.join(unknown)} that table '{table.name}' does not have"
        raise LoadError(
            f"Cannot load rows into '{table.name}': the data {problem} "
            f"(columns: {', '.join(table.column_names)}). Rename or drop them first."
        )
    schema = arrow_schema(table)
    arrays = [_column(table, data, field) for field in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def _column(table: Table, data: pa.Table, field: pa.Field[Any]) -> pa.ChunkedArray[Any] | pa.Array[Any]:
    if field.name not in data.column_names:
        nulls: pa.Array[Any] = pa.nulls(data.num_rows, field.type)
        return nulls
    values = data.column(field.name)
    if values.type == field.type:
        return values
    if pa.types.is_timestamp(values.type) and values.type.tz is not None:
        values = values.cast(pa.timestamp(values.type.unit, tz="UTC")).cast(pa.timestamp(values.type.unit))
    try:
        return values.cast(field.type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise LoadError(
            f"Cannot load column '{field.name}' of '{table.name}': its {values.type} values do not "
            f"convert to {field.type} ({error}). Convert the column before loading."
        ) from None
