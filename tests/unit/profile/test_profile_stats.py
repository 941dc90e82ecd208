"""profile_table: statistics agree with pandas, codes keep leading zeros, the sample is bounded,
order-independent, and everything comes from one engine query."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.unit.profile.profile_helpers import small_vendor_rows, write_csv

from craftveil.engine import DuckDBEngine, Engine
from craftveil.errors import DataError
from craftveil.profile import profile_table
from craftveil.profile.profile import SAMPLE_LIMIT, table_name_for


def test_statistics_match_pandas(small_vendor_csv: Path, engine: Engine) -> None:
    profile = profile_table(small_vendor_csv, engine=engine)
    frame = pd.read_csv(small_vendor_csv, dtype=str, keep_default_na=False)
    assert profile.name == "makers"
    assert profile.rows == len(frame) == 100
    assert [c.name for c in profile.columns] == list(frame.columns)
    for col in profile.columns:
        assert col.distinct == frame[col.name].nunique(), col.name
        assert col.non_null == (frame[col.name] != "").sum(), col.name
    price = profile.column("price")
    assert price.read_as == "decimal"
    assert price.minimum == pytest.approx(frame["price"].astype(float).min())
    assert price.maximum == pytest.approx(frame["price"].astype(float).max())
    notes = profile.column("notes")
    lengths = frame["notes"].str.len()
    assert (notes.min_length, notes.max_length) == (lengths.min(), lengths.max())
    assert notes.mean_length == pytest.approx(lengths.mean())
    sold = profile.column("sold_on")
    assert sold.read_as == "date"
    assert (sold.first, sold.last) == (frame["sold_on"].min(), frame["sold_on"].max())


def test_codes_are_read_as_text_with_leading_zeros(tmp_path: Path, engine: Engine) -> None:
    rows = [{"zip": f"0{i:04d}", "seller_id": f"{i:05d}", "n": str(i)} for i in range(30)]
    profile = profile_table(write_csv(tmp_path / "codes.csv", rows), engine=engine)
    for name in ("zip", "seller_id"):
        col = profile.column(name)
        assert col.read_as == "text", name
        assert set(col.sample) == {r[name] for r in rows}
    assert profile.column("n").read_as == "integer"


def test_sample_is_bounded_and_independent_of_row_order(tmp_path: Path, engine: Engine) -> None:
    rows = [{"code": f"c{i}", "group": str(i % 7)} for i in range(5000)]
    shuffled = rows[:]
    random.Random(3).shuffle(shuffled)
    first = profile_table(write_csv(tmp_path / "a.csv", rows), engine=engine)
    second = profile_table(write_csv(tmp_path / "b.csv", shuffled), engine=engine)
    code = first.column("code")
    assert code.distinct == 5000
    assert len(code.sample) == SAMPLE_LIMIT
    assert not code.sample_complete
    assert set(code.sample) <= {r["code"] for r in rows}
    assert len(set(code.sample)) == SAMPLE_LIMIT
    # bottom-k by hash: the same values whatever the file order
    assert code.sample == second.column("code").sample
    assert sorted(first.column("group").sample) == [str(i) for i in range(7)]
    assert first.column("group").sample_complete


def test_one_engine_query_per_table(
    small_vendor_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = DuckDBEngine()
    calls: list[str] = []
    for method in ("execute", "to_pyarrow", "to_pyarrow_batches"):
        original = getattr(engine.backend, method)

        def counting(*a: Any, _o: Any = original, _m: str = method, **k: Any) -> Any:
            calls.append(_m)
            return _o(*a, **k)

        monkeypatch.setattr(engine.backend, method, counting)
    profile = profile_table(small_vendor_csv, engine=engine)
    engine.close()
    assert len(profile.columns) == 10
    assert calls == ["to_pyarrow"]


def test_empty_column_and_table_name(tmp_path: Path, engine: Engine) -> None:
    rows = [{"a": str(i), "empty": ""} for i in range(5)]
    profile = profile_table(write_csv(tmp_path / "My Sales-2024.v2.csv", rows), engine=engine)
    assert profile.name == "my_sales_2024"
    empty = profile.column("empty")
    assert empty.non_null == 0
    assert empty.null_share == 1.0
    assert empty.sample == ()
    assert table_name_for(Path("x/olist_sellers_dataset.csv")) == "olist_sellers_dataset"


def test_profile_without_engine_argument(small_vendor_csv: Path) -> None:
    assert profile_table(small_vendor_csv).rows == len(small_vendor_rows())


def test_parquet_source(tmp_path: Path, engine: Engine) -> None:
    frame = pd.DataFrame({"vendor_id": ["007", "008", "007"], "weight_kg": [1.5, 2.0, 2.5]})
    path = tmp_path / "batches.parquet"
    frame.to_parquet(path)
    profile = profile_table(path, engine=engine)
    assert profile.fmt == "parquet"
    assert profile.rows == 3
    assert set(profile.column("vendor_id").sample) == {"007", "008"}
    assert profile.column("weight_kg").maximum == 2.5


def test_missing_file_is_a_data_error(tmp_path: Path, engine: Engine) -> None:
    with pytest.raises(DataError, match="file not found"):
        profile_table(tmp_path / "nope.csv", engine=engine)


def test_wide_table_of_more_than_127_columns(tmp_path: Path, engine: Engine) -> None:
    """Column positions above 127 must not change the unpivot's type (int8 vs int16)."""
    rows = [{f"c{k}": str(i * k) for k in range(150)} for i in range(5)]
    profile = profile_table(write_csv(tmp_path / "wide.csv", rows), engine=engine)
    assert len(profile.columns) == 150
    assert profile.column("c149").distinct == 5
    assert profile.column("c0").distinct == 1


def test_empty_table_is_a_data_error(tmp_path: Path, engine: Engine) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("vendor_id,amount\n", encoding="utf-8")
    with pytest.raises(DataError, match="has no rows"):
        profile_table(path, engine=engine)
