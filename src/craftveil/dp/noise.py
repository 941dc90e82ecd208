"""From bounded cell totals to published DP values: noise, accuracy, reliability.

Counts and sums get one draw of discrete Gaussian or discrete Laplace noise per cell, with the
scale calibrated by OpenDP's privacy maps for the statistic's sensitivity, L0 and ρ share. A mean
is a noisy sum divided by a noisy vendor count, each with half of the share; its standard
deviation is the delta-method approximation √(SD_sum² + mean²·SD_count²) / count (post-processing,
so no extra budget, but the margin 1.96·SD is approximate). Medians and quantiles use OpenDP's
private quantile on the vendors' clamped values per cell; the exponential mechanism has no
data-free standard deviation, so they carry no margin and no reliability flag.
"""

from __future__ import annotations

import itertools
import math

import pandas as pd

from craftveil.dp import mechanisms
from craftveil.dp.bounding import BoundedCells, IntegerBounds
from craftveil.dp.calibration import Calibration
from craftveil.dp.draws import NoiseDraws, NoiseRequest, add
from craftveil.dp.results import DPValue, assess
from craftveil.policy.dp import DPPolicy, DPStatistic

Z_95 = 1.959963984540054
_MAX_QUANTILE_CANDIDATES = 1001


def public_cells(policy: DPPolicy, statistic: DPStatistic) -> pd.DataFrame:
    """Every cell of the declared taxonomy (public keys): the Cartesian product of its values."""
    if not statistic.cells:
        return pd.DataFrame(index=[0])
    values = [policy.taxonomy[c] for c in statistic.cells]
    return pd.DataFrame(list(itertools.product(*values)), columns=statistic.cells)


