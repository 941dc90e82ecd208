"""Bounding in the engine: per (vendor, cell) pre-aggregation, L0 cell choice, clamping.

This is where the sensitivity that the privacy maps assume is made true (OpenDP's L0/L∞
contribution bounds; DP_NOTES.md): each vendor's rows in a cell are first combined into one
integer (a count, or a total / average of the measure in integer minor units), at most L0 cells
are kept per vendor, and each kept value is clamped to [lower, upper]. After that, adding or
removing one vendor changes at most L0 cells by at most max(|lower|, |upper|) each.

The L0 choice is a keyed pseudo-random permutation of each vendor's cells: cells are ranked by a
hash of (salt, vendor, cell) and the first L0 are kept. The choice depends only on the vendor's
own cells, so it does not change the sensitivity; the salt is fresh from ``secrets`` per release
(a fixed seed only in tests), so no one can predict or steer which cells are dropped.

Everything heavy runs as Ibis expressions on the source's own backend, in ONE query per cell
list (all statistics sharing those cells are bounded together); only the cell-level table comes
back to Python (plus per-vendor values for medians and quantiles). The bounding-impact figures
are computed on the raw data and are NOT differentially private: they are for the steward's
report, not for publication as is.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import pandas as pd

from craftveil.policy.dp import NUMERIC_KINDS, DPBounds, DPStatistic

RANK = "_cv_rank"
ROWS = "_cv_rows"


@dataclass(frozen=True)
class IntegerBounds:
    """The clamp and L0 of one statistic, in the integer units noise is added on."""

    lower: int
    upper: int
    cells_per_vendor: int

    @property
    def sensitivity(self) -> int:
        """Largest change of one cell when one vendor is added or removed (L∞)."""
        return max(abs(self.lower), abs(self.upper))


@dataclass(frozen=True)
class BoundingImpact:
    """How much data bounding removed (raw-data figures: for the steward, not DP)."""

    vendors: int
    share_vendors_clipped: float
    share_total_clamped_away: float
    share_vendor_cells_dropped: float


@dataclass(frozen=True)
class BoundedCells:
    """One statistic's bounded data: per-cell totals, or per-vendor values for quantiles."""

    cells: pd.DataFrame
    """Cell columns plus ``total`` (sum of clamped values) and ``vendors`` (vendors kept)."""
    vendor_values: pd.DataFrame | None
    """Cell columns plus the clamped per-vendor value (median / quantiles only)."""
    impact: BoundingImpact


@dataclass(frozen=True)
class Bounded:
    """Every statistic bounded, plus what the checks need: observed keys, number of vendors."""

    statistics: dict[str, BoundedCells]
    observed_keys: dict[str, set[str | None]]
    vendors: int


def integer_bounds(statistic: DPStatistic) -> IntegerBounds:
    """The statistic's clamp in integer units (minor units for money; 1 for count_vendors)."""
    bounds = statistic.bounds
    if not isinstance(bounds, DPBounds):
        raise TypeError("bounds must be chosen before bounding")  # callers check first
    if statistic.kind == "count_vendors":
        return IntegerBounds(1, 1, bounds.max_cells_per_vendor)
    scale = statistic.money_minor_units if statistic.kind in NUMERIC_KINDS else 1
    upper = bounds.upper if bounds.upper is not None else bounds.lower
    return IntegerBounds(
        math.floor(bounds.lower * scale), math.ceil(upper * scale), bounds.max_cells_per_vendor
    )


def new_salt(rng_seed: int | None) -> str:
    """The L0 choice's key: random per release, fixed only when a test passes a seed."""
    return f"seed-{rng_seed}" if rng_seed is not None else secrets.token_hex(16)


def _measure(stat: DPStatistic) -> str:
    return f"_cv_{stat.vendor_value}_{stat.column}"


def pre_aggregate(
    source: ibis.Table, statistics: Sequence[DPStatistic], vendor_column: str, salt: str
) -> ibis.Table:
    """One row per (vendor, cell): its rows, its measures, and its rank in the L0 order.

    Statistics passed together must share their cell list. Cells are compared as strings.
    """
    cells = list(statistics[0].cells)
    table = source.mutate(**{cell: source[cell].cast("string") for cell in cells})
    aggregates: dict[str, ibis.Value] = {ROWS: table.count()}
    for stat in statistics:
        if stat.kind in NUMERIC_KINDS and stat.column is not None:
            column = table[stat.column]
            combined = column.sum() if stat.vendor_value == "total" else column.mean()
            aggregates[_measure(stat)] = combined
    grouped = table.group_by([vendor_column, *cells]).aggregate(**aggregates)
    key = ibis.literal(salt) + "|" + grouped[vendor_column].cast("string")
    for cell in cells:
        key = key + "|" + grouped[cell].fill_null("")
    rank = ibis.row_number().over(group_by=grouped[vendor_column], order_by=key.hash())
    return grouped.mutate(**{RANK: rank})


def vendor_cell_value(table: ibis.Table, stat: DPStatistic) -> ibis.IntegerValue:
    """The integer a (vendor, cell) contributes before clamping (null: no measure there)."""
    if stat.kind == "count_vendors":
        return (table[ROWS] > 0).cast("int64")  # 1 for every (vendor, cell) present
    if stat.kind == "count_sales":
        return table[ROWS].cast("int64")
    scaled = (table[_measure(stat)] * stat.money_minor_units).round().cast("int64")
    return scaled


