"""The release writer: CSV rows in the Parquet file's order, formulas neutralised, at scale."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from craftveil.engine.base import Engine
from craftveil.pipeline.write_step import neutralise_formulas

ROWS = 300_000  # many vectors and row groups: DuckDB reads and writes them on several threads


def _write(engine: Engine, tmp_path: Path, name: str, data: dict[str, list[object]]) -> None:
    engine.write_release(
        engine.memtable(pa.table(data), name),
        parquet=tmp_path / f"{name}.parquet",
        csv=tmp_path / f"{name}.csv",
        csv_view=neutralise_formulas,
    )


def test_csv_holds_the_parquet_rows_in_order_on_every_run(engine: Engine, tmp_path: Path) -> None:
    data: dict[str, list[object]] = {
        "code": [("=" if i % 7 == 0 else "") + f"c{i % 5_003}" for i in range(ROWS)],
        "n": [i % 1_009 for i in range(ROWS)],
    }
    _write(engine, tmp_path, "a", data)
    _write(engine, tmp_path, "b", {k: list(reversed(v)) for k, v in data.items()})
    digest = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    assert digest["a.parquet"] == digest["b.parquet"]
    assert digest["a.csv"] == digest["b.csv"]
    parquet = pq.read_table(tmp_path / "a.parquet").to_pydict()
    csv = pacsv.read_csv(
        tmp_path / "a.csv", convert_options=pacsv.ConvertOptions(strings_can_be_null=False)
    ).to_pydict()
    assert csv["n"] == parquet["n"]
    assert csv["code"] == [("'" + c if c.startswith("=") else c) for c in parquet["code"]]


def test_neutralise_formulas_prefixes_only_formula_starts(engine: Engine) -> None:
    cells = ["=1+1", "+A1", "-2", "@SUM", "\tx", "\rx", "plain", "", "a=b", None]
    table = neutralise_formulas(engine.memtable({"t": cells, "k": list(range(10))}, "f"))
    out = engine.fetch(table.order_by("k")).column("t").to_pylist()
    assert out == ["'=1+1", "'+A1", "'-2", "'@SUM", "'\tx", "'\rx", "plain", "", "a=b", None]
