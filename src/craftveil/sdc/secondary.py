"""Complementary (secondary) suppression: one MILP over all linked tables, with cutting planes.

Formulation (Fischetti & Salazar-González, "Models and algorithms for optimizing cell
suppression in tabular data with linear constraints", JASA 2000 — the model behind τ-Argus's
OPTIMAL method): a binary y_c per cell (1 = suppressed), primaries fixed at 1, minimising
Σ w_c y_c with w_c = 1 + X_c / (1 + X_total): the number of suppressed cells first, the
suppressed value as the tie-break (X_total is the grand total of the cell's measure, so the
value term of all cells together is < 1 cell).

Constraints: every relation holding a primary gets a capacity cut per direction (the other
cells of the relation must be able to absorb the protection level), a "not alone" cut, and the
singleton cut (a single-vendor primary may not share a relation with only one other
single-vendor suppression). Then, iteratively: solve the MILP, compute each primary's attacker
interval with a *modelled* attacker whose cells lie in [0, U] (U = the grand total of the
measure; tighter than the true attacker, so any pattern safe for it is safe for the audit), and
for every violated side add the Benders cut Σ_c (LB_c·r⁺_c + UB_c·r⁻_c)·y_c ≥ protection from
the LP's reduced costs r (weak duality: valid for every pattern, violated by the current one).
Stop when no cut is violated; the true-attacker audit (audit.py) is the arbiter afterwards.

Scale: on large hierarchical systems Benders cuts converge slowly (each round may move the
pattern by one cell). After ``exact_rounds`` rounds the loop switches to *monotone* rounds:
the cells suppressed so far are fixed, so every later round only adds cells and the loop ends
after at most (cells − suppressed) rounds. Each round's MILP still covers all tables at once.
The interval check first solves a small LP over the suppressed cells within two relations of
the primary (the attacker is told every other cell: a better-informed attacker, so passing
there is sufficient) and only falls back to the full connected component when that fails.
HiGHS runs with a relative gap and a time limit per round; any pattern that passes the
interval check is valid, so stopping early costs optimality, never safety.

Known limit (benchmarks/sdc/README.md): on a 10,400-cell 3-dimensional hierarchical system the
cuts converge slowly and the monotone rounds over-suppress (far more than τ-Argus MODULAR);
a HiTaS-style top-down start over the non-hierarchical subtables is the planned remedy.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from craftveil.errors import PrivacyRequirementError
from craftveil.sdc.audit import AttackerLP, cell_bounds
from craftveil.sdc.cells import CellSystem

BIG = 1e12
LOG = logging.getLogger(__name__)


@dataclass
class SecondaryReport:
    """What the optimisation did: rounds, cuts, cells and value suppressed, time, objective."""

    rounds: int
    cuts: int
    secondary_cells: int
    secondary_value: float
    seconds: float
    mip_gap: float


class _Cuts:
    def __init__(self, n: int) -> None:
        self.n = n
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.rhs: list[float] = []

    def add(self, cols: np.ndarray, vals: np.ndarray, rhs: float) -> None:
        keep = np.abs(vals) > 1e-9
        self.cols.append(cols[keep].astype(np.int64))
        self.vals.append(vals[keep])
        self.rhs.append(rhs)

    def constraint(self) -> LinearConstraint:
        rows = [np.full(len(c), i) for i, c in enumerate(self.cols)]
        a = sparse.csr_matrix(
            (np.concatenate(self.vals), (np.concatenate(rows), np.concatenate(self.cols))),
            shape=(len(self.rhs), self.n),
        )
        return LinearConstraint(a, np.array(self.rhs), np.inf)


def _model_upper(system: CellSystem) -> np.ndarray:
    """U per cell: the grand total (largest |value|) of the cell's measure column."""
    cells = system.cells
    grand = cells.groupby("measure_column")["value"].transform(lambda v: v.abs().max())
    return grand.to_numpy(dtype=float)


