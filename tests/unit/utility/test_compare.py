"""Which summary parts read which column, and a partly recomputed variant equals a full one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import ibis
import pandas as pd
import pytest

from craftveil.cli.demo import demo_policy_text
from craftveil.policy.load import parse_policy
from craftveil.policy.utility import UtilityPolicy
from craftveil.utility.compare import parts_reading, summarise_side
from craftveil.utility.summaries import Summaries

VENDOR = "vendor_id"


@pytest.fixture(scope="module")
def utility() -> UtilityPolicy:
    policy = parse_policy(demo_policy_text(), "demo policy")
    assert policy.utility is not None
    return policy.utility


@pytest.fixture
def raw(small_demo: Path) -> dict[str, ibis.Table]:
    con = ibis.duckdb.connect()
    return {
        name: con.read_csv(small_demo / "data" / f"{name}.csv", table_name=name)
        for name in ("sales", "vendors", "products")
    }


def test_parts_follow_the_columns_of_the_analysis_frame(utility: UtilityPolicy) -> None:
    def reads(table: str, column: str) -> set[str]:
        return parts_reading(utility, VENDOR, table, column)

    assert reads("sales", "sold_at") == {"totals"}
    assert reads("sales", "quantity") == {"totals"}
    assert reads("sales", "unit_price") == {"category_price", "vendor_price"}
    assert reads("sales", "vendor_id") == {"totals", "vendor_price"}  # counted; region key; medians
    assert reads("vendors", "region") == {"totals"}
    assert reads("vendors", "vendor_id") == {"totals"}
    assert reads("products", "category") == {"category_price"}
    assert reads("sales", "product_id") == {"category_price"}
    assert reads("sales", "channel") == set()


Change = Callable[[ibis.Table], ibis.Table]
CHANGES: dict[tuple[str, str], Change] = {
    ("sales", "sold_at"): lambda t: t.mutate(sold_at=t.sold_at + ibis.interval(days=45)),
    ("sales", "quantity"): lambda t: t.mutate(quantity=t.quantity * 3),
    ("sales", "unit_price"): lambda t: t.mutate(
        unit_price=ibis.cases((t.channel == "online", t.unit_price * 2), else_=t.unit_price)
    ),
    ("sales", "vendor_id"): lambda t: t.mutate(vendor_id=t.vendor_id.reverse()),
    ("vendors", "region"): lambda t: t.mutate(region=t.region.substr(0, 1)),
    ("products", "category"): lambda t: t.mutate(
        category=ibis.cases((t.product_id.endswith("1"), "other"), else_=t.category)
    ),
}


def _assert_same(a: Summaries, b: Summaries) -> None:
    pd.testing.assert_frame_equal(a.totals, b.totals)
    pd.testing.assert_frame_equal(a.category_price, b.category_price)
    pd.testing.assert_series_equal(a.vendor_price, b.vendor_price)


@pytest.mark.parametrize("changed", list(CHANGES), ids=lambda c: ".".join(c))
def test_a_variant_recomputing_only_its_parts_equals_one_recomputed_fully(
    utility: UtilityPolicy, raw: dict[str, ibis.Table], changed: tuple[str, str]
) -> None:
    """Parts that do not read the changed column are the raw side's, exactly.

    Each change moves every part that reads it (checked), so a part left out of
    ``parts_reading`` would be copied stale from the raw side and fail the comparison.
    """
    table, column = changed
    raw_side = summarise_side(raw, utility, VENDOR, "raw")
    variant = {**raw, table: CHANGES[changed](raw[table])}
    full = summarise_side(variant, utility, VENDOR, "released")
    parts = parts_reading(utility, VENDOR, table, column)
    partial = summarise_side(variant, utility, VENDOR, "released", parts=parts, reuse=raw_side)
    _assert_same(full, partial)
    for part in parts:  # the change is visible in every part that reads the column
        assert not getattr(full, part).equals(getattr(raw_side, part)), part
