"""Engine conformance: explicit types on read, diagnosis of malformed files, ordered writes."""

from __future__ import annotations

from pathlib import Path

import ibis
import pyarrow.parquet as pq
import pytest

from craftveil.engine import SourceFile
from craftveil.engine.base import CsvFormat, Engine
from craftveil.engine.diagnose import diagnose_csv, guess_delimiter
from craftveil.errors import DataError


def test_codes_read_as_text_keep_leading_zeros(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_text("vendor_id,zip,qty\nV1,04412,3\nV2,90210,4\n")
    detected = engine.columns(SourceFile("v", path, "csv"))
    assert detected["qty"] == "integer"
    table = engine.load(SourceFile("v", path, "csv", types=(("zip", "text"),)))
    assert table.zip.to_pyarrow().to_pylist() == ["04412", "90210"]


def test_real_olist_zip_prefixes_keep_their_zeros(engine: Engine, shared_data: Path) -> None:
    path = (
        shared_data
        / "olist"
        / "official_github_olist_work-at-olist-data"
        / "olist_sellers_dataset.v2019-07-11_blob2569f1e.csv"
    )
    source = SourceFile("s", path, "csv", types=(("seller_zip_code_prefix", "text"),))
    zips = engine.load(source).seller_zip_code_prefix.to_pyarrow().to_pylist()
    assert len(zips) == 3095
    assert sum(z.startswith("0") for z in zips) > 900  # ~1,028 rows carry a leading zero
    assert {len(z) for z in zips} == {5}


def test_null_values_option(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("alt\n1200\nNA\n1500\n")
    fmt = CsvFormat(null_values=("NA",))
    table = engine.load(SourceFile("a", path, "csv", fmt, types=(("alt", "decimal"),)))
    assert table.alt.to_pyarrow().to_pylist() == [1200.0, None, 1500.0]


def test_unreadable_file_names_file_and_line(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text('a,b\n1,2\n3,"4\n5,6\n')
    with pytest.raises(DataError, match=r"bad.csv: cannot read table 'b': line 3: "):
        engine.columns(SourceFile("b", path, "csv"))


def test_write_keeps_the_expression_order(engine: Engine, tmp_path: Path) -> None:
    table = engine.memtable({"x": [3, 1, 2]}, "t")
    engine.write(table.order_by("x"), parquet=tmp_path / "o.parquet", csv=tmp_path / "o.csv")
    assert pq.read_table(tmp_path / "o.parquet").column("x").to_pylist() == [1, 2, 3]
    assert (tmp_path / "o.csv").read_text().splitlines() == ["x", "1", "2", "3"]


def _lower(table: ibis.Table) -> ibis.Table:
    """A visible CSV-only rewrite, standing in for formula neutralisation."""
    return table.mutate(a=table.a.lower())


def test_release_write_orders_rows_by_their_values_never_by_the_input(
    engine: Engine, tmp_path: Path
) -> None:
    data = {"a": ["X", "Y", "X", "Z", None, "Y"], "n": [3, 1, 3, 2, 5, 4]}
    backwards = {k: list(reversed(v)) for k, v in data.items()}
    for name, columns in (("fwd", data), ("bwd", backwards)):
        engine.write_release(
            engine.memtable(columns, name),
            parquet=tmp_path / f"{name}.parquet",
            csv=tmp_path / f"{name}.csv",
            csv_view=_lower,
        )
    for suffix in ("parquet", "csv"):
        assert (tmp_path / f"fwd.{suffix}").read_bytes() == (
            tmp_path / f"bwd.{suffix}"
        ).read_bytes()
    written = pq.read_table(tmp_path / "fwd.parquet").to_pylist()
    assert sorted(written, key=repr) == sorted(
        [{"a": a, "n": n} for a, n in zip(data["a"], data["n"], strict=True)], key=repr
    )
    # the CSV holds the Parquet rows in the same order, through the CSV-only rewrite
    lines = (tmp_path / "fwd.csv").read_text().splitlines()
    expected = [f"{(r['a'] or '').lower()},{r['n']}" for r in written]
    assert lines == ["a,n", *expected]
    assert engine.scan(tmp_path / "fwd.parquet").to_pyarrow().to_pylist() == written


def test_release_write_without_parquet_sorts_the_csv_by_its_values(
    engine: Engine, tmp_path: Path
) -> None:
    data = {"a": ["X", "Y", "X", "Z"], "n": [3, 1, 3, 2]}
    backwards = {k: list(reversed(v)) for k, v in data.items()}
    for name, columns in (("fwd", data), ("bwd", backwards)):
        engine.write_release(
            engine.memtable(columns, name),
            parquet=None,
            csv=tmp_path / f"{name}.csv",
            csv_view=_lower,
        )
    text = (tmp_path / "fwd.csv").read_text()
    assert text == (tmp_path / "bwd.csv").read_text()
    assert sorted(text.splitlines()[1:]) == ["x,3", "x,3", "y,1", "z,2"]
    assert not list(tmp_path.glob("*.parquet"))


def test_diagnose_wrong_field_count_and_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("a,b,c\n1,2,3\n4,5\n")
    assert diagnose_csv(path, CsvFormat()) == (
        "line 3: 2 fields where the header has 3 — check the delimiter and quoting of that line"
    )
    assert guess_delimiter("a;b;c") == ";"
    assert guess_delimiter("abc") is None
    (tmp_path / "e.csv").write_text("")
    assert diagnose_csv(tmp_path / "e.csv", CsvFormat()) == (
        "the file is empty — it needs at least a header line"
    )
