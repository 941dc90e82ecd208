"""Engines: the only package that knows which database runs the expressions."""

from __future__ import annotations

from craftveil.engine.base import CsvFormat, Engine, LogicalType, SourceFile
from craftveil.engine.duckdb_engine import DuckDBEngine
from craftveil.errors import CraftveilError

ENGINES = {"duckdb": DuckDBEngine}


def make_engine(name: str = "duckdb") -> Engine:
    """An engine by name (only DuckDB so far; Spark plugs in here)."""
    try:
        return ENGINES[name]()
    except KeyError:
        raise CraftveilError(f"unknown engine '{name}' (available: {', '.join(ENGINES)})") from None


__all__ = ["CsvFormat", "DuckDBEngine", "Engine", "LogicalType", "SourceFile", "make_engine"]