def _aligned(
    policy: DPPolicy,
    statistic: DPStatistic,
    bounded: BoundedCells,
    selected: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per published cell — the taxonomy's, or the privately ``selected`` ones."""
    if selected is not None and selected.empty:
        return pd.DataFrame({**{c: [] for c in statistic.cells}, "total": [], "vendors": []})
    cells = public_cells(policy, statistic) if selected is None else selected[statistic.cells]
    if statistic.cells:
        merged = cells.merge(bounded.cells, on=statistic.cells, how="left")
    else:
        merged = cells.assign(**{str(k): v for k, v in bounded.cells.iloc[0].to_dict().items()})
    return merged.fillna({"total": 0, "vendors": 0})


def _cell_dicts(table: pd.DataFrame, statistic: DPStatistic) -> list[dict[str, str]]:
    if not statistic.cells:
        return [{} for _ in range(len(table))]
    columns = [table[c].astype(str).tolist() for c in statistic.cells]
    return [
        dict(zip(statistic.cells, values, strict=True)) for values in zip(*columns, strict=True)
    ]


def noise_requests(
    policy: DPPolicy, statistic: DPStatistic, limits: IntegerBounds, rho: float, cells: int
) -> dict[str, NoiseRequest]:
    """The noise vectors a count, sum or mean over ``cells`` cells needs (none for quantiles).

    A mean is a noisy sum and a noisy vendor count, each with half of ``rho``.
    """

    def request(part: str, sensitivity: int, share: float) -> NoiseRequest:
        return NoiseRequest(
            statistic.name, part, policy.mechanism, sensitivity, limits.cells_per_vendor,
            share, cells,
        )  # fmt: skip

    if statistic.kind in {"count_vendors", "count_sales", "sum"}:
        return {"value": request("value", limits.sensitivity, rho)}
    if statistic.kind == "mean":
        half = rho / 2.0
        return {"sum": request("sum", limits.sensitivity, half), "count": request("count", 1, half)}
    return {}


def noisy_values(
    policy: DPPolicy,
    statistic: DPStatistic,
    bounded: BoundedCells,
    limits: IntegerBounds,
    rho: float,
    selected: pd.DataFrame | None = None,
    draws: NoiseDraws | None = None,
) -> tuple[list[DPValue], Calibration]:
    """Noisy cell values of one statistic and the calibration used.

    ``selected``: the cells chosen by private partition selection (keys: private); otherwise
    every cell of the taxonomy is published. ``draws``: noise drawn ahead for the same requests
    (:func:`noise_requests`), taken once each; without it the noise is drawn here.
    """
    if draws is None:
        draws = NoiseDraws()
    table = _aligned(policy, statistic, bounded, selected)
    requests = noise_requests(policy, statistic, limits, rho, len(table))
    unit = statistic.money_minor_units if statistic.kind in {"sum", "mean"} else 1
    nonnegative = limits.lower >= 0
    if statistic.kind in {"count_vendors", "count_sales", "sum"}:
        column = "vendors" if statistic.kind == "count_vendors" else "total"
        cal, noise = draws.take(requests["value"])
        noisy = add(table[column].astype("int64").tolist(), noise)
        values = [
            assess(
                statistic.name,
                cell,
                n / unit,
                cal.noise_sd / unit,
                cal.margin_of_error_95 / unit,
                nonnegative=nonnegative,
            )
            for cell, n in zip(_cell_dicts(table, statistic), noisy, strict=True)
        ]
        return values, cal
    if statistic.kind == "mean":
        sums = draws.take(requests["sum"])
        counts = draws.take(requests["count"])
        return _means(statistic, table, sums, counts, nonnegative)
    return _quantiles(statistic, bounded, table, limits, rho)


def selected_counts(
    statistic: DPStatistic, selected: pd.DataFrame, scale: float
) -> tuple[list[DPValue], Calibration]:
    """count_vendors with private keys: the selection's own noisy vendor counts are the values.

    They are the output of OpenDP's Gaussian threshold (discrete Gaussian of ``scale``), so their
    SD and margin are those of that noise; kept cells are biased upwards by the selection.
    """
    cal = Calibration(
        scale,
        mechanisms.noise_standard_deviation("gaussian", scale),
        mechanisms.margin_of_error("gaussian", scale),
    )
    values = [
        assess(statistic.name, cell, float(n), cal.noise_sd, cal.margin_of_error_95)
        for cell, n in zip(
            _cell_dicts(selected, statistic), selected["noisy_vendors"].tolist(), strict=True
        )
    ]
    return values, cal


def _means(
    statistic: DPStatistic,
    table: pd.DataFrame,
    sum_noise: tuple[Calibration, list[int]],
    count_noise: tuple[Calibration, list[int]],
    nonnegative: bool,
) -> tuple[list[DPValue], Calibration]:
    unit = statistic.money_minor_units
    sum_cal, count_cal = sum_noise[0], count_noise[0]
    sums = add(table["total"].astype("int64").tolist(), sum_noise[1])
    counts = add(table["vendors"].astype("int64").tolist(), count_noise[1])
    values: list[DPValue] = []
    cells = _cell_dicts(table, statistic)
    for cell, noisy_sum, noisy_count in zip(cells, sums, counts, strict=True):
        if noisy_count <= 0:
            values.append(
                DPValue(statistic.name, cell, None, None, None, None, False, "noisy count ≤ 0")
            )
            continue
        mean = noisy_sum / noisy_count
        sd = math.sqrt(sum_cal.noise_sd**2 + mean**2 * count_cal.noise_sd**2) / noisy_count
        value = assess(
            statistic.name, cell, mean / unit, sd / unit, Z_95 * sd / unit, nonnegative=nonnegative
        )
        values.append(value)
    return values, sum_cal


def quantile_candidates(limits: IntegerBounds) -> list[int]:
    """An integer grid of at most 1001 candidates from lower to upper (inclusive)."""
    span = limits.upper - limits.lower
    step = max(1, math.ceil(span / (_MAX_QUANTILE_CANDIDATES - 1)))
    grid = list(range(limits.lower, limits.upper + 1, step))
    return grid if grid[-1] == limits.upper else [*grid, limits.upper]


def _quantiles(
    statistic: DPStatistic,
    bounded: BoundedCells,
    table: pd.DataFrame,
    limits: IntegerBounds,
    rho: float,
) -> tuple[list[DPValue], Calibration]:
    levels = statistic.quantiles if statistic.kind == "quantiles" else [0.5]
    candidates = quantile_candidates(limits)
    scale = mechanisms.calibrate_quantile_scale(
        len(candidates), limits.cells_per_vendor, rho / len(levels)
    )
    unit = statistic.money_minor_units
    vendor_values = bounded.vendor_values
    if vendor_values is None:
        raise TypeError("quantiles need per-vendor values")  # bound() provides them
    groups: dict[tuple[str, ...], pd.DataFrame] = (
        {
            tuple(str(k) for k in (key if isinstance(key, tuple) else (key,))): frame
            for key, frame in vendor_values.groupby(statistic.cells)
        }
        if statistic.cells
        else {(): vendor_values}
    )
    values: list[DPValue] = []
    for cell in _cell_dicts(table, statistic):
        key = tuple(cell[c] for c in statistic.cells)
        frame = groups.get(key)
        data = [] if frame is None else frame.iloc[:, -1].astype("int64").tolist()
        for level in levels:
            chosen = mechanisms.private_quantile(data, candidates, level, scale)
            where = {**cell, "quantile": f"{level:g}"} if statistic.kind == "quantiles" else cell
            values.append(DPValue(statistic.name, where, chosen / unit, None, None, None, None))
    return values, Calibration(scale, math.nan, math.nan)
