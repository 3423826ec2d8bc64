"""Quoting for the SQL the importer generates (DuckDB dialect)."""

from __future__ import annotations

__all__ = ["ident", "literal"]


def ident(name: str) -> str:
    '''A quoted SQL identifier.

    >>> print(ident('Customer "ID"'))
    "Customer ""ID"""
    '''
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """A quoted SQL string literal.

    >>> print(literal("O'Brien"))
    'O''Brien'
    """
    return "'" + value.replace("'", "''") + "'"