def _initial_cuts(system: CellSystem, cuts: _Cuts, lower: np.ndarray, upper: np.ndarray) -> None:
    cells = system.cells
    value = cells["value"].to_numpy(dtype=float)
    primary = (cells["status"] == "primary").to_numpy()
    upl = cells["upper_protection"].to_numpy(dtype=float)
    lpl = cells["lower_protection"].to_numpy(dtype=float)
    vendors = cells["vendors"].to_numpy()
    room_down = value - lower  # how far a cell can fall
    room_up = upper - value  # how far it can rise (modelled attacker)
    for rel in system.relations:
        for pos, p in enumerate(rel):
            if not primary[p]:
                continue
            others = np.delete(rel, pos)
            cuts.add(others, np.ones(len(others)), 1.0)
            if vendors[p] == 1 and pos > 0:
                # among siblings (a parent's single vendor IS its only child's vendor)
                w = np.where((vendors[others] == 1) & (others != rel[0]), 0.5, 1.0)
                cuts.add(others, w, 1.0)
            # a child rising is absorbed by its parent rising or its siblings falling; a parent
            # rising needs its children to rise
            moves_with = np.ones(len(others), dtype=bool) if pos == 0 else others == rel[0]
            for protection, up in ((upl[p], True), (lpl[p], False)):
                if protection <= 0:
                    continue
                rises = moves_with if up else ~moves_with
                room = np.where(rises, room_up[others], room_down[others])
                cuts.add(others, np.minimum(room, protection), protection)


def _closure_cuts(relations: list[np.ndarray], suppressed: np.ndarray, cuts: _Cuts) -> int:
    """Lazy cuts y_c ≤ Σ_{R∖c} y: a suppressed cell alone in a relation is exactly derivable.

    Such a cell protects nothing (unsuppressing it leaves every attacker interval unchanged),
    so these cuts never remove the best pattern, and they push the MILP towards closed
    patterns (the hyper-rectangles of multi-dimensional tables) instead of one cell per round.
    """
    added = 0
    for rel in relations:
        hidden = rel[suppressed[rel]]
        if len(hidden) == 1:
            coef = np.ones(len(rel))
            coef[rel == hidden[0]] = -1.0
            cuts.add(rel, coef, 0.0)
            added += 1
    return added


def _local_attacker(
    matrix: sparse.csr_matrix,
    neighbours: sparse.csr_matrix,
    value: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    suppressed: np.ndarray,
    cell: int,
) -> AttackerLP:
    """Attacker LP over the suppressed cells within two relations of ``cell``.

    Every other cell is treated as published (known exactly): a *better-informed* attacker, so
    an interval wide enough here is wide enough for the real one — a sufficient check that
    keeps most LPs tiny. Only when it fails is the full-component LP solved.
    """
    mask = np.zeros(len(value), dtype=bool)
    first = neighbours.indices[neighbours.indptr[cell] : neighbours.indptr[cell + 1]]
    first = first[suppressed[first]]
    hops = neighbours[first].indices
    mask[hops] = True
    mask[first] = True
    mask[cell] = True
    return AttackerLP(matrix, value, lower, upper, suppressed & mask)


