"""Fixtures for the profiler tests: the generated vendor table, an engine, and real files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.unit.profile.profile_helpers import small_vendor_rows, write_csv

from craftveil.engine import Engine, make_engine


@pytest.fixture
def small_vendor_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "data" / "makers.csv", small_vendor_rows())


@pytest.fixture
def engine() -> Iterator[Engine]:
    eng = make_engine()
    yield eng
    eng.close()


@pytest.fixture(scope="session")
def farmers_markets(shared_data: Path) -> Path:
    return shared_data / "farmers_markets_usda" / "farmers_markets_usda_2016.csv"


@pytest.fixture(scope="session")
def olist_sellers(shared_data: Path) -> Path:
    return (
        shared_data
        / "olist"
        / "official_github_olist_work-at-olist-data"
        / "olist_sellers_dataset.csv"
    )
