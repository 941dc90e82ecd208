"""The attacker-interval audit: how far can anyone narrow each suppressed primary cell?

Attack model (ESSnet handbook ch. 4, τ-Argus "audit"): the attacker knows every published
cell of every table and every additivity relation (rows, columns, all hierarchy levels, all
linked tables), and that cells are ≥ 0 (when the cell has no negative contribution). For each
suppressed primary cell two linear programs (HiGHS through highspy) give the feasible interval
[X_min, X_max]; the pattern is safe iff X_max ≥ X + UPL and X_min ≤ X − LPL for every one.
Only suppressed cells are LP variables (published ones are constants), and each connected
component of suppressed cells is solved on its own — an exact reduction, not a heuristic.

One extra check covers the singleton trap: two suppressed single-vendor cells as the only
suppressions of a relation let each vendor compute the other's value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd
from scipy import sparse

from craftveil.errors import InternalError
from craftveil.sdc.cells import CellSystem
from craftveil.sdc.highs import new_model


@dataclass
class AuditResult:
    """Per suppressed primary cell: value, protection levels, attacker interval, verdict."""

    intervals: pd.DataFrame
    singleton_violations: list[int] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.intervals["passed"].all()) and not self.singleton_violations

    @property
    def failed_cells(self) -> list[int]:
        return [int(c) for c in self.intervals.index[~self.intervals["passed"]]]


class AttackerLP:
    """The published/suppressed split of a system, ready for per-cell interval LPs.

    One HiGHS model per connected component of suppressed cells is built once; each cell's
    two LPs only change the objective, so the simplex restarts from the previous basis.
    """

    def __init__(
        self,
        matrix: sparse.csr_matrix,
        value: np.ndarray,
        lower: np.ndarray,
        upper: np.ndarray,
        suppressed: np.ndarray,
    ) -> None:
        self.matrix = matrix
        # values are scaled so the largest is ~1000: HiGHS's absolute tolerances then hold for
        # sums of a million sales in cents as well as for counts
        self.scale = max(1.0, float(np.abs(value).max(initial=0.0)) / 1e3)
        value = value / self.scale
        lower = lower / self.scale
        upper = upper / self.scale
        self.value = value
        self.lower = lower
        self.upper = upper
        self.index = np.flatnonzero(suppressed)
        self.position = {int(c): i for i, c in enumerate(self.index)}
        csc = matrix.tocsc()
        sub = csc[:, self.index]
        rows = np.flatnonzero(np.diff(sub.tocsr().indptr) > 0)
        self.rows = rows
        self.sub = sub[rows, :].tocsc()
        published = np.flatnonzero(~suppressed)
        self.rhs = -(csc[rows, :][:, published] @ value[published])
        adjacency = (self.sub.T @ self.sub).tocsr()
        _, self.component = sparse.csgraph.connected_components(adjacency, directed=False)
        self._models: dict[int, tuple[highspy.Highs, np.ndarray, np.ndarray]] = {}
        self._matrix_t = matrix.T.tocsr()

    def _model(self, comp_id: int) -> tuple[highspy.Highs, np.ndarray, np.ndarray]:
        if comp_id in self._models:
            return self._models[comp_id]
        comp = np.flatnonzero(self.component == comp_id)
        a = self.sub[:, comp].tocsr()
        rows = np.flatnonzero(np.diff(a.indptr) > 0)
        a = a[rows, :].tocsc()
        cells = self.index[comp]
        model = new_model(
            np.zeros(len(comp)),
            (self.lower[cells], self.upper[cells]),
            a,
            (self.rhs[rows], self.rhs[rows]),
            options={"presolve": "off"},
        )
        self._models[comp_id] = (model, comp, rows)
        return self._models[comp_id]

    def interval_side(self, cell: int, maximise: bool) -> tuple[float, np.ndarray]:
        """Optimum of x_cell (max or min) and the full-system reduced costs for a cut."""
        pos = self.position[cell]
        model, comp, rows = self._model(int(self.component[pos]))
        local = int(np.searchsorted(comp, pos))
        sign = -1.0 if maximise else 1.0
        model.changeColsCost(len(comp), np.arange(len(comp), dtype=np.int32), np.zeros(len(comp)))
        model.changeColCost(local, sign)
        model.run()
        status = model.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            model.clearSolver()  # a warm start can drift numerically: retry from scratch once
            model.run()
            status = model.getModelStatus()
        if status in (
            highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return (np.inf if maximise else -np.inf), np.array([])
        if status != highspy.HighsModelStatus.kOptimal:
            raise InternalError(
                f"audit LP for cell {cell} ended with {model.modelStatusToString(status)}; "
                "this is probably a bug"
            )
        objective = float(model.getInfo().objective_function_value)
        gamma = np.zeros(self.matrix.shape[0])
        gamma[self.rows[rows]] = np.asarray(model.getSolution().row_dual)
        reduced = -(self._matrix_t @ gamma)
        reduced[cell] += sign
        optimum = (-objective if maximise else objective) * self.scale
        return optimum, reduced


def cell_bounds(system: CellSystem) -> tuple[np.ndarray, np.ndarray]:
    """What the attacker knows a priori: ≥ 0 unless the cell has a negative contribution."""
    value = system.cells["value"].to_numpy(dtype=float)
    nonneg = system.cells["min_contribution"].to_numpy(dtype=float) >= 0
    lower = np.where(nonneg, 0.0, -np.inf)
    return lower, np.full(len(value), np.inf)


def singleton_violations(system: CellSystem, suppressed: np.ndarray) -> list[int]:
    """Relations whose only suppressions are two single-vendor children (each sees the other).

    The vendor ids are not kept per cell, so two single-vendor siblings are assumed to be
    different vendors (conservative); a parent with one vendor has the same vendor as its child.
    """
    vendors = system.cells["vendors"].to_numpy()
    bad = []
    for i, rel in enumerate(system.relations):
        hidden = rel[suppressed[rel]]
        siblings = len(hidden) == 2 and not suppressed[rel[0]]
        if siblings and (vendors[hidden] == 1).all():
            bad.append(i)
    return bad


def audit(system: CellSystem, suppressed: np.ndarray | None = None) -> AuditResult:
    """Attacker intervals of every suppressed primary cell, from all published cells."""
    cells = system.cells
    if suppressed is None:
        suppressed = cells["status"].isin(["primary", "secondary"]).to_numpy()
    value = cells["value"].to_numpy(dtype=float)
    lower, upper = cell_bounds(system)
    lp = AttackerLP(system.relation_matrix(), value, lower, upper, suppressed)
    primaries = np.flatnonzero((cells["status"] == "primary").to_numpy())
    records = []
    for cell in primaries:
        if not suppressed[cell]:
            raise InternalError(f"primary cell {cell} is not suppressed; this is a bug")
        x_max, _ = lp.interval_side(int(cell), maximise=True)
        x_min, _ = lp.interval_side(int(cell), maximise=False)
        upl = float(cells["upper_protection"].iloc[cell])
        lpl = float(cells["lower_protection"].iloc[cell])
        x = value[cell]
        tol = 1e-6 * max(1.0, abs(x))
        ok = x_max >= x + upl - tol and x_min <= x - lpl + tol
        records.append((int(cell), x, upl, lpl, x_min, x_max, ok))
    intervals = pd.DataFrame.from_records(
        records,
        columns=[
            "cell_id",
            "value",
            "upper_protection",
            "lower_protection",
            "x_min",
            "x_max",
            "passed",
        ],
    ).set_index("cell_id")
    return AuditResult(intervals, singleton_violations(system, suppressed))
