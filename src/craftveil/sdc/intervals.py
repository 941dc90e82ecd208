"""Confidence intervals for published totals, means and shares — vendor-level, never row-level.

A vendor's rows are not independent (one vendor's sales move together), so the sampling unit
is the vendor: the data are treated as a sample of vendors (clusters).

* ``analytic``: normal approximation for a total over a with-replacement sample of n vendors,
  Var(T) = n/(n−1)·Σ_v (y_v − ȳ)² with y_v the vendor's contribution to the cell (0 outside it),
  computed from the cell's Σy and Σy² (engine sums); the mean per vendor uses the within-cell
  standard error s/√N. Shares have no analytic interval here (use the bootstrap).
* ``cluster_bootstrap``: resample vendors with replacement (Efron & Tibshirani; Field & Welsh
  2007 for clustered data), recompute every cell's total, mean and share, and take percentile
  intervals. Seeded, so a release is reproducible.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse, stats

from craftveil.policy.aggregates import Confidence
from craftveil.sdc.cells import CellSystem


def analytic(system: CellSystem, level: float) -> pd.DataFrame:
    """Per cell: total_ci_low/high and mean_ci_low/high (mean per vendor)."""
    cells = system.cells
    n = max(system.vendor_count, 2)
    total = cells["value"].to_numpy(dtype=float)
    squares = cells["sum_squares"].to_numpy(dtype=float)
    vendors = cells["vendors"].to_numpy(dtype=float)
    z = float(stats.norm.ppf(0.5 + level / 2))
    var_total = n / (n - 1) * np.maximum(squares - total**2 / n, 0.0)
    se_total = np.sqrt(var_total)
    mean = total / np.maximum(vendors, 1)
    within = np.where(
        vendors > 1,
        np.maximum(squares - vendors * mean**2, 0.0) / np.maximum(vendors - 1, 1),
        np.nan,
    )
    se_mean = np.sqrt(within / np.maximum(vendors, 1))
    return pd.DataFrame(
        {
            "total_ci_low": total - z * se_total,
            "total_ci_high": total + z * se_total,
            "mean_ci_low": mean - z * se_mean,
            "mean_ci_high": mean + z * se_mean,
        },
        index=cells.index,
    )


def cluster_bootstrap(
    system: CellSystem, confidence: Confidence, parent_of_cell: pd.Series
) -> pd.DataFrame:
    """Percentile intervals from resampling vendors; shares use ``parent_of_cell``."""
    contributions = system.vendor_contributions
    if contributions is None:
        raise ValueError("cluster_bootstrap needs build_tables(..., keep_contributions=True)")
    vendors, vendor_index = np.unique(contributions["vendor"].astype(str), return_inverse=True)
    n_cells = len(system.cells)
    matrix = sparse.csr_matrix(
        (
            contributions["value"].to_numpy(dtype=float),
            (contributions["cell_id"].to_numpy(dtype=np.int64), vendor_index),
        ),
        shape=(n_cells, len(vendors)),
    )
    presence = matrix.copy()
    presence.data = np.ones_like(presence.data)
    rng = np.random.default_rng(confidence.seed)
    counts = rng.multinomial(
        len(vendors), np.full(len(vendors), 1 / len(vendors)), size=confidence.replicates
    ).T.astype(float)
    totals = np.asarray(matrix @ counts)
    members = np.asarray(presence @ counts)
    means = np.divide(totals, members, out=np.full_like(totals, np.nan), where=members > 0)
    parent = parent_of_cell.reindex(system.cells.index).to_numpy()
    has_parent = parent >= 0
    shares = np.full_like(totals, np.nan)
    parent_totals = totals[np.where(has_parent, parent, 0).astype(np.int64)]
    ok = has_parent[:, None] & (parent_totals != 0)
    np.divide(totals, parent_totals, out=shares, where=ok)
    alpha = (1 - confidence.level) / 2
    out = {}
    for name, reps in (("total", totals), ("mean", means), ("share", shares)):
        with np.errstate(all="ignore"):
            low = np.nanquantile(reps, alpha, axis=1) if np.isfinite(reps).any() else np.nan
            high = np.nanquantile(reps, 1 - alpha, axis=1) if np.isfinite(reps).any() else np.nan
        out[f"{name}_ci_low"] = low
        out[f"{name}_ci_high"] = high
    return pd.DataFrame(out, index=system.cells.index)
