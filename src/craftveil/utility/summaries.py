"""Small summaries of an analysis frame, computed by the engine (group-bys), then compared.

Three queries per side: totals and distinct vendors per (period, group); the median price per
category; the median price per vendor. The results are tiny (periods × groups, categories,
vendors) and are compared in pandas.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import pandas as pd


@dataclass(frozen=True)
class Summaries:
    """What one side (raw or released) looks like to the analyses."""

    totals: pd.DataFrame  # period, grp, total, vendors
    category_price: pd.DataFrame  # category, median_price
    vendor_price: pd.Series  # one median price per vendor


def summarise(frame: ibis.Table, with_price: bool) -> Summaries:
    totals = (
        frame.group_by("period", "grp")
        .aggregate(total=frame.measure.sum(), vendors=frame.vendor.nunique())
        .to_pandas()
    )
    totals["period"] = pd.to_datetime(totals["period"])
    totals = totals.sort_values(["period", "grp"]).reset_index(drop=True)
    if not with_price:
        return Summaries(totals, pd.DataFrame(columns=["category", "median_price"]), pd.Series())
    priced = frame.filter(frame.price.notnull())
    category = (
        priced.group_by("category")
        .aggregate(median_price=priced.price.median())
        .order_by("category")
        .to_pandas()
    )
    vendor = priced.group_by("vendor").aggregate(m=priced.price.median()).to_pandas()
    vendor_price = vendor.set_index(vendor["vendor"].astype(str))["m"].astype(float)
    return Summaries(totals, category, vendor_price.sort_values())
