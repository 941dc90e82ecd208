"""The reduced MILP round (milp._solve_round) against the unreduced model solved by scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from craftveil.errors import PrivacyRequirementError
from craftveil.sdc.milp import MIP_OPTIONS, _Cuts, _solve_round


def _random_cuts(rng: np.random.Generator, n: int) -> _Cuts:
    cuts = _Cuts(n)
    for _ in range(3 * n):
        cols = rng.choice(n, size=int(rng.integers(2, 8)), replace=False)
        if rng.random() < 0.2:  # a closure cut: y_c ≤ Σ others (negative coefficient)
            vals = np.ones(len(cols))
            vals[0] = -1.0
            cuts.add(cols, vals, 0.0)
        else:  # a capacity / Benders-style cut with coefficients up to the protection
            protection = float(rng.uniform(1, 100))
            vals = np.minimum(rng.uniform(0, 120, len(cols)), protection)
            vals[-1] = protection  # some cell can meet it alone: the model is feasible
            cuts.add(cols, vals, protection)
    return cuts


def _full_objective(weights: np.ndarray, cuts: _Cuts, lb: np.ndarray) -> float:
    res = milp(
        weights,
        constraints=[LinearConstraint(cuts.matrix(), np.asarray(cuts.rhs), np.inf)],
        integrality=np.ones(len(weights)),
        bounds=Bounds(lb, np.ones(len(weights))),
        options={"mip_rel_gap": 0.0},
    )
    assert res.x is not None
    return float(res.fun)


@pytest.mark.parametrize("seed", range(8))
def test_reduced_round_finds_the_optimum_of_the_full_model(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 40
    cuts = _random_cuts(rng, n)
    weights = 1.0 + rng.uniform(0, 1e-3, n)  # one per cell plus a small tie-break, as in use
    lb = (rng.random(n) < 0.3).astype(float)  # fixed cells (primaries, an earlier pattern)
    options = {**MIP_OPTIONS, "mip_rel_gap": 0.0}
    pattern, stopped, _ = _solve_round(weights, cuts, lb, options)
    assert not stopped
    a = cuts.matrix()
    assert (a @ pattern.astype(float) >= np.asarray(cuts.rhs) - 1e-6).all()  # feasible
    assert pattern[lb > 0.5].all()  # fixed cells stay suppressed
    # optimal up to the absolute gap of half a cell (the tie-break only)
    assert weights[pattern].sum() <= _full_objective(weights, cuts, lb) + 0.5


def test_a_cut_no_free_cell_can_meet_fails_closed() -> None:
    cuts = _Cuts(3)
    cuts.add(np.array([0, 1]), np.array([1.0, 1.0]), 5.0)  # needs 5 from two 0/1 cells
    with pytest.raises(PrivacyRequirementError, match="no solution"):
        _solve_round(np.ones(3), cuts, np.zeros(3), dict(MIP_OPTIONS))


def test_cuts_the_fixed_cells_satisfy_leave_the_other_cells_published() -> None:
    cuts = _Cuts(4)
    cuts.add(np.array([0, 2]), np.array([1.0, 1.0]), 1.0)
    cuts.add(np.array([0, 3]), np.array([1.0, 1.0]), 1.0)
    lb = np.array([1.0, 0.0, 0.0, 0.0])
    pattern, _, _ = _solve_round(np.ones(4), cuts, lb, dict(MIP_OPTIONS))
    assert pattern.tolist() == [True, False, False, False]
