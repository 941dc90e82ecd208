"""Adult from ARX's repository, each row its own vendor, loaded once per session."""

from __future__ import annotations

from pathlib import Path

import ibis
import pytest

from craftveil.hierarchies import Hierarchy, load_arx_hierarchy
from craftveil.risk import FrequencySet, frequency_set

from .adult import ADULT_QIS


@pytest.fixture(scope="session")
def adult_table(shared_data: Path) -> ibis.Table:
    con = ibis.duckdb.connect()
    path = shared_data / "adult" / "arx" / "adult.csv"
    table = con.read_csv(str(path), delim=";", all_varchar=True)
    return table.mutate(vendor=ibis.row_number())


@pytest.fixture(scope="session")
def adult_hierarchies(shared_data: Path) -> dict[str, Hierarchy]:
    arx = shared_data / "adult" / "arx"
    return {q: load_arx_hierarchy(arx / f"adult_hierarchy_{q}.csv", q) for q in ADULT_QIS}


@pytest.fixture(scope="session")
def adult_fs(adult_table: ibis.Table) -> FrequencySet:
    return frequency_set(adult_table, ADULT_QIS, "vendor")


@pytest.fixture(scope="session")
def adult_fs_occupation(adult_table: ibis.Table) -> FrequencySet:
    """Eight QIs with occupation as the sensitive attribute (ARX's l-diversity setting)."""
    qis = [q for q in ADULT_QIS if q != "occupation"]
    return frequency_set(adult_table, qis, "vendor", ["occupation"])
