"""Primary sensitivity rules and protection levels, on per-vendor contributions.

Definitions from the ESSnet *Handbook on SDC* (ch. 4) and the τ-Argus manual, with
contributions x1 ≥ x2 ≥ … of the vendors (holdings) of a cell and X = Σ xi:

* frequency n: unsafe when N < n (τ-Argus ``FREQ``; NOT sdcTable's ``N <= maxN``); the field
  has no theory for its protection level, so τ-Argus's "safety range" (a percent of X) is used;
* (n,k) dominance: unsafe when x1+…+xn > (k/100)·X (strict); UPL = (100/k)(x1+…+xn) − X;
* p%: unsafe when X − x1 − … − x(c+1) < (p/100)·x1 (c intruders; c = 1 is the usual rule);
  UPL = (p/100)·x1 − (X − x1 − … − x(c+1));
* (p,q): the p% rule with p* = 100·p/q;
* zero: every contribution is 0.

The sensitivity of a cell is the largest of its rules' sensitivities; a cell is primary when
it is positive. The lower protection level equals the upper (symmetric, as in τ-Argus) but
is capped at X, because cells are ≥ 0 and an attacker can never push a cell below 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from craftveil.errors import DataError
from craftveil.policy.aggregates import Rules
from craftveil.sdc.cells import CellSystem

RULE_NAMES = ("frequency", "dominance", "p_percent", "pq", "zero")


def _top_sum(cells: pd.DataFrame, n: int) -> np.ndarray:
    cols = [f"top_{i + 1}" for i in range(n)]
    summed: np.ndarray = cells[cols].to_numpy(dtype=float).sum(axis=1)
    return summed


def p_percent_upper(cells: pd.DataFrame, total: np.ndarray, p: float, c: int) -> np.ndarray:
    """(p/100)·x1 − (X − x1 − … − x(c+1)); positive means unsafe."""
    x1 = cells["top_1"].to_numpy(dtype=float)
    upper: np.ndarray = (p / 100.0) * x1 - (total - _top_sum(cells, c + 1))
    return upper


def sensitivities(cells: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Per cell and rule: sensitivity (> 0 unsafe) and the upper protection level it asks."""
    has_negative = cells["min_contribution"].to_numpy(dtype=float) < 0
    magnitude = rules.dominance is not None or rules.p_percent is not None or rules.pq is not None
    if magnitude and has_negative.any() and rules.shadow_rule_for_negatives == "error":
        raise DataError(
            f"{int(has_negative.sum())} cell(s) have negative per-vendor contributions; "
            "dominance, p% and (p,q) rules assume contributions >= 0. Fix the data, or set "
            "aggregates.rules.shadow_rule_for_negatives: absolute_value to apply the rules "
            "to |x| (τ-Argus shadow variable)"
        )
    total = (
        cells["shadow_value"].to_numpy(dtype=float)
        if rules.shadow_rule_for_negatives == "absolute_value" and "shadow_value" in cells
        else cells["value"].to_numpy(dtype=float)
    )
    vendors = cells["vendors"].to_numpy(dtype=float)
    out = pd.DataFrame(index=cells.index)
    if rules.min_vendors is not None:
        unsafe = vendors < rules.min_vendors
        out["frequency"] = np.where(unsafe, 1.0, -1.0)
        out["frequency_upl"] = np.where(unsafe, rules.frequency_safety_range / 100.0 * total, 0)
    if rules.dominance is not None:
        n, k = rules.dominance
        top = _top_sum(cells, n)
        out["dominance"] = top - (k / 100.0) * total
        out["dominance_upl"] = (100.0 / k) * top - total
    if rules.p_percent is not None:
        s = p_percent_upper(cells, total, rules.p_percent, rules.intruders)
        out["p_percent"] = s
        out["p_percent_upl"] = s
    if rules.pq is not None:
        p, q = rules.pq
        s = p_percent_upper(cells, total, 100.0 * p / q, rules.intruders)
        out["pq"] = s
        out["pq_upl"] = s
    if rules.zero:
        zero = (cells["top_1"].to_numpy(dtype=float) == 0) & (vendors > 0)
        out["zero"] = np.where(zero, 1.0, -1.0)
        out["zero_upl"] = 0.0
    return out


def primary_suppression(system: CellSystem, rules: Rules) -> CellSystem:
    """Mark unsafe cells 'primary' with sensitivity and protection levels (in place, returned).

    Adds columns: status ('primary' | 'published'), sensitivity, unsafe_by (rule names),
    upper_protection, lower_protection.
    """
    cells = system.cells
    sens = sensitivities(cells, rules)
    names = [r for r in RULE_NAMES if r in sens]
    s = sens[names].to_numpy(dtype=float)
    upl = sens[[f"{r}_upl" for r in names]].to_numpy(dtype=float)
    unsafe = s > 0
    cells["sensitivity"] = s.max(axis=1)
    cells["unsafe_by"] = [
        ",".join(n for n, u in zip(names, row, strict=True) if u) for row in unsafe
    ]
    protection = np.where(unsafe, np.maximum(upl, 0.0), 0.0).max(axis=1)
    value = cells["value"].to_numpy(dtype=float)
    primary = unsafe.any(axis=1)
    cells["status"] = np.where(primary, "primary", "published")
    cells["upper_protection"] = np.where(primary, protection, 0.0)
    cells["lower_protection"] = np.where(primary, np.minimum(protection, np.abs(value)), 0.0)
    return system
