"""Utility on real data: the bakery's till records (a real sales series) and the demo dataset.

Expected figures come from pandas on the CSV itself (an independent computation), not from
craftveil's output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from tests.helpers import edit_policy, with_utility

from craftveil.errors import UtilityGateError
from craftveil.pipeline import release


def _utility(directory: Path) -> dict:  # type: ignore[type-arg]
    report = json.loads((directory / "report.json").read_text())
    return next(s for s in report["sections"] if s["id"] == "utility")


def test_bakery_release_keeps_the_daily_series_and_passes_its_gates(
    bakery: Path, shared_data: Path
) -> None:
    result = release(bakery / "policy.yaml", bakery / "out")
    section = _utility(result.directory)
    metrics = section["data"]["metrics"]
    assert metrics["seasonality_correlation"] == pytest.approx(1.0)
    assert metrics["regional_share_max_error_pp"] == pytest.approx(0.0)
    assert metrics["forecast_mape_increase"] == pytest.approx(0.0)
    # The hold-out MAPE of a weekly seasonal-naive forecast, recomputed with pandas.
    raw = pd.read_csv(shared_data / "bakery_breadbasket" / "BreadBasket_DMS.csv")
    daily = raw.groupby("Date").size().sort_index()
    daily.index = pd.to_datetime(daily.index)
    daily = daily.reindex(pd.date_range(daily.index.min(), daily.index.max()), fill_value=0)
    actual, history = daily.to_numpy()[-14:], daily.to_numpy()[:-14]
    forecast = [history[-7:][i % 7] for i in range(14)]
    mask = actual != 0
    expected = float((abs(actual - forecast) / actual)[mask].mean())
    assert section["data"]["forecast"]["mape_raw"] == pytest.approx(expected)
    # share of Coffee among items sold, from the CSV
    shares = {s["group"]: s["raw"] for s in section["data"]["shares"]["shares"]}
    assert shares["Coffee"] == pytest.approx((raw["Item"] == "Coffee").mean())
    assert all("passed" in s for s in section["sentences"][1:])


def test_a_too_coarse_bakery_policy_trips_the_gates_and_writes_nothing(bakery: Path) -> None:
    edit_policy(
        bakery,
        "Date: {role: quasi_identifier, action: keep,",
        "Date: {role: quasi_identifier, action: generalize, window: month,",
    )
    with pytest.raises(UtilityGateError) as info:
        release(bakery / "policy.yaml", bakery / "out")
    text = str(info.value)
    assert "nothing was written" in text
    assert "seasonality_correlation = " in text
    assert "(required ≥ 0.95)" in text
    assert "forecast_mape_increase" in text
    assert not (bakery / "out").exists()
    assert [p.name for p in bakery.iterdir()] == ["policy.yaml"]  # no temporary leftovers


def test_a_warning_gate_releases_and_says_so(bakery: Path) -> None:
    edit_policy(
        bakery,
        "Item: {role: other, action: keep,",
        "Item: {role: other, action: mask_categories, label: item, min_vendors: 200,",
    )
    for gate in (
        "seasonality_correlation, min: 0.95",
        "regional_share_max_error_pp, max: 1.0",
        "forecast_mape_increase, max: 0.10",
    ):
        edit_policy(bakery, f"{{metric: {gate}}}", f"{{metric: {gate}, on_fail: warn}}")
    result = release(bakery / "policy.yaml", bakery / "out")
    section = _utility(result.directory)
    # Items become neutral labels ("item A"): no raw item matches a released one.
    assert section["data"]["metrics"]["regional_share_max_error_pp"] > 1.0
    warned = [s for s in section["sentences"] if s.startswith("Utility gate WARNING: failed")]
    assert any("regional_share_max_error_pp" in s for s in warned)
    assert "| regional_share_max_error_pp |" in (result.directory / "masking.md").read_text()


def test_demo_data_regional_shares_through_the_vendor_join(project: Path) -> None:
    (project / "policy.yaml").write_text(
        with_utility(
            (project / "policy.yaml").read_text(),
            """utility:
  table: sales
  time_column: sold_at
  measure_column: quantity
  price_column: unit_price
  group_by: {column: region, table: vendors, key: vendor_id}
  category: {column: category, table: products, key: product_id}
  forecast: {season_length: 12, holdout_periods: 3}
  gates:
    - {metric: seasonality_correlation, min: 0.9, on_fail: warn}
""",
        )
    )
    result = release(project / "policy.yaml", project / "out")
    data = _utility(result.directory)["data"]
    sales = pd.read_csv(project / "data" / "sales.csv")
    vendors = pd.read_csv(project / "data" / "vendors.csv")
    joined = sales.merge(vendors[["vendor_id", "region"]], on="vendor_id")
    expected = joined.groupby("region")["quantity"].sum() / joined["quantity"].sum()
    raw_shares = {s["group"]: s["raw"] for s in data["shares"]["shares"] if s["raw"] > 0}
    assert raw_shares == pytest.approx(expected.to_dict())
    # Released shares: from the released files, joined on the pseudonymised vendor column.
    out_sales = pd.read_parquet(result.directory / "public" / "sales.parquet")
    out_vendors = pd.read_parquet(result.directory / "public" / "vendors.parquet")
    rel = out_sales.merge(out_vendors[["vendor_id", "region"]], on="vendor_id", how="left")
    rel_expected = rel.groupby("region")["quantity"].sum() / rel["quantity"].sum()
    rel_shares = {s["group"]: s["released"] for s in data["shares"]["shares"] if s["released"] > 0}
    assert rel_shares == pytest.approx(rel_expected.to_dict())
    assert data["price bands"]["available"] is True
    assert data["forecast"]["available"] is True
