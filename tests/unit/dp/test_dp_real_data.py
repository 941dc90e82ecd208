"""The examples on the real data, checked against an independent pandas computation."""

from __future__ import annotations

from pathlib import Path

import ibis
import pandas as pd
import pytest
from examples.dp.run_examples import load_dp_policy

from craftveil.dp import DPResult, Ledger, compute_statistics, plan


def _published(result: DPResult, statistic: str, cell: str) -> dict[str, tuple[float, float]]:
    return {
        v.cell[cell]: (v.value, v.margin_of_error_95 or 0.0)
        for v in result.values(statistic)
        if v.value is not None
    }


def _within(published: dict[str, tuple[float, float]], truth: pd.Series) -> None:
    # 2.5 × the 95 % margin ≈ 4.9 SD: a failure has probability < 1e-6 per cell.
    for key, (value, margin) in published.items():
        assert abs(value - float(truth.get(key, 0))) <= 2.5 * margin, key


@pytest.fixture(scope="module")
def etsy_frame(shared_data: Path) -> pd.DataFrame:
    frame = pd.read_csv(shared_data / "etsy" / "etsy_shops_data.csv")
    frame = frame[frame["is_shop_us_based"]].copy()
    states = set(load_dp_policy("etsy_sales_by_state.yaml").taxonomy["state"])
    last = frame["shop_location"].str.split(", ").str[-1]
    frame["state"] = last.where(last.isin(states), "(no state given)")
    frame["sales"] = frame["sales_count"].where(frame["sales_count"] >= 0)
    return frame


def test_etsy_shops_and_sales_by_state(
    etsy_us: ibis.Table, etsy_frame: pd.DataFrame, ledger: Ledger, tmp_path: Path
) -> None:
    policy = load_dp_policy("etsy_sales_by_state.yaml")
    result = compute_statistics(
        etsy_us, policy, "shop_id", ledger=ledger, dataset="etsy", release_id="e1",
        store_dir=tmp_path,
    )  # fmt: skip
    assert result.epsilon == pytest.approx(1.0, rel=1e-6)
    shops = _published(result, "shops_by_state", "state")
    _within(shops, etsy_frame.groupby("state").size())
    assert {"California", "Texas", "Florida"} <= set(shops)  # big states are published
    upper = policy.statistic("sales_by_state").bounds.upper  # type: ignore[union-attr]
    sales = etsy_frame["sales"].dropna()
    bounded = etsy_frame.assign(sales=etsy_frame["sales"].clip(0, upper))
    _within(_published(result, "sales_by_state", "state"), bounded.groupby("state")["sales"].sum())
    impact = result.statistics[1].bounding
    assert impact.share_total_clamped_away == pytest.approx(
        (sales - sales.clip(0, upper)).sum() / sales.sum()
    )
    assert impact.share_vendors_clipped == pytest.approx((sales > upper).mean())


def test_etsy_plan_warns_that_sales_by_state_is_useless_at_epsilon_one(
    etsy_us: ibis.Table,
) -> None:
    report = plan(
        load_dp_policy("etsy_sales_by_state.yaml"), source=etsy_us, vendor_column="shop_id"
    )
    shops, sales = report.statistics
    assert not any("useless" in w for w in shops.warnings)
    assert any("useless at this budget" in w for w in sales.warnings)


def test_bakery_baskets_and_items_by_month(
    bakery: ibis.Table, shared_data: Path, ledger: Ledger, tmp_path: Path
) -> None:
    frame = pd.read_csv(shared_data / "bakery_breadbasket" / "BreadBasket_DMS.csv")
    frame["month"] = frame["Date"].str[:7]
    per_basket = frame.groupby(["Transaction", "month"]).size().rename("items").reset_index()
    result = compute_statistics(
        bakery, load_dp_policy("bakery_monthly_sales.yaml"), "basket", ledger=ledger,
        dataset="bakery", release_id="b1", store_dir=tmp_path,
    )  # fmt: skip
    baskets = _published(result, "baskets_by_month", "month")
    assert len(baskets) == 7  # every month is useful at ε = 1
    _within(baskets, per_basket.groupby("month").size())
    items = per_basket.assign(items=per_basket["items"].clip(0, 10)).groupby("month")["items"].sum()
    _within(_published(result, "items_by_month", "month"), items)
