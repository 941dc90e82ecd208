"""Utility on the Olist public orders (real marketplace data, 2016–2018).

The classified public dataset has no seller column: the unit bound to craftveil's vendor column
here is the ORDER (``id``) — an honest limitation of this file, stated in the policy. The
analyses are the real ones: monthly order value per customer state, state shares, median price
per product category. A quarterly release trips the monthly seasonality gate.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from tests.helpers import KEY_TEXT

from craftveil.errors import UtilityGateError
from craftveil.pipeline import release

CSV = "olist/v1_classified/olist_classified_public_dataset.csv"
POLICY = """version: 1
name: olist-orders-monthly
dataset: olist-classified-orders
privacy_unit: {name: vendor, description: "Bound to the order (id): this file has no seller."}
secret: {env: CRAFTVEIL_KEY}
governance: {owner: Marketplace steward, permitted_analyses: [microdata], last_review: 2026-10-01}
tables:
  orders:
    path: {path}
    vendor_column: id
    unlisted_columns: drop
    columns:
      id: {role: identifier, action: pseudonymize, namespace: order, why: "Order number."}
      order_purchase_timestamp:
        {role: quasi_identifier, action: generalize, window: {window}, why: "Seasonality."}
      customer_state: {role: quasi_identifier, action: keep, why: "State shares."}
      product_category_name: {role: quasi_identifier, action: keep, why: "Category prices."}
      order_products_value: {role: measure, action: keep, why: "Order value."}
utility:
  table: orders
  time_column: order_purchase_timestamp
  period: month
  measure_column: order_products_value
  price_column: order_products_value
  group_by: {column: customer_state}
  category: {column: product_category_name}
  forecast: {method: ets, season_length: 12, holdout_periods: 3}
  gates:
    - {metric: seasonality_correlation, min: 0.95}
    - {metric: regional_share_max_error_pp, max: 1.0}
    - {metric: price_band_agreement, min: 0.9}
"""


def _write(tmp_path: Path, shared_data: Path, window: str) -> Path:
    text = POLICY.replace("{path}", str(shared_data / CSV)).replace("{window}", window)
    (tmp_path / "policy.yaml").write_text(text, encoding="utf-8")
    return tmp_path / "policy.yaml"


def test_monthly_release_keeps_the_analytics(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRAFTVEIL_KEY", KEY_TEXT)
    result = release(_write(tmp_path, shared_data, "month"), tmp_path / "out")
    report = json.loads((result.directory / "report.json").read_text())
    data = next(s for s in report["sections"] if s["id"] == "utility")["data"]
    assert data["metrics"]["seasonality_correlation"] == pytest.approx(1.0)
    raw = pd.read_csv(shared_data / CSV)
    share = raw.groupby("customer_state")["order_products_value"].sum()
    share = share / share.sum()
    got = {s["group"]: s["raw"] for s in data["shares"]["shares"]}
    assert got == pytest.approx(share.to_dict())
    medians = raw.groupby("product_category_name")["order_products_value"].median()
    got_medians = {c["category"]: c["raw"] for c in data["price bands"]["categories"]}
    assert got_medians == pytest.approx(medians.to_dict())
    assert data["forecast"]["available"] is True
    assert data["forecast"]["mape_raw"] > 0


def test_quarterly_release_trips_the_monthly_seasonality_gate(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRAFTVEIL_KEY", KEY_TEXT)
    with pytest.raises(
        UtilityGateError, match=r"seasonality_correlation = 0\.\d+ \(required ≥ 0\.95\)"
    ):
        release(_write(tmp_path, shared_data, "quarter"), tmp_path / "out")
    assert not (tmp_path / "out").exists()
