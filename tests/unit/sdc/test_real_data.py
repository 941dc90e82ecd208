"""The full chain on real data: coffee producers' bags by country × harvest year (vendor =
Owner) and Etsy shops' sales shares by US state (vendor = shop). Checks: the audit passes,
primaries are exactly the cells the p% / frequency rules flag on per-vendor sums (computed
here with pandas), suppressed values are blank, published shares add up."""

from __future__ import annotations

from pathlib import Path

import ibis
import numpy as np
import pytest

from craftveil.policy.aggregates import AggregatesPolicy
from craftveil.sdc import protect

pytestmark = pytest.mark.slow


def _coffee(shared_data: Path) -> ibis.Table:
    con = ibis.duckdb.connect()
    raw = con.read_csv(shared_data / "coffee_cqi" / "arabica_data_cleaned.csv")
    year = raw["Harvest.Year"].cast("string").re_extract(r"(\d{4})", 1)
    table = raw.mutate(
        harvest_year=year,
        bags=raw["Number.of.Bags"].cast("float64"),
        owner=raw["Owner"].cast("string"),
    )
    return table.filter(
        table.owner.notnull() & (table.harvest_year != "") & table.harvest_year.notnull()
    )


def test_coffee_bags_by_country_and_harvest_year(shared_data: Path) -> None:
    policy = AggregatesPolicy.model_validate(
        {
            "dimensions": {
                "country": {"column": "Country.of.Origin"},
                "year": {"column": "harvest_year"},
            },
            "rules": {"min_vendors": 3, "p_percent": 15},
            "tables": [
                {
                    "name": "bags",
                    "dimensions": ["country", "year"],
                    "measure_column": "bags",
                    "measures": ["vendors", "sales", "total"],
                }
            ],
        }
    )
    source = _coffee(shared_data)
    result = protect(source, policy, "owner")
    assert result.audit_public["passed"] is True
    frame = result.tables["bags"]
    rows = source.select("Country.of.Origin", "harvest_year", "owner", "bags").to_pandas()
    # independent rule check on every leaf cell: per-owner sums, then N < 3 or p% (p = 15)
    leaves = frame[(frame.country__level == "leaf") & (frame.year__level == "leaf")]
    leaves = leaves[leaves.status != "empty"]
    per_owner = rows.groupby(["Country.of.Origin", "harvest_year", "owner"])["bags"].sum()
    checked = 0
    for (country, year), contributions in per_owner.groupby(level=[0, 1]):
        x = np.sort(contributions.to_numpy())[::-1]
        x2 = x[1] if len(x) > 1 else 0.0
        unsafe = len(x) < 3 or (x.sum() - x[0] - x2) < 0.15 * x[0]
        status = leaves[(leaves.country == country) & (leaves.year == year)].status.iloc[0]
        assert (status == "primary") == unsafe, (country, year)
        checked += 1
    assert checked == len(leaves)
    # per vendor, not per row: some unsafe cells have many rows from one owner
    many_rows_one_owner = rows.groupby(["Country.of.Origin", "harvest_year"]).agg(
        n=("owner", "size"), owners=("owner", "nunique")
    )
    assert ((many_rows_one_owner.n > 1) & (many_rows_one_owner.owners == 1)).any()
    suppressed = frame.status.isin(["primary", "secondary"])
    assert frame.loc[suppressed, ["vendors", "sales", "total"]].isna().all().all()
    assert frame.loc[frame.status == "published", "total"].notna().all()
    assert (frame.status == "secondary").any()


def test_etsy_shop_sales_shares_by_state(shared_data: Path) -> None:
    con = ibis.duckdb.connect()
    raw = con.read_csv(shared_data / "etsy" / "etsy_shops_data.csv")
    shops = raw.mutate(shop=ibis.row_number().cast("string"))
    shops = shops.filter(
        shops.is_shop_us_based & shops.shop_location.notnull() & (shops.sales_count >= 0)
    )
    shops = shops.mutate(
        state=shops.shop_location.split(", ")[-1].strip(), sales=shops.sales_count.cast("float64")
    )
    policy = AggregatesPolicy.model_validate(
        {
            "dimensions": {"state": {"column": "state"}},
            "rules": {"min_vendors": 5, "p_percent": 20},
            "confidence": {"method": "cluster_bootstrap", "replicates": 50, "seed": 3},
            "tables": [
                {
                    "name": "shares",
                    "dimensions": ["state"],
                    "measure_column": "sales",
                    "measures": ["vendors", "total", "share", "quartile_bands"],
                    "quantile_column": "listing_active_count",
                    "band_width": 10,
                    "quantile_min_vendors": 10,
                }
            ],
        }
    )
    result = protect(shops, policy, "shop")
    assert result.audit_public["passed"] is True
    frame = result.tables["shares"]
    published = frame[(frame.status == "published") & (frame.state__level == "leaf")]
    grand = frame[frame.state__level == "total"].total.iloc[0]
    assert published.share.to_numpy() == pytest.approx(published.total.to_numpy() / grand)
    # bootstrap intervals cover the estimate
    ok = published.share_ci_low.notna()
    assert (published.share_ci_low[ok] <= published.share[ok] + 1e-12).all()
    assert (published.share_ci_high[ok] >= published.share[ok] - 1e-12).all()
    # quantile bands only with >= 10 shops and only on published cells
    banded = frame[frame.q25_band.notna()]
    assert (banded.vendors >= 10).all()
    assert (banded.status == "published").all()
    # the public summary never prints the rule parameters
    assert set(result.audit_public) == {
        "cells",
        "primary_cells",
        "secondary_cells",
        "audited_cells",
        "passed",
        "method",
    }
    assert "p_percent" in str(result.audit_full["unsafe_by"])