def secondary_suppression(
    system: CellSystem,
    *,
    max_rounds: int = 500,
    exact_rounds: int = 15,
    mip_rel_gap: float = 1e-4,
    round_time_limit: float = 60.0,
) -> tuple[CellSystem, SecondaryReport]:
    """Choose complementary suppressions for all tables at once; status 'secondary' in place."""
    start = time.perf_counter()
    cells = system.cells
    n = len(cells)
    value = cells["value"].to_numpy(dtype=float)
    primary = (cells["status"] == "primary").to_numpy()
    upl = cells["upper_protection"].to_numpy(dtype=float)
    lpl = cells["lower_protection"].to_numpy(dtype=float)
    lower, _ = cell_bounds(system)
    upper = _model_upper(system)
    room_down = np.where(np.isinf(lower), BIG, value - lower)
    room_up = upper - value
    grand = upper
    weights = 1.0 + np.abs(value) / (1.0 + grand * max(1, n))
    cuts = _Cuts(n)
    _initial_cuts(system, cuts, np.where(np.isinf(lower), -BIG, lower), upper)
    lb = primary.astype(float)
    matrix = system.relation_matrix()
    structure = abs(matrix).astype(bool).astype(float)
    neighbours = (structure.T @ structure).tocsr()
    rounds = 0
    gap = 0.0
    # in monotone rounds the pattern only grows, so an interval wide enough stays wide enough
    monotone = False
    passed: set[tuple[int, bool]] = set()
    suppressed = primary.copy()
    while primary.any():
        rounds += 1
        if rounds > max_rounds:
            raise PrivacyRequirementError(
                f"complementary suppression did not converge in {max_rounds} rounds",
                what_would_help=[
                    "coarser tables (fewer hierarchy levels or codes)",
                    "fewer linked tables in one release",
                ],
            )
        constraints = [cuts.constraint()] if cuts.rhs else []
        t_milp = time.perf_counter()
        res = milp(
            weights,
            constraints=constraints,
            integrality=np.ones(n),
            bounds=Bounds(lb, np.ones(n)),
            options={"mip_rel_gap": mip_rel_gap, "time_limit": round_time_limit},
        )
        if res.x is None:
            raise PrivacyRequirementError(
                f"the suppression model has no solution ({res.message})",
                what_would_help=["fewer or coarser tables", "a lower protection requirement"],
            )
        gap = float(getattr(res, "mip_gap", 0.0) or 0.0)
        suppressed = res.x > 0.5
        t_lp = time.perf_counter()
        full: AttackerLP | None = None
        added = 0
        for p in np.flatnonzero(primary):
            sides = [
                (maximise, protection)
                for maximise, protection in ((True, upl[p]), (False, lpl[p]))
                if protection > 0 and (int(p), maximise) not in passed
            ]
            if not sides:
                continue
            local = _local_attacker(matrix, neighbours, value, lower, upper, suppressed, int(p))
            for maximise, protection in sides:
                optimum, reduced = local.interval_side(int(p), maximise)
                reach = optimum - value[p] if maximise else value[p] - optimum
                if reach >= protection - 1e-6 * max(1.0, abs(value[p])):
                    if monotone:
                        passed.add((int(p), maximise))
                    continue  # safe even if the attacker knew every cell outside the neighbourhood
                if full is None:
                    full = AttackerLP(matrix, value, lower, upper, suppressed)
                optimum, reduced = full.interval_side(int(p), maximise)
                reach = optimum - value[p] if maximise else value[p] - optimum
                if reach >= protection - 1e-6 * max(1.0, abs(value[p])):
                    if monotone:
                        passed.add((int(p), maximise))
                    continue
                coef = room_down * np.maximum(reduced, 0) + room_up * np.maximum(-reduced, 0)
                cols = np.flatnonzero(coef > 1e-9)
                cuts.add(cols, np.minimum(coef[cols], protection), protection)
                added += 1
        LOG.info(
            "round %d: MILP %.1f s (%d cuts, %d suppressed), interval LPs %.1f s, %d new cuts",
            rounds,
            t_lp - t_milp,
            len(cuts.rhs),
            int(suppressed.sum()),
            time.perf_counter() - t_lp,
            added,
        )
        added += _closure_cuts(system.relations, suppressed, cuts)
        if added == 0:
            break
        if rounds >= exact_rounds:
            lb = np.maximum(lb, suppressed.astype(float))
            monotone = True
    secondary = suppressed & ~primary
    cells["status"] = np.where(primary, "primary", np.where(secondary, "secondary", "published"))
    report = SecondaryReport(
        rounds=rounds,
        cuts=len(cuts.rhs),
        secondary_cells=int(secondary.sum()),
        secondary_value=float(np.abs(value[secondary]).sum()),
        seconds=time.perf_counter() - start,
        mip_gap=gap,
    )
    return system, report
