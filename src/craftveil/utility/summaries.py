"""Small summaries of an analysis frame, computed by the engine (group-bys), then compared.

Three queries per side — the *parts*: totals and distinct vendors per (period, group); the median
price per category; the median price per vendor. The results are tiny (periods × groups,
categories, vendors) and are compared in pandas. A side that differs from an already summarised
one in columns only some parts read can take the other parts from it (``reuse``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import ibis
import pandas as pd

PARTS = ("totals", "category_price", "vendor_price")
PART_READS = {
    "totals": ("period", "grp", "measure", "vendor"),
    "category_price": ("category", "price"),
    "vendor_price": ("vendor", "price"),
}
"""The analysis-frame columns each part reads."""


@dataclass(frozen=True)
class Summaries:
    """What one side (raw or released) looks like to the analyses."""

    totals: pd.DataFrame  # period, grp, total, vendors
    category_price: pd.DataFrame  # category, median_price
    vendor_price: pd.Series  # one median price per vendor


def summarise(
    frame: ibis.Table,
    with_price: bool,
    *,
    parts: Collection[str] = PARTS,
    reuse: Summaries | None = None,
) -> Summaries:
    """The summaries of ``frame``; with ``reuse``, only ``parts`` are computed, the rest copied."""
    totals = reuse.totals if reuse is not None and "totals" not in parts else _totals(frame)
    if not with_price:
        return Summaries(totals, pd.DataFrame(columns=["category", "median_price"]), pd.Series())
    priced = frame.filter(frame.price.notnull())
    if reuse is not None and "category_price" not in parts:
        category = reuse.category_price
    else:
        category = _category_price(priced)
    if reuse is not None and "vendor_price" not in parts:
        vendor = reuse.vendor_price
    else:
        vendor = _vendor_price(priced)
    return Summaries(totals, category, vendor)


def _totals(frame: ibis.Table) -> pd.DataFrame:
    totals = (
        frame.group_by("period", "grp")
        .aggregate(total=frame.measure.sum(), vendors=frame.vendor.nunique())
        .to_pandas()
    )
    totals["period"] = pd.to_datetime(totals["period"])
    ordered: pd.DataFrame = totals.sort_values(["period", "grp"]).reset_index(drop=True)
    return ordered


def _category_price(priced: ibis.Table) -> pd.DataFrame:
    category: pd.DataFrame = (
        priced.group_by("category")
        .aggregate(median_price=priced.price.median())
        .order_by("category")
        .to_pandas()
    )
    return category


def _vendor_price(priced: ibis.Table) -> pd.Series:
    vendor = priced.group_by("vendor").aggregate(m=priced.price.median()).to_pandas()
    vendor_price: pd.Series = vendor.set_index(vendor["vendor"].astype(str))["m"].astype(float)
    return vendor_price.sort_values()
