"""Fixtures of the DP tests: small data, a fresh ledger, the real datasets as Ibis tables."""

from __future__ import annotations

from pathlib import Path

import ibis
import pandas as pd
import pytest
from examples.dp.run_examples import bakery_table, etsy_table, load_dp_policy

from craftveil.dp import Ledger


@pytest.fixture
def small_sales() -> ibis.Table:
    """Six vendors, two regions; vendor 'v1' sells in both regions (L0 = 1 drops one)."""
    frame = pd.DataFrame(
        {
            "vendor": ["v1", "v1", "v1", "v2", "v3", "v4", "v5", "v6", "v6"],
            "region": ["north"] * 2 + ["south"] + ["north"] * 2 + ["south"] * 4,
            "amount": [30.0, 90.0, 10.0, 50.0, 20.0, 5.5, 70.0, 40.0, 80.0],
            "label": ["a"] * 9,
        }
    )  # fmt: skip
    return ibis.memtable(frame)


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(tmp_path / "ledger" / "budget.sqlite")


@pytest.fixture(scope="session")
def etsy_us(shared_data: Path) -> ibis.Table:
    """US Etsy shops (one row = one shop = one vendor) with state and sales (the example's code)."""
    policy = load_dp_policy("etsy_sales_by_state.yaml")
    return etsy_table(shared_data, policy.taxonomy["state"])


@pytest.fixture(scope="session")
def bakery(shared_data: Path) -> ibis.Table:
    """Bread Basket items with month and basket (the privacy unit here is the transaction)."""
    return bakery_table(shared_data)
