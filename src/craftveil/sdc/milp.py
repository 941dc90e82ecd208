"""The exact complementary-suppression model: one MILP with cutting planes, solved by HiGHS.

Formulation (Fischetti & Salazar-González, "Models and algorithms for optimizing cell
suppression in tabular data with linear constraints", JASA 2000 — the model behind τ-Argus's
OPTIMAL method): a binary y_c per cell (1 = suppressed), the cells to protect fixed at 1,
minimising Σ w_c y_c.

Constraints: every relation holding a protected cell gets a capacity cut per direction (the
other cells of the relation must be able to absorb the protection level), a "not alone" cut,
and the singleton cut (a single-vendor cell may not share a relation with only one other
single-vendor suppression). Then, iteratively: solve the MILP, compute each protected cell's
attacker interval with a *modelled* attacker whose cells lie in [0, U] (U = the grand total of
the measure; tighter than the true attacker, so any pattern safe for it is safe for the audit),
and for every violated side add the Benders cut Σ_c (LB_c·r⁺_c + UB_c·r⁻_c)·y_c ≥ protection
from the LP's reduced costs r (weak duality: valid for every pattern, violated by the current
one). Stop when no cut is violated; the true-attacker audit (audit.py) is the arbiter afterwards.

After ``exact_rounds`` rounds the loop switches to *monotone* rounds: the cells suppressed so
far are fixed, so every later round only adds cells and the loop ends after at most
(cells − suppressed) rounds. The interval check first solves a small LP over the suppressed
cells within two relations of the protected cell (the attacker is told every other cell: a
better-informed attacker, so passing there is sufficient) and only falls back to the full
connected component when that fails (problems under ``LOCAL_CHECK_MIN_CELLS`` cells, such as
subtables, go straight to the one full LP, and so does a side that failed in the previous round
or any side once the round's full LP exists). Each round's MILP is first reduced to the cuts the
fixed cells do not already satisfy and then solved by HiGHS (highspy) with a relative gap, an
absolute gap of half a cell and a node limit (deterministic); any pattern that passes the
interval check is valid, so stopping early costs optimality, never safety.

The same :class:`Problem` serves three callers (secondary.py): the whole linked system
(method ``exact``), one non-hierarchical subtable at a time (method ``modular``, modular.py),
and the repair of a modular pattern on the whole system (``exact_rounds=1``: monotone from the
start, so the modular pattern only grows).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

from craftveil.errors import PrivacyRequirementError
from craftveil.sdc.audit import AttackerLP
from craftveil.sdc.highs import new_model

BIG = 1e12
# below this many cells one attacker LP per round over the whole problem is cheaper than the
# neighbourhood LPs (building an LP costs more than solving it on a small subtable)
LOCAL_CHECK_MIN_CELLS = 1_000
LOG = logging.getLogger(__name__)
# HiGHS MIP settings for the suppression rounds (measured on the hierarchical benchmark's
# slowest subtable MILPs, 100-odd binaries: 3-4x faster, same optima): no restart after root
# presolve (the restart re-ran the root cut loop, the bulk of the time); an absolute gap of
# half a cell (weights are 1 per cell plus a tie-break far below 1, so this still proves the
# fewest cells, only not the tie-break)
MIP_OPTIONS: dict[str, float | bool] = {"mip_allow_restart": False, "mip_abs_gap": 0.5}


@dataclass
class Problem:
    """One suppression problem over n cells (indices 0..n−1) and their additivity relations.

    ``lower``/``upper`` bound the modelled attacker (upper = U, finite); ``protected`` cells
    need an attacker interval reaching ``upper_protection`` above and ``lower_protection``
    below their value; ``fixed`` cells must be suppressed (lb = 1).
    """

    value: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    vendors: np.ndarray
    relations: list[np.ndarray]
    upper_protection: np.ndarray
    lower_protection: np.ndarray
    protected: np.ndarray
    fixed: np.ndarray
    weights: np.ndarray
    ids: np.ndarray | None = None  # the cells' ids in the whole system (a subtable's cells)

    @property
    def size(self) -> int:
        return len(self.value)

    def matrix(self) -> sparse.csr_matrix:
        """Rows: relations; +1 on the parent, −1 on each child (so M·x = 0)."""
        if not self.relations:
            return sparse.csr_matrix((0, self.size))
        rows = np.concatenate([np.full(len(r), i) for i, r in enumerate(self.relations)])
        cols = np.concatenate(self.relations)
        vals = np.concatenate([np.r_[1.0, -np.ones(len(r) - 1)] for r in self.relations])
        return sparse.csr_matrix((vals, (rows, cols)), shape=(len(self.relations), self.size))


@dataclass
class Solution:
    """The suppression pattern found and what the loop did."""

    suppressed: np.ndarray
    rounds: int
    cuts: int
    mip_gap: float
    timed_out: int = 0  # MILP rounds stopped by the wall-clock guard (result machine-dependent)


class _Cuts:
    def __init__(self, n: int) -> None:
        self.n = n
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.rhs: list[float] = []
        self._built: sparse.csr_matrix | None = None

    def add(self, cols: np.ndarray, vals: np.ndarray, rhs: float) -> None:
        keep = np.abs(vals) > 1e-9
        self.cols.append(cols[keep].astype(np.int64))
        self.vals.append(vals[keep])
        self.rhs.append(rhs)

    def matrix(self) -> sparse.csr_matrix:
        """All cuts as rows (built incrementally: only the cuts added since the last call)."""
        done = 0 if self._built is None else self._built.shape[0]
        if done < len(self.rhs):
            cols = self.cols[done:]
            rows = [np.full(len(c), i) for i, c in enumerate(cols)]
            block = sparse.csr_matrix(
                (np.concatenate(self.vals[done:]), (np.concatenate(rows), np.concatenate(cols))),
                shape=(len(cols), self.n),
            )
            self._built = (
                block if self._built is None else sparse.vstack([self._built, block], format="csr")
            )
        assert self._built is not None
        return self._built


def _initial_cuts(problem: Problem, cuts: _Cuts) -> None:
    value = problem.value
    protected = problem.protected
    vendors = problem.vendors
    lower = np.where(np.isinf(problem.lower), -BIG, problem.lower)
    room_down = value - lower  # how far a cell can fall
    room_up = problem.upper - value  # how far it can rise (modelled attacker)
    for rel in problem.relations:
        for pos, p in enumerate(rel):
            if not protected[p]:
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
            for protection, up in (
                (problem.upper_protection[p], True),
                (problem.lower_protection[p], False),
            ):
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
    problem: Problem,
    suppressed: np.ndarray,
    cell: int,
) -> AttackerLP:
    """Attacker LP over the suppressed cells within two relations of ``cell``.

    Every other cell is treated as published (known exactly): a *better-informed* attacker, so
    an interval wide enough here is wide enough for the real one — a sufficient check that
    keeps most LPs tiny. Only when it fails is the full-component LP solved.
    """
    mask = np.zeros(problem.size, dtype=bool)
    first = neighbours.indices[neighbours.indptr[cell] : neighbours.indptr[cell + 1]]
    first = first[suppressed[first]]
    hops = neighbours[first].indices
    mask[hops] = True
    mask[first] = True
    mask[cell] = True
    return AttackerLP(matrix, problem.value, problem.lower, problem.upper, suppressed & mask)


def _highs_binary(
    cost: np.ndarray, a: sparse.spmatrix, rhs: np.ndarray, options: dict[str, float | bool]
) -> tuple[np.ndarray, bool, float]:
    """min cost·y s.t. a·y ≥ rhs, y binary, by HiGHS (highspy); y, stopped by time, MIP gap."""
    n = len(cost)
    model = new_model(
        cost,
        (np.zeros(n), np.ones(n)),
        a,
        (rhs, np.full(a.shape[0], np.inf)),
        integer=True,
        options=options,
    )
    model.run()
    status = model.getModelStatus()
    info = model.getInfo()
    if info.primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
        raise PrivacyRequirementError(
            f"the suppression model has no solution ({model.modelStatusToString(status)})",
            what_would_help=["fewer or coarser tables", "a lower protection requirement"],
        )
    return (
        np.asarray(model.getSolution().col_value) > 0.5,
        status == highspy.HighsModelStatus.kTimeLimit,
        float(info.mip_gap),
    )


def _solve_round(
    weights: np.ndarray, cuts: _Cuts, lb: np.ndarray, options: dict[str, float | bool]
) -> tuple[np.ndarray, bool, float]:
    """One MILP round, reduced to the cuts the fixed cells do not already satisfy.

    A cut Σ a_c·y_c ≥ b is dropped when it holds for *every* choice of the free cells (the fixed
    cells' part plus the free cells' negative coefficients reaches b); a free cell in no
    remaining cut is left at 0 (weights are positive, so that is optimal). An exact reduction:
    the reduced MILP has the same optima. It keeps HiGHS's model small when most cells are
    fixed (the repair of a modular pattern fixes thousands) and skips rebuilding the whole cut
    matrix every round. Returns the pattern, whether the time guard stopped HiGHS, the MIP gap.
    """
    fixed = lb > 0.5
    x = fixed.copy()
    if not cuts.rhs:
        return x, False, 0.0
    a = cuts.matrix()
    rhs = np.asarray(cuts.rhs)
    fixed_part = a @ fixed.astype(float)
    worst = fixed_part + a.minimum(0) @ (~fixed).astype(float)
    open_rows = np.flatnonzero(worst < rhs - 1e-9)
    if len(open_rows) == 0:
        return x, False, 0.0
    sub = a[open_rows]
    free = np.flatnonzero(~fixed & (np.asarray(abs(sub).sum(axis=0)).ravel() > 0))
    if len(free) == 0:
        raise PrivacyRequirementError(
            "the suppression model has no solution (a protection need no free cell can meet)",
            what_would_help=["fewer or coarser tables", "a lower protection requirement"],
        )
    x[free], stopped, gap = _highs_binary(
        weights[free], sub[:, free], rhs[open_rows] - fixed_part[open_rows], options
    )
    return x, stopped, gap


def solve(
    problem: Problem,
    *,
    max_rounds: int = 500,
    exact_rounds: int = 15,
    mip_rel_gap: float = 1e-4,
    round_node_limit: int | None = None,
    round_time_limit: float = 600.0,
    closure: bool = True,
) -> Solution:
    """Run the MILP + cuts loop until every protected side passes the modelled attacker.

    ``closure=False`` leaves out the closure cuts (used by the repair of a fixed pattern, where
    they would only force partners for cells the pattern already suppresses).

    Each MILP round stops at ``round_node_limit`` branch-and-bound nodes (deterministic: the
    same problem gives the same pattern on any machine, so re-running a release publishes the
    same cells — two different patterns of one table could be combined by an attacker) or at
    the relative gap; ``round_time_limit`` is only a guard against a runaway round, and rounds
    it stops are counted in ``Solution.timed_out`` (their result depends on machine speed).
    """
    n = problem.size
    value = problem.value
    protected = problem.protected
    upl = problem.upper_protection
    lpl = problem.lower_protection
    room_down = np.where(np.isinf(problem.lower), BIG, value - problem.lower)
    room_up = problem.upper - value
    cuts = _Cuts(n)
    _initial_cuts(problem, cuts)
    lb = (problem.fixed | protected).astype(float)
    matrix = problem.matrix()
    structure = abs(matrix).astype(bool).astype(float)
    neighbours = (structure.T @ structure).tocsr()
    rounds = 0
    timed_out = 0
    gap = 0.0
    options: dict[str, float | bool] = {
        **MIP_OPTIONS,
        "mip_rel_gap": mip_rel_gap,
        "time_limit": round_time_limit,
    }
    if round_node_limit is not None:
        options["mip_max_nodes"] = round_node_limit
    # in monotone rounds the pattern only grows, so an interval wide enough stays wide enough
    monotone = False
    passed: set[tuple[int, bool]] = set()
    failing: set[tuple[int, bool]] = set()  # sides whose check failed in the previous round
    suppressed = lb > 0.5
    while protected.any():
        rounds += 1
        if rounds > max_rounds:
            raise PrivacyRequirementError(
                f"complementary suppression did not converge in {max_rounds} rounds",
                what_would_help=[
                    "coarser tables (fewer hierarchy levels or codes)",
                    "fewer linked tables in one release",
                ],
            )
        t_milp = time.perf_counter()
        suppressed, stopped, gap = _solve_round(problem.weights, cuts, lb, options)
        timed_out += stopped
        t_lp = time.perf_counter()
        full: AttackerLP | None = None
        now_failing: set[tuple[int, bool]] = set()
        added = 0
        for p in np.flatnonzero(protected):
            sides = [
                (maximise, protection)
                for maximise, protection in ((True, upl[p]), (False, lpl[p]))
                if protection > 0 and (int(p), maximise) not in passed
            ]
            if not sides:
                continue
            # the neighbourhood LP only saves time when it passes: a side that failed last
            # round (or any side once this round's full LP exists) goes to the full LP directly
            # — the same verdicts and cuts, since passing the neighbourhood implies passing it
            direct = (
                n < LOCAL_CHECK_MIN_CELLS
                or full is not None
                or any((int(p), maximise) in failing for maximise, _ in sides)
            )
            if direct and full is None:
                full = AttackerLP(matrix, value, problem.lower, problem.upper, suppressed)
            local = (
                full
                if direct and full is not None
                else _local_attacker(matrix, neighbours, problem, suppressed, int(p))
            )
            for maximise, protection in sides:
                tol = protection - 1e-6 * max(1.0, abs(value[p]))
                optimum, reduced = local.interval_side(int(p), maximise)
                reach = optimum - value[p] if maximise else value[p] - optimum
                if reach < tol and local is not full:
                    if full is None:
                        full = AttackerLP(matrix, value, problem.lower, problem.upper, suppressed)
                    optimum, reduced = full.interval_side(int(p), maximise)
                    reach = optimum - value[p] if maximise else value[p] - optimum
                if reach >= tol:
                    # from here on the pattern only grows (this round's is fixed next), so an
                    # interval wide enough now stays wide enough
                    if monotone or rounds >= exact_rounds:
                        passed.add((int(p), maximise))
                    continue
                coef = room_down * np.maximum(reduced, 0) + room_up * np.maximum(-reduced, 0)
                cols = np.flatnonzero(coef > 1e-9)
                cuts.add(cols, np.minimum(coef[cols], protection), protection)
                now_failing.add((int(p), maximise))
                added += 1
        failing = now_failing
        LOG.debug(
            "round %d: MILP %.1f s (%d cuts, %d suppressed), interval LPs %.1f s, %d new cuts",
            rounds,
            t_lp - t_milp,
            len(cuts.rhs),
            int(suppressed.sum()),
            time.perf_counter() - t_lp,
            added,
        )
        if closure:
            added += _closure_cuts(problem.relations, suppressed, cuts)
        if added == 0:
            break
        if rounds >= exact_rounds:
            lb = np.maximum(lb, suppressed.astype(float))
            monotone = True
    return Solution(
        suppressed=suppressed, rounds=rounds, cuts=len(cuts.rhs), mip_gap=gap, timed_out=timed_out
    )