def bound_all(
    source: ibis.Table, statistics: Sequence[DPStatistic], vendor_column: str, salt: str
) -> Bounded:
    """Bound every statistic: one engine query per distinct cell list."""
    groups: dict[tuple[str, ...], list[DPStatistic]] = {}
    for stat in statistics:
        groups.setdefault(tuple(stat.cells), []).append(stat)
    bounded: dict[str, BoundedCells] = {}
    observed: dict[str, set[str | None]] = {}
    vendors = 0
    for cells, group in groups.items():
        result, group_vendors = _bound_group(source, group, vendor_column, salt)
        bounded |= result
        vendors = max(vendors, group_vendors)
        for cell in cells:
            frame = result[group[0].name].cells
            observed.setdefault(cell, set()).update(
                None if pd.isna(v) else str(v) for v in frame[cell].unique()
            )
    return Bounded(bounded, observed, vendors)


def _bound_group(
    source: ibis.Table, group: list[DPStatistic], vendor_column: str, salt: str
) -> tuple[dict[str, BoundedCells], int]:
    cells = list(group[0].cells)
    table = pre_aggregate(source, group, vendor_column, salt)
    columns: dict[str, ibis.Value] = {}
    for index, stat in enumerate(group):
        limits = integer_bounds(stat)
        value = vendor_cell_value(table, stat)
        clamped = value.clip(lower=limits.lower, upper=limits.upper)
        present = value.notnull()
        dropped = table[RANK] >= limits.cells_per_vendor
        columns |= {
            f"v{index}": value,
            f"c{index}": ibis.cases((present & ~dropped, clamped), else_=ibis.null("int64")),
            f"d{index}": present & dropped,
            f"x{index}": present & (dropped | (value != clamped)),
        }
    # one pass over the raw rows, materialised once; the rest runs on (vendor, cell) rows
    with table.mutate(**columns).cache() as wide:
        per_cell_frame = _per_cell(wide, cells, len(group))
        per_vendor = _per_vendor(wide, vendor_column, len(group))
        result: dict[str, BoundedCells] = {}
        for index, stat in enumerate(group):
            per_cell = per_cell_frame[[*cells, f"total{index}", f"vendors{index}"]].rename(
                columns={f"total{index}": "total", f"vendors{index}": "vendors"}
            )
            per_cell = per_cell[per_cell["vendors"] > 0].reset_index(drop=True)
            vendor_values = None
            if stat.kind in {"median", "quantiles"}:
                kept = wide.filter(wide[f"c{index}"].notnull())
                vendor_values = kept.select(*cells, kept[f"c{index}"]).to_pandas()
            impact = _impact(per_cell_frame, per_vendor, index)
            result[stat.name] = BoundedCells(per_cell, vendor_values, impact)
    return result, int(per_vendor["all_vendors"].iloc[0])


def _per_cell(wide: ibis.Table, cells: list[str], count: int) -> pd.DataFrame:
    aggregates: dict[str, ibis.Value] = {}
    for index in range(count):
        kept = wide[f"c{index}"]
        aggregates |= {
            f"total{index}": kept.sum(),
            f"vendors{index}": kept.count(),
            f"original{index}": wide[f"v{index}"].abs().sum(),
            f"kept{index}": kept.abs().sum(),
            f"pairs{index}": wide[f"v{index}"].count(),
            f"dropped{index}": wide[f"d{index}"].sum(),
        }
    grouped = wide.group_by(cells) if cells else wide
    frame: pd.DataFrame = grouped.aggregate(**aggregates).to_pandas().fillna(0)
    return frame


def _per_vendor(wide: ibis.Table, vendor_column: str, count: int) -> pd.DataFrame:
    """Per statistic: vendors with a value, and vendors that bounding changed (one row)."""
    flags: dict[str, ibis.Value] = {}
    for index in range(count):
        flags |= {
            f"p{index}": wide[f"v{index}"].notnull().cast("int64").max(),
            f"x{index}": wide[f"x{index}"].cast("int64").max(),
        }
    vendors = wide.group_by(vendor_column).aggregate(**flags)
    totals: dict[str, ibis.Value] = {"all_vendors": vendors.count()}
    for index in range(count):
        totals |= {
            f"units{index}": vendors[f"p{index}"].sum(),
            f"changed{index}": vendors[f"x{index}"].sum(),
        }
    frame: pd.DataFrame = vendors.aggregate(**totals).to_pandas().fillna(0)
    return frame


def _impact(per_cell: pd.DataFrame, per_vendor: pd.DataFrame, index: int) -> BoundingImpact:
    def total(name: str) -> float:
        frame = per_vendor if name in {"units", "changed"} else per_cell
        return float(frame[f"{name}{index}"].sum())

    vendors = int(total("units"))
    original, kept, pairs = total("original"), total("kept"), total("pairs")
    return BoundingImpact(
        vendors=vendors,
        share_vendors_clipped=total("changed") / vendors if vendors else 0.0,
        share_total_clamped_away=max(original - kept, 0.0) / original if original else 0.0,
        share_vendor_cells_dropped=total("dropped") / pairs if pairs else 0.0,
    )
