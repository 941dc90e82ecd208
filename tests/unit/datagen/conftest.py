"""One generated dataset per session (CSV), read back with DuckDB as an independent reader."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from craftveil.datagen import TABLE_NAMES, GeneratedDataset, GeneratorConfig, generate

SMALL = GeneratorConfig(n_sales=60_000, seed=11)


@pytest.fixture(scope="session")
def small_dataset(tmp_path_factory: pytest.TempPathFactory) -> GeneratedDataset:
    return generate(tmp_path_factory.mktemp("datagen") / "small", SMALL)


@pytest.fixture(scope="session")
def db(small_dataset: GeneratedDataset) -> Iterator[duckdb.DuckDBPyConnection]:
    """DuckDB views over the CSV files; every column read as text, then cast where needed."""
    connection = duckdb.connect()
    for name in TABLE_NAMES:
        path = Path(small_dataset.paths[name]).as_posix()
        connection.sql(
            f"create view {name} as select * from read_csv('{path}', all_varchar = true, "
            "header = true)"
        )
    yield connection
    connection.close()
