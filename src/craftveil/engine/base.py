"""The engine seam: everything engine-specific sits behind :class:`Engine`.

Operators and steps build Ibis expressions; only engines execute, read and write them, so a Spark
engine can be added without touching operators or steps (PipelineDP's "one small backend seam").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import ibis
import pyarrow as pa

LogicalType = Literal["text", "integer", "decimal", "date", "timestamp", "boolean"]


@dataclass(frozen=True)
class CsvFormat:
    delimiter: str = ","
    quote: str = '"'
    header: bool = True
    encoding: str = "utf-8"
    null_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceFile:
    """A file to read: path, format, CSV options, and types forced by the plan."""

    name: str
    path: Path
    fmt: Literal["csv", "parquet"]
    csv: CsvFormat = CsvFormat()
    types: tuple[tuple[str, LogicalType], ...] = ()


class Engine(Protocol):
    """What the pipeline needs from an execution engine."""

    name: str

    def columns(self, source: SourceFile) -> dict[str, LogicalType]:
        """Column names and detected logical types, reading as little as possible."""

    def load(self, source: SourceFile) -> ibis.Table:
        """Read the whole file with explicit types into the engine (errors → DataError)."""

    def fetch(self, expr: ibis.Expr) -> pa.Table:
        """Run an expression and return its (small) result as an Arrow table."""

    def materialize(self, expr: ibis.Table, name: str) -> ibis.Table:
        """Compute an expression once and keep the result for several later uses."""

    def write(self, expr: ibis.Table, *, parquet: Path | None, csv: Path | None) -> None:
        """Write a table (rows in the expression's order) as Parquet and/or CSV."""

    def write_release(
        self,
        expr: ibis.Table,
        *,
        parquet: Path | None,
        csv: Path | None,
        csv_view: Callable[[ibis.Table], ibis.Table],
    ) -> None:
        """Write a released table, sorted once, in an order that depends only on its values.

        Rows are ordered by a hash of the row, ties broken by the values themselves: the order is
        reproducible and says nothing about the source's order. The CSV holds the Parquet file's
        rows in the same order, passed through ``csv_view`` (formula neutralisation); without
        Parquet, the CSV is sorted the same way by its own values.
        """

    def scan(self, path: Path) -> ibis.Table:
        """A lazy table over a written Parquet file (rows in file order; nothing is copied)."""

    def memtable(self, data: dict[str, list[Any]] | pa.Table, name: str) -> ibis.Table:
        """A small in-memory table usable in joins with engine tables."""

    def close(self) -> None: ...
