"""Run every utility analysis on the raw and the released data and collect the results.

The one entry point the pipeline calls. Raw side: the source tables as read (before any row
was dropped); released side: the released tables, joined on their pseudonymised keys. The
result is plain JSON-able data (the report, masking record and history read it).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import ibis
import pandas as pd

from craftveil.policy.utility import UtilityPolicy
from craftveil.utility.forecast import compare_forecasts
from craftveil.utility.frames import analysis_frame, frame_sources
from craftveil.utility.gates import metric_values
from craftveil.utility.metrics import price_bands, rolling_and_velocity, seasonality, shares
from craftveil.utility.summaries import PART_READS, PARTS, Summaries, summarise


def summarise_side(
    tables: dict[str, ibis.Table],
    up: UtilityPolicy,
    vendor_column: str,
    side: str,
    *,
    parts: Collection[str] = PARTS,
    reuse: Summaries | None = None,
) -> Summaries:
    """The small summaries of one side (``raw`` or ``released``) that every analysis reads.

    The raw side does not depend on the masking, so the pipeline computes it once and compares
    it with the released data and with every one-choice variant (``impact_by_choice``). A
    variant that differs from ``reuse`` only in columns some parts read recomputes just those
    ``parts`` (see :func:`parts_reading`).
    """
    frame = analysis_frame(tables, up, vendor_column, side)
    return summarise(frame, up.price_column is not None, parts=parts, reuse=reuse)


def parts_reading(up: UtilityPolicy, vendor_column: str, table: str, column: str) -> set[str]:
    """The summary parts whose analysis frame reads ``column`` of ``table``."""
    sources = frame_sources(up, vendor_column)
    return {
        part
        for part, read in PART_READS.items()
        if any((table, column) in sources[frame_column] for frame_column in read)
    }


def compare(
    up: UtilityPolicy,
    raw: Summaries,
    rel: Summaries,
    information_loss: dict[str, Any],
    vendor_link: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Every analysis on the two sides' summaries, its metrics, and the information loss."""
    with_price = up.price_column is not None
    result: dict[str, Any] = {
        "table": up.table,
        "period": up.period,
        "measure": up.measure_column or "rows",
        "group_by": up.group_by.column if up.group_by else None,
        "seasonality": seasonality(raw, rel),
        "rolling": rolling_and_velocity(raw, rel, up.rolling_periods),
        "shares": shares(raw, rel),
        "price_bands": price_bands(raw, rel, up.price_bands, vendor_link)
        if with_price
        else {"available": False},
        "forecast": (
            compare_forecasts(_total(raw.totals), _total(rel.totals), up.forecast)
            if up.forecast
            else {"available": False, "reason": "no utility.forecast in the policy"}
        ),
        "information_loss": information_loss,
    }
    result["metrics"] = metric_values(result)
    return result


def _total(totals: pd.DataFrame) -> pd.Series:
    return totals.groupby("period")["total"].sum().sort_index()
