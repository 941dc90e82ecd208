"""``bounds: choose_privately`` — L0 and the clamp ceiling chosen by DP quantiles.

When the steward cannot state bounds, a small share of the statistic's own budget chooses them
from the data, privately, as Tumult Analytics and OpenDP's tutorials suggest: first L0, the 90th
percentile of the number of cells per vendor (each vendor adds one value, so d_in = 1), then the
ceiling, the 95th percentile of the per-(vendor, cell) values over each vendor's first L0 cells in
the release's salted order (each vendor adds at most L0 values, d_in = L0). Both use OpenDP's
private quantile (exponential mechanism) on a fixed candidate grid — linear for counts of cells
and rows, geometric (32 steps per factor of 10, 7.5 % apart) for money. The floor is 0: a
privately chosen clamp assumes non-negative measures. Half of ``CHOICE_SHARE`` pays for each
choice; the rest of the share pays the noise. The chosen bounds are DP outputs and are reported.

Limits: candidates above every value tie in the quantile score, so with few vendors or a small
budget the chosen ceiling can land anywhere above the data (we saw 1e6–6e10 for 300 values at
ρ = 0.005); with tens of thousands of values it lands within one grid step. Declare bounds when
you can — ``dp plan`` shows what they cost.
"""

from __future__ import annotations

import ibis

from craftveil.dp import mechanisms
from craftveil.dp.bounding import RANK, pre_aggregate, vendor_cell_value
from craftveil.policy.dp import NUMERIC_KINDS, DPBounds, DPStatistic

CHOICE_SHARE = 0.1
CELLS_QUANTILE = 0.9
VALUE_QUANTILE = 0.95
_MAX_L0 = 1000


def _money_grid(ceiling: int) -> list[int]:
    grid = {0, 1}
    value = 1.0
    while value < ceiling:
        value *= 10 ** (1 / 32)
        grid.add(round(value))
    return sorted(grid)


def choose_bounds(
    source: ibis.Table,
    statistic: DPStatistic,
    vendor_column: str,
    salt: str,
    rho: float,
    max_cells: int,
) -> DPBounds:
    """Bounds for ``statistic`` chosen with ρ (the choice's share), from DP quantiles."""
    table = pre_aggregate(source, [statistic], vendor_column, salt)
    per_vendor = table.group_by(vendor_column).aggregate(cells=table.count())
    cell_counts = per_vendor.to_pandas()["cells"].astype("int64").tolist()
    l0_candidates = list(range(1, max(1, min(max_cells, _MAX_L0)) + 1))
    half = rho / 2.0 if statistic.kind != "count_vendors" else rho
    scale = mechanisms.calibrate_quantile_scale(len(l0_candidates), 1, half)
    l0 = mechanisms.private_quantile(cell_counts, l0_candidates, CELLS_QUANTILE, scale)
    if statistic.kind == "count_vendors":
        return DPBounds(lower=0, upper=None, max_cells_per_vendor=l0)
    kept = table.filter(table[RANK] < l0)
    values_table = kept.select(value=vendor_cell_value(kept, statistic)).filter(
        ibis._.value.notnull()
    )
    values = values_table.to_pandas()["value"].astype("int64").tolist()
    linear = statistic.kind == "count_sales"
    candidates = list(range(1, 1001)) if linear else _money_grid(10**12)
    scale = mechanisms.calibrate_quantile_scale(len(candidates), 1, half, values_per_vendor=l0)
    ceiling = mechanisms.private_quantile(values, candidates, VALUE_QUANTILE, scale)
    unit = statistic.money_minor_units if statistic.kind in NUMERIC_KINDS else 1
    upper = max(ceiling, 1) / unit
    return DPBounds(lower=0, upper=upper, max_cells_per_vendor=l0)
