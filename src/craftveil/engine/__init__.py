"""Engines: the only package that knows which database runs the expressions."""

from __future__ import annotations

from pathlib import Path

from craftveil.engine.base import CsvFormat, Engine, LogicalType, SourceFile
from craftveil.engine.duckdb_engine import DuckDBEngine
from craftveil.errors import CraftveilError

ENGINES = {"duckdb": DuckDBEngine}


def make_engine(name: str = "duckdb", *, temp_directory: Path | None = None) -> Engine:
    """An engine by name (only DuckDB so far; Spark plugs in here).

    ``temp_directory``: where the engine may spill intermediate data (a release puts it inside
    its temporary directory, so a failed run leaves nothing behind).
    """
    try:
        engine_class = ENGINES[name]
    except KeyError:
        raise CraftveilError(f"unknown engine '{name}' (available: {', '.join(ENGINES)})") from None
    return engine_class(temp_directory=temp_directory)


__all__ = ["CsvFormat", "DuckDBEngine", "Engine", "LogicalType", "SourceFile", "make_engine"]
