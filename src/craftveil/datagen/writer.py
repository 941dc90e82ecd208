"""Writing the tables: CSV or Parquet with pyarrow, chunk by chunk, never over existing files.

Every table is written to ``<table>.<ext>.partial`` and renamed into place only when all
tables are complete, so an interrupted run leaves no half-written table under a real name.
Output is deterministic: the same chunks in the same order give the same bytes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Literal

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from craftveil.errors import OutputExistsError

Format = Literal["csv", "parquet"]
PARTIAL = ".partial"


def table_paths(out_dir: Path, names: Iterable[str], fmt: Format) -> dict[str, Path]:
    """Where each table goes: ``out_dir/<table>.<csv|parquet>``."""
    return {name: out_dir / f"{name}.{fmt}" for name in names}


def refuse_existing(paths: Iterable[Path], overwrite: bool) -> None:
    """Raise :class:`OutputExistsError` if any target exists and overwriting was not asked for."""
    existing = [p for p in paths if p.exists()]
    if existing and not overwrite:
        listed = ", ".join(str(p) for p in existing)
        raise OutputExistsError(
            f"refusing to overwrite existing files: {listed} — "
            "choose another output directory or pass overwrite=True (--overwrite)"
        )


class TableWriter:
    """Writes one table in chunks to a ``.partial`` file; ``commit`` renames it into place."""

    def __init__(self, path: Path, schema: pa.Schema, fmt: Format) -> None:
        self.path = path
        self.partial = path.with_name(path.name + PARTIAL)
        self.rows = 0
        self._writer: pacsv.CSVWriter | pq.ParquetWriter
        if fmt == "csv":
            options = pacsv.WriteOptions(quoting_style="needed")
            self._writer = pacsv.CSVWriter(str(self.partial), schema, write_options=options)
        else:
            self._writer = pq.ParquetWriter(str(self.partial), schema, compression="zstd")

    def write(self, table: pa.Table) -> None:
        """Append one chunk (its schema must equal the writer's)."""
        self._writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> None:
        self._writer.close()

    def commit(self) -> None:
        """Move the finished file to its final name (replacing an old one)."""
        os.replace(self.partial, self.path)

    def discard(self) -> None:
        """Remove the unfinished file."""
        self.partial.unlink(missing_ok=True)

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
        if kind is not None:
            self.discard()
