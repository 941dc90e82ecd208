"""DuckDB engine (embedded, the default): Ibis over an in-process DuckDB connection."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pyarrow as pa

from craftveil.engine.base import CsvFormat, LogicalType, SourceFile
from craftveil.engine.diagnose import diagnose_csv
from craftveil.errors import DataError

_TO_DUCK: dict[LogicalType, str] = {
    "text": "VARCHAR",
    "integer": "BIGINT",
    "decimal": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "boolean": "BOOLEAN",
}

_ROW = "__craftveil_row"  # a written row's position in its Parquet file
_COPY_OPTIONS = {"parquet": "FORMAT parquet, COMPRESSION zstd", "csv": "FORMAT csv, HEADER true"}


def _logical(duck_type: str) -> LogicalType:
    t = duck_type.upper()
    if t.startswith(("VARCHAR", "TEXT", "UUID", "BLOB")):
        return "text"
    if t in {"BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER"}:
        return "integer"
    if t.startswith(("DOUBLE", "FLOAT", "DECIMAL", "REAL")):
        return "decimal"
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP"):
        return "timestamp"
    if t == "BOOLEAN":
        return "boolean"
    return "text"


def _quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


class DuckDBEngine:
    """Runs the pipeline's Ibis expressions on an embedded DuckDB database."""

    name = "duckdb"

    def __init__(self, *, threads: int | None = None, temp_directory: Path | None = None) -> None:
        self.backend = ibis.duckdb.connect()
        self._con: duckdb.DuckDBPyConnection = self.backend.con
        if threads:
            self._con.execute(f"SET threads = {int(threads)}")
        if temp_directory:
            self._con.execute(f"SET temp_directory = {_quote(str(temp_directory))}")
        self._con.execute("SET preserve_insertion_order = true")
        self._con.execute("SET enable_progress_bar = false")  # craftveil shows its own
        self._names = itertools.count()

    # -- reading -------------------------------------------------------------------------------
    def _csv_args(self, fmt: CsvFormat, sample_all: bool) -> str:
        args = [
            f"delim = {_quote(fmt.delimiter)}",
            f"quote = {_quote(fmt.quote)}",
            f"header = {'true' if fmt.header else 'false'}",
            f"encoding = {_quote(fmt.encoding)}",
            "strict_mode = true",
            "null_padding = false",
        ]
        if fmt.null_values:
            nulls = ", ".join(_quote(v) for v in ("", *fmt.null_values))
            args.append(f"nullstr = [{nulls}]")
        if sample_all:
            args.append("sample_size = -1")
        return ", ".join(args)

    def _reader(self, source: SourceFile, types: dict[str, str] | None = None) -> str:
        path = _quote(str(source.path))
        if source.fmt == "parquet":
            return f"read_parquet({path})"
        # Detect types on the whole file when it is small; on large files DuckDB's sample
        # (and, for a value that does not fit, an error naming the line and the fix).
        small = source.path.stat().st_size < 20_000_000
        args = self._csv_args(source.csv, sample_all=small)
        if types:
            spec = ", ".join(f"{_quote(k)}: {_quote(v)}" for k, v in types.items())
            args += f", types = {{{spec}}}"
        return f"read_csv({path}, {args})"

    def _fail(self, source: SourceFile, exc: Exception) -> DataError:
        text = str(exc).strip()
        first = text.splitlines()[0] if text else type(exc).__name__
        where = diagnose_csv(source.path, source.csv) if source.fmt == "csv" else None
        if where is None:
            if "Could not convert" in text or "Conversion Error" in text:
                line = next((ln for ln in text.splitlines() if "Line" in ln), "")
                where = (
                    f"{line.strip()} a value does not fit the column's type — declare "
                    f"`type: text` for that column (tables.{source.name}.columns.<col>.type)"
                ).strip()
            else:
                where = f"{first} — check tables.{source.name}.csv (delimiter, quote, encoding)"
        return DataError(f"{source.path}: cannot read table '{source.name}': {where}")

    def columns(self, source: SourceFile) -> dict[str, LogicalType]:
        if not source.path.is_file():
            raise DataError(
                f"{source.path}: file not found (table '{source.name}') — check tables."
                f"{source.name}.path in the policy (paths are relative to the policy file)"
            )
        try:
            rows = self._con.execute(f"DESCRIBE SELECT * FROM {self._reader(source)}").fetchall()
        except duckdb.Error as exc:
            raise self._fail(source, exc) from None
        return {str(r[0]): _logical(str(r[1])) for r in rows}

    def load(self, source: SourceFile) -> ibis.Table:
        forced = {k: _TO_DUCK[v] for k, v in source.types}
        name = f"src_{source.name}_{next(self._names)}"
        if source.fmt == "parquet":
            casts = ", ".join(f"CAST({_ident(k)} AS {v}) AS {_ident(k)}" for k, v in forced.items())
            select = f"* REPLACE ({casts})" if casts else "*"
        else:
            select = "*"
        reader = self._reader(source, forced if source.fmt == "csv" else None)
        try:
            self._con.execute(f"CREATE TEMP TABLE {_ident(name)} AS SELECT {select} FROM {reader}")
        except duckdb.Error as exc:
            raise self._fail(source, exc) from None
        return self.backend.table(name)

    # -- computing -----------------------------------------------------------------------------
    def fetch(self, expr: ibis.Expr) -> pa.Table:
        # Straight from DuckDB: ibis's to_pyarrow imports pandas (~0.3 s) for its type converter.
        return self._con.execute(self.backend.compile(expr)).to_arrow_table()

    def materialize(self, expr: ibis.Table, name: str) -> ibis.Table:
        unique = f"{name}_{next(self._names)}"
        self.backend.create_table(unique, expr, temp=True)
        return self.backend.table(unique)

    def memtable(self, data: dict[str, list[Any]] | pa.Table, name: str) -> ibis.Table:
        unique = f"{name}_{next(self._names)}"
        arrow = data if isinstance(data, pa.Table) else pa.table(data)
        # Registered with DuckDB directly (ibis's create_table goes through a pandas frame).
        view = f"__arrow_{unique}"
        self._con.register(view, arrow)
        try:
            self._con.execute(f"CREATE TEMP TABLE {_ident(unique)} AS SELECT * FROM {_ident(view)}")
        finally:
            self._con.unregister(view)
        return self.backend.table(unique)

    # -- writing -------------------------------------------------------------------------------
    def write(self, expr: ibis.Table, *, parquet: Path | None, csv: Path | None) -> None:
        sql = self.backend.compile(expr)
        if parquet is not None:
            self._copy(sql, parquet, "parquet")
        if csv is not None:
            self._copy(sql, csv, "csv")

    def write_release(
        self,
        expr: ibis.Table,
        *,
        parquet: Path | None,
        csv: Path | None,
        csv_view: Callable[[ibis.Table], ibis.Table],
    ) -> None:
        # One sort by value, streamed into the Parquet file; the CSV then reads that file in its
        # row order, stated explicitly (insertion order alone is not enough: the optimiser may
        # turn part of a projection into a join, and joins reorder rows across threads).
        if parquet is not None:
            self._copy(self._sorted(expr), parquet, "parquet")
            if csv is not None and not {_ROW, "file_row_number"} & set(expr.columns):
                rows = self.backend.read_parquet(
                    parquet, table_name=f"written_{next(self._names)}", file_row_number=True
                ).rename({_ROW: "file_row_number"})
                view = self.backend.compile(csv_view(rows))
                self._copy(f"SELECT * EXCLUDE ({_ROW}) FROM ({view}) ORDER BY {_ROW}", csv, "csv")
                return
        if csv is not None:
            self._copy(self._sorted(csv_view(expr)), csv, "csv")

    def scan(self, path: Path) -> ibis.Table:
        return self.backend.read_parquet(path, table_name=f"written_{next(self._names)}")

    def _sorted(self, expr: ibis.Table) -> str:
        """The expression's rows ordered by a hash of the row, ties broken by every value.

        Sorting on one 64-bit key is cheaper than on every (mostly text) column; the values
        after it only decide between different rows with the same hash, so the order is total.
        """
        cols = ", ".join(_ident(c) for c in expr.columns)
        return f"SELECT * FROM ({self.backend.compile(expr)}) ORDER BY hash({cols}), {cols}"

    def _copy(self, sql: str, path: Path, fmt: str) -> None:
        self._con.execute(f"COPY ({sql}) TO {_quote(str(path))} ({_COPY_OPTIONS[fmt]})")

    def close(self) -> None:
        self.backend.disconnect()


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
