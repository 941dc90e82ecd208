"""generate(): determinism, exact row counts, chunking, formats, and refusing to overwrite."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from craftveil.datagen import TABLE_NAMES, GeneratorConfig, generate, sales
from craftveil.errors import OutputExistsError
from craftveil.journal import Journal


def digests(paths: dict[str, Path]) -> dict[str, str]:
    return {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in paths.items()}


def count_csv_rows(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle) - 1  # no field contains a newline


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_same_seed_gives_byte_identical_files(tmp_path: Path, fmt: str) -> None:
    config = GeneratorConfig(n_sales=5_000, seed=3, fmt=fmt)  # type: ignore[arg-type]
    first = generate(tmp_path / "a", config)
    second = generate(tmp_path / "b", config)
    assert digests(dict(first.paths)) == digests(dict(second.paths))


def test_same_seed_is_byte_identical_across_processes(tmp_path: Path) -> None:
    """A fresh interpreter with another string-hash seed writes the very same bytes."""
    config = GeneratorConfig(n_sales=4_000, seed=21)
    here = generate(tmp_path / "here", config)
    script = (
        "import sys; from pathlib import Path; "
        "from craftveil.datagen import GeneratorConfig, generate; "
        "generate(Path(sys.argv[1]), GeneratorConfig(n_sales=4_000, seed=21))"
    )
    environment = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "there")], check=True, env=environment
    )
    there = {name: tmp_path / "there" / path.name for name, path in here.paths.items()}
    assert digests(dict(here.paths)) == digests(there)


def test_another_seed_gives_different_files(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", GeneratorConfig(n_sales=5_000, seed=3))
    second = generate(tmp_path / "b", GeneratorConfig(n_sales=5_000, seed=4))
    a, b = digests(dict(first.paths)), digests(dict(second.paths))
    assert all(a[name] != b[name] for name in TABLE_NAMES)


@pytest.mark.parametrize(("n_sales", "n_vendors"), [(1_000, None), (12_345, 37), (30_001, None)])
def test_row_counts_are_exact(tmp_path: Path, n_sales: int, n_vendors: int | None) -> None:
    config = GeneratorConfig(n_sales=n_sales, n_vendors=n_vendors, seed=5)
    result = generate(tmp_path, config)
    expected_vendors = n_vendors if n_vendors is not None else max(n_sales // 200, 20)
    assert result.row_counts["sales"] == n_sales
    assert result.row_counts["vendors"] == expected_vendors
    for name in TABLE_NAMES:
        assert count_csv_rows(result.paths[name]) == result.row_counts[name], name


def test_many_chunks_keep_exact_counts_ids_and_time_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sales, "CHUNK_ROWS", 1_000)
    result = generate(tmp_path, GeneratorConfig(n_sales=20_000, seed=9, fmt="parquet"))
    assert pq.ParquetFile(result.paths["sales"]).num_row_groups >= 15
    n, first_id, last_id, distinct, disorder = duckdb.sql(
        f"""
        select count(*), min(sale_id), max(sale_id), count(distinct sale_id),
               count(*) filter (where sold_at < previous)
        from (select *, lag(sold_at) over (order by sale_id) previous
              from read_parquet('{result.paths["sales"].as_posix()}'))
        """
    ).fetchone() or (0, "", "", 0, 0)
    assert (n, first_id, last_id, distinct, disorder) == (
        20_000,
        "S000000001",
        "S000020000",
        20_000,
        0,
    )


def test_parquet_keeps_types(tmp_path: Path) -> None:
    result = generate(tmp_path, GeneratorConfig(n_sales=2_000, fmt="parquet"))
    schema = pq.read_schema(result.paths["vendors"])
    assert str(schema.field("postal_code").type) == "string"
    sales_schema = pq.read_schema(result.paths["sales"])
    assert str(sales_schema.field("unit_price").type) == "decimal128(12, 2)"
    sold_at = sales_schema.field("sold_at").type
    assert pa.types.is_timestamp(sold_at)  # Parquet stores second resolution as milliseconds
    assert sold_at.tz is None


def test_period_follows_start_and_months(tmp_path: Path) -> None:
    config = GeneratorConfig(n_sales=3_000, start=date(2023, 7, 1), months=6)
    result = generate(tmp_path, config)
    first, last = duckdb.sql(
        f"select min(sold_at), max(sold_at) from read_csv('{result.paths['sales'].as_posix()}')"
    ).fetchone() or (None, None)
    assert str(first) >= "2023-07-01"
    assert str(last) < "2024-01-01"


def test_refuses_to_overwrite_and_leaves_files_untouched(tmp_path: Path) -> None:
    config = GeneratorConfig(n_sales=1_000)
    first = generate(tmp_path, config)
    before = digests(dict(first.paths))
    listed = ", ".join(str(tmp_path / f"{name}.csv") for name in TABLE_NAMES)
    message = (
        f"refusing to overwrite existing files: {listed} — "
        "choose another output directory or pass overwrite=True (--overwrite)"
    )
    with pytest.raises(OutputExistsError, match=f"^{re.escape(message)}$"):
        generate(tmp_path, GeneratorConfig(n_sales=1_000, seed=99))
    assert digests(dict(first.paths)) == before


def test_refuses_even_when_only_one_table_exists(tmp_path: Path) -> None:
    (tmp_path / "sales.csv").write_text("keep me")
    with pytest.raises(OutputExistsError):
        generate(tmp_path, GeneratorConfig(n_sales=1_000))
    assert (tmp_path / "sales.csv").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sales.csv"]


def test_overwrite_true_replaces_and_leaves_no_partial_files(tmp_path: Path) -> None:
    generate(tmp_path, GeneratorConfig(n_sales=1_000, seed=1))
    again = generate(tmp_path, GeneratorConfig(n_sales=2_000, seed=2), overwrite=True)
    assert count_csv_rows(again.paths["sales"]) == 2_000
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.csv" for n in TABLE_NAMES)


def test_journal_and_progress_are_reported(tmp_path: Path) -> None:
    journal = Journal()
    seen: list[tuple[str, int, int]] = []
    result = generate(
        tmp_path,
        GeneratorConfig(n_sales=1_500, seed=2),
        journal=journal,
        progress=lambda table, done, total: seen.append((table, done, total)),
    )
    (entry,) = journal.by_step("generate")
    assert entry.details["row_counts"] == dict(result.row_counts)
    assert entry.details["seed"] == 2
    assert ("sales", 1_500, 1_500) in seen
    assert {table for table, _, _ in seen} == set(TABLE_NAMES)
