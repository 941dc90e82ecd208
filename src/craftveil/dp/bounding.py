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
list (all statistics sharing those cells are bounded together, and statistics with the same
per-(vendor, cell) value share its columns); only the cell-level table comes back to Python (plus
per-vendor values for medians and quantiles, which materialise the (vendor, cell) rows once).
The bounding-impact figures are computed on the raw data and are NOT differentially private:
they are for the steward's report, not for publication as is.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.datatypes as dt
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


@ibis.udf.scalar.builtin(name="hash")  # type: ignore[untyped-decorator]
def _engine_hash(value: str) -> dt.uint64:
    """The engine's own non-cryptographic hash (DuckDB and Spark both have ``hash``).

    Ibis's ``.hash()`` wraps DuckDB's unsigned result in a BIT → BIGINT cast, which cost ~25 %
    of the bounding query; ordering needs no sign, so the raw hash is used.
    """


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
    rank = ibis.row_number().over(group_by=grouped[vendor_column], order_by=_engine_hash(key))
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


def _value_signature(stat: DPStatistic) -> tuple[object, ...]:
    """What determines a statistic's per-(vendor, cell) integer: equal ones share columns."""
    if stat.kind in {"count_vendors", "count_sales"}:
        return (stat.kind,)
    return ("measure", stat.column, stat.vendor_value, stat.money_minor_units)


def _bound_group(
    source: ibis.Table, group: list[DPStatistic], vendor_column: str, salt: str
) -> tuple[dict[str, BoundedCells], int]:
    cells = list(group[0].cells)
    table = pre_aggregate(source, group, vendor_column, salt)
    # statistics with the same value and limits (a sum and a mean of one measure) share columns
    slots: dict[tuple[object, ...], int] = {}
    slot_of: dict[str, int] = {}
    columns: dict[str, ibis.Value] = {}
    for stat in group:
        limits = integer_bounds(stat)
        signature = (*_value_signature(stat), limits)
        if signature not in slots:
            index = slots[signature] = len(slots)
            value = vendor_cell_value(table, stat)
            # only used where the value is present, so LEAST/GREATEST need no NULL guard
            clamped = ibis.greatest(limits.lower, ibis.least(limits.upper, value))
            present = value.notnull()
            dropped = table[RANK] >= limits.cells_per_vendor
            columns |= {
                f"v{index}": value,
                f"c{index}": ibis.cases((present & ~dropped, clamped), else_=ibis.null("int64")),
                f"d{index}": present & dropped,
                f"x{index}": present & (dropped | (value != clamped)),
            }
        slot_of[stat.name] = slots[signature]
    wide = table.mutate(**columns)
    if any(stat.kind in {"median", "quantiles"} for stat in group):
        # quantiles also need the vendors' values: materialise once, query twice
        with wide.cache() as cached:
            per_cell_frame = _per_cell(cached, vendor_column, cells, len(slots))
            values = {
                stat.name: _vendor_values(cached, cells, slot_of[stat.name])
                for stat in group
                if stat.kind in {"median", "quantiles"}
            }
    else:  # ONE engine query from the raw rows to the cell-level table
        per_cell_frame = _per_cell(wide, vendor_column, cells, len(slots))
        values = {}
    result: dict[str, BoundedCells] = {}
    for stat in group:
        index = slot_of[stat.name]
        per_cell = per_cell_frame[[*cells, f"total{index}", f"vendors{index}"]].rename(
            columns={f"total{index}": "total", f"vendors{index}": "vendors"}
        )
        per_cell = per_cell[per_cell["vendors"] > 0].reset_index(drop=True)
        impact = _impact(per_cell_frame, index)
        result[stat.name] = BoundedCells(per_cell, values.get(stat.name), impact)
    return result, int(per_cell_frame["all_vendors"].sum())


def _vendor_values(wide: ibis.Table, cells: list[str], index: int) -> pd.DataFrame:
    kept = wide.filter(wide[f"c{index}"].notnull())
    frame: pd.DataFrame = kept.select(*cells, kept[f"c{index}"]).to_pandas()
    return frame


def _per_cell(wide: ibis.Table, vendor_column: str, cells: list[str], count: int) -> pd.DataFrame:
    """Per cell: bounded totals and the bounding-impact sums, in one aggregation.

    The per-vendor impact figures (vendors with a value, vendors that bounding changed) ride
    along: a window over each vendor's rows flags the vendor, and only the vendor's first row in
    the L0 order (rank 0: exactly one per vendor) counts it — so summing those columns over the
    cells counts every vendor once, without a second pass over the (vendor, cell) rows.
    """
    vendor = wide[vendor_column]
    first = (wide[RANK] == 0).cast("int64")
    flags: dict[str, ibis.Value] = {}
    for index in range(count):
        flags |= {
            f"p{index}": wide[f"v{index}"].notnull().cast("int64").max().over(group_by=vendor),
            f"w{index}": wide[f"x{index}"].cast("int64").max().over(group_by=vendor),
        }
    flagged = wide.mutate(_cv_first=first, **flags)
    # integer sums come back as int64 (DuckDB widens them to HUGEINT, i.e. Python Decimals);
    # the clamped totals fit, the unclamped ones are only used for shares (float)
    aggregates: dict[str, ibis.Value] = {"all_vendors": flagged["_cv_first"].sum().cast("int64")}
    for index in range(count):
        kept = flagged[f"c{index}"]
        first = flagged["_cv_first"]
        aggregates |= {
            f"total{index}": kept.sum().fill_null(0).cast("int64"),
            f"vendors{index}": kept.count(),
            f"original{index}": flagged[f"v{index}"].abs().cast("float64").sum().fill_null(0),
            f"kept{index}": kept.abs().cast("float64").sum().fill_null(0),
            f"pairs{index}": flagged[f"v{index}"].count(),
            f"dropped{index}": flagged[f"d{index}"].cast("int64").sum().fill_null(0).cast("int64"),
            f"units{index}": (first * flagged[f"p{index}"]).sum().cast("int64"),
            f"changed{index}": (first * flagged[f"w{index}"]).sum().cast("int64"),
        }
    grouped = flagged.group_by(cells) if cells else flagged
    frame: pd.DataFrame = grouped.aggregate(**aggregates).to_pandas().fillna(0)
    return frame


def _impact(per_cell: pd.DataFrame, index: int) -> BoundingImpact:
    def total(name: str) -> float:
        return float(per_cell[f"{name}{index}"].sum())

    vendors = int(total("units"))
    original, kept, pairs = total("original"), total("kept"), total("pairs")
    return BoundingImpact(
        vendors=vendors,
        share_vendors_clipped=total("changed") / vendors if vendors else 0.0,
        share_total_clamped_away=max(original - kept, 0.0) / original if original else 0.0,
        share_vendor_cells_dropped=total("dropped") / pairs if pairs else 0.0,
    )
