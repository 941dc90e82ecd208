"""Complementary (secondary) suppression over all linked tables: exact, or modular + repair.

Two methods, both ending in a pattern that the modelled attacker of milp.py cannot narrow on
the *whole* linked system (every table, every hierarchy level, shared cells once):

* ``exact`` — one MILP over the whole system with cutting planes (Fischetti & Salazar-González
  2000; τ-Argus OPTIMAL; milp.py). Best on flat and small systems: on the 5,733-cell flat
  benchmark it suppresses 42 % fewer cells than τ-Argus MODULAR (benchmarks/sdc/README.md).
* ``modular`` — HiTaS (de Wolf 2002; τ-Argus MODULAR; ESSnet handbook §4.4.3): protect the
  non-hierarchical subtables top-down, each exactly, carrying the status of shared cells
  (modular.py); then check the whole system and *repair* every primary side the linked
  attacker can still narrow, with the whole-system cuts in monotone rounds (the pattern only
  grows). On a 10,400-cell 3-dimensional hierarchical system the exact Benders loop does not
  converge in reasonable time, while the subtables converge in a few rounds each.
* ``auto`` (default) picks ``modular`` when some dimension has a hierarchy level between its
  leaves and its total and the system has at least ``MODULAR_MIN_CELLS`` cells, else ``exact``.

Both methods finish by publishing again every secondary cell that is exactly derivable (the
only suppression of some relation whose other cells are published): its value is known
anyway, so this never narrows any attacker interval (Hundepool et al., *Statistical
Disclosure Control*, 2012, §4.4: such a suppression protects nothing). The true-attacker
audit (audit.py) is the arbiter afterwards; protect.py fails closed when it does not pass.
"""

from __future__ import annotations

import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

import numpy as np

from craftveil.errors import PrivacyRequirementError
from craftveil.sdc.audit import cell_bounds
from craftveil.sdc.cells import CellSystem
from craftveil.sdc.milp import Problem, Solution, solve
from craftveil.sdc.modular import Subtable, cluster_protection, is_hierarchical, subtables

LOG = logging.getLogger(__name__)
Method = Literal["auto", "exact", "modular"]
MODULAR_MIN_CELLS = 2_000
# cost factor for suppressing a cell an already-protected subtable published (HiTaS: forbidden)
PUBLISHED_PENALTY = 1_000.0
# extra cost per later subtable a cell is shared with (suppressing it there is carried along)
MARGIN_COST = 1.0
# share of its cluster's protection level a carried cell must get in later subtables; 0 was
# measured best on the hierarchical benchmark (docs/decisions/0005-modular-suppression.md)
CARRY_FRACTION = 0.0
# branch-and-bound nodes per MILP round (whole system / one subtable): deterministic limits, so
# the same tables always get the same pattern (a wall-clock limit would let two runs of one
# release publish different cells, which an attacker could combine)
ROUND_NODE_LIMIT = 2_000
SUBTABLE_NODE_LIMIT = 200


@dataclass
class SecondaryReport:
    """What the optimisation did: method, rounds, cuts, cells and value suppressed, time.

    ``rounds``/``cuts``/``mip_gap`` are those of the whole-system loop (for ``modular`` the
    repair loop); ``subtables`` and ``subtable_rounds`` count the modular pass, ``repaired``
    the cells the repair added and ``pruned`` the derivable secondaries published again;
    ``timed_out_rounds`` counts MILP rounds stopped by the wall-clock guard rather than the
    deterministic node limit (0 means the pattern is reproducible on any machine).
    """

    rounds: int
    cuts: int
    secondary_cells: int
    secondary_value: float
    seconds: float
    mip_gap: float
    method: str = "exact"
    subtables: int = 0
    subtable_rounds: int = 0
    subtable_failures: int = 0
    repaired: int = 0
    pruned: int = 0
    timed_out_rounds: int = 0


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, e.g. a container's limit), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # platforms without sched_getaffinity
        return os.cpu_count() or 1


def choose_method(system: CellSystem, method: Method = "auto") -> Literal["exact", "modular"]:
    """``auto``: modular on hierarchical systems of ≥ MODULAR_MIN_CELLS cells, else exact."""
    if method != "auto":
        return method
    return "modular" if is_hierarchical(system) and system.size >= MODULAR_MIN_CELLS else "exact"


def _model_upper(system: CellSystem) -> np.ndarray:
    """U per cell: the grand total (largest |value|) of the cell's measure column."""
    cells = system.cells
    grand = cells.groupby("measure_column")["value"].transform(lambda v: v.abs().max())
    return grand.to_numpy(dtype=float)


def _whole_problem(system: CellSystem, fixed: np.ndarray) -> Problem:
    cells = system.cells
    value = cells["value"].to_numpy(dtype=float)
    primary = (cells["status"] == "primary").to_numpy()
    lower, _ = cell_bounds(system)
    upper = _model_upper(system)
    n = len(cells)
    return Problem(
        value=value,
        lower=lower,
        upper=upper,
        vendors=cells["vendors"].to_numpy(),
        relations=system.relations,
        upper_protection=np.where(primary, cells["upper_protection"].to_numpy(dtype=float), 0),
        lower_protection=np.where(primary, cells["lower_protection"].to_numpy(dtype=float), 0),
        protected=primary,
        fixed=fixed | primary,
        weights=1.0 + np.abs(value) / (1.0 + upper * max(1, n)),
    )


@dataclass
class _ModularPass:
    suppressed: np.ndarray
    subtables: int
    rounds: int
    failures: int
    timed_out: int = 0


def _waves(order: list[Subtable], size: int) -> list[list[int]]:
    """Group the ordered subtables into waves of cell-disjoint subtables.

    A subtable goes into the wave after the latest wave holding a subtable it shares a cell
    with, so every subtable still comes after each earlier subtable it depends on: solving a
    wave's subtables in any order or at once gives exactly the sequential result.
    """
    last = np.full(size, -1)
    waves: list[list[int]] = []
    for i, sub in enumerate(order):
        wave = int(last[sub.cells].max(initial=-1)) + 1
        last[sub.cells] = wave
        if wave == len(waves):
            waves.append([])
        waves[wave].append(i)
    return waves


def _subtable_problem(
    whole: Problem,
    sub: Subtable,
    suppressed: np.ndarray,
    upl: np.ndarray,
    lpl: np.ndarray,
    penalty: np.ndarray,
) -> Problem:
    """The subtable's own problem: its suppressed cells fixed and protected, its relations."""
    cells = sub.cells
    need = suppressed[cells]
    return Problem(
        value=whole.value[cells],
        lower=whole.lower[cells],
        upper=whole.upper[cells],
        vendors=whole.vendors[cells],
        relations=[np.searchsorted(cells, rel) for rel in sub.relations],
        upper_protection=np.where(need, upl[cells], 0.0),
        lower_protection=np.where(need, lpl[cells], 0.0),
        protected=need,
        fixed=need,
        weights=whole.weights[cells] * penalty,
        ids=cells,
    )


def _modular_pass(
    system: CellSystem,
    whole: Problem,
    *,
    max_rounds: int,
    subtable_exact_rounds: int,
    mip_rel_gap: float,
    node_limit: int | None,
    threads: int,
) -> _ModularPass:
    """Protect each subtable top-down, carrying shared cells' status (modular.py).

    Cell-disjoint subtables of one wave (:func:`_waves`) are solved on ``threads`` threads
    (HiGHS releases the GIL while it solves); the pattern is the sequential one.
    """
    suppressed = whole.protected.copy()
    protected = whole.protected.copy()
    upl = whole.upper_protection.copy()
    lpl = whole.lower_protection.copy()
    decided = np.zeros(whole.size, dtype=bool)
    solved = rounds = failures = timed_out = 0
    order = subtables(system)
    pending = np.zeros(whole.size)  # how many subtables still to come hold each cell
    for sub in order:
        pending[sub.cells] += 1

    def run(problem: Problem) -> Solution | PrivacyRequirementError:
        try:
            return solve(
                problem,
                max_rounds=max_rounds,
                exact_rounds=subtable_exact_rounds,
                mip_rel_gap=mip_rel_gap,
                round_node_limit=node_limit,
            )
        except PrivacyRequirementError as exc:  # the whole-system repair takes over
            return exc

    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        for wave in _waves(order, whole.size):
            batch: list[tuple[Subtable, Problem]] = []
            for sub in (order[i] for i in wave):
                cells = sub.cells
                pending[cells] -= 1
                if not suppressed[cells].any():
                    decided[cells] = True
                    continue
                penalty = np.where(decided[cells] & ~suppressed[cells], PUBLISHED_PENALTY, 1.0)
                penalty = penalty * (1.0 + MARGIN_COST * pending[cells])
                batch.append((sub, _subtable_problem(whole, sub, suppressed, upl, lpl, penalty)))
            results = list(pool.map(run, [problem for _, problem in batch]))
            for (sub, problem), solution in zip(batch, results, strict=True):
                cells = sub.cells
                if isinstance(solution, PrivacyRequirementError):
                    LOG.info("subtable %s not solved (%s); left to the repair", sub.key, solution)
                    failures += 1
                    decided[cells] = True
                    continue
                solved += 1
                rounds += solution.rounds
                timed_out += solution.timed_out
                LOG.debug(
                    "subtable %s (%d cells, %d to protect): %d rounds, %d suppressed",
                    sub.key,
                    len(cells),
                    int(problem.protected.sum()),
                    solution.rounds,
                    int(solution.suppressed.sum()),
                )
                new = cells[solution.suppressed & ~suppressed[cells]]
                suppressed[new] = True
                # carried cells: fixed and protected in every later subtable, at CARRY_FRACTION
                # of their cluster's level (0: they only have to stay suppressed and not be
                # alone in any relation there; the whole-system repair adds what the linked
                # attacker needs)
                level = cluster_protection(sub.relations, suppressed, protected, upl, cells)
                carry = np.isin(cells, new)
                level = CARRY_FRACTION * np.minimum(level[carry], np.abs(whole.value[cells[carry]]))
                upl[cells[carry]] = level
                lpl[cells[carry]] = level
                protected[new] = True
                decided[cells] = True
    return _ModularPass(suppressed, solved, rounds, failures, timed_out)


def prune_derivable(system: CellSystem, suppressed: np.ndarray, primary: np.ndarray) -> int:
    """Publish secondaries that are the only suppression of a relation (known exactly anyway).

    A cell is kept when publishing it would leave two single-vendor siblings as the only
    suppressions of a relation (the singleton trap the audit also checks). In place; returns
    how many cells were published again.
    """
    vendors = system.cells["vendors"].to_numpy()
    of_cell: dict[int, list[np.ndarray]] = {}
    for rel in system.relations:
        for c in rel:
            of_cell.setdefault(int(c), []).append(rel)
    pruned = 0
    changed = True
    while changed:
        changed = False
        for rel in system.relations:
            hidden = rel[suppressed[rel]]
            if len(hidden) != 1 or primary[hidden[0]]:
                continue
            cell = int(hidden[0])
            suppressed[cell] = False
            singleton = any(
                len(h := other[suppressed[other]]) == 2
                and not suppressed[other[0]]
                and bool((vendors[h] == 1).all())
                for other in of_cell[cell]
            )
            if singleton:
                suppressed[cell] = True
                continue
            pruned += 1
            changed = True
    return pruned


def secondary_suppression(
    system: CellSystem,
    *,
    method: Method = "auto",
    max_rounds: int = 500,
    exact_rounds: int = 15,
    mip_rel_gap: float = 1e-4,
    round_node_limit: int | None = ROUND_NODE_LIMIT,
    subtable_exact_rounds: int = 8,
    subtable_node_limit: int | None = SUBTABLE_NODE_LIMIT,
    threads: int | None = None,
) -> tuple[CellSystem, SecondaryReport]:
    """Choose complementary suppressions for all tables at once; status 'secondary' in place.

    ``threads`` (default: the machine's cores) solve cell-disjoint subtables of the modular
    pass at once; the pattern does not depend on it.
    """
    start = time.perf_counter()
    cells = system.cells
    primary = (cells["status"] == "primary").to_numpy()
    chosen = choose_method(system, method)
    whole = _whole_problem(system, primary)
    sub = _ModularPass(primary.copy(), 0, 0, 0)
    if chosen == "modular" and primary.any():
        sub = _modular_pass(
            system,
            whole,
            max_rounds=max_rounds,
            subtable_exact_rounds=subtable_exact_rounds,
            mip_rel_gap=mip_rel_gap,
            node_limit=subtable_node_limit,
            threads=threads if threads is not None else available_cores(),
        )
        whole.fixed = sub.suppressed.copy()
        LOG.info(
            "modular pass: %d subtables, %d rounds, %d suppressed; repairing the linked system",
            sub.subtables,
            sub.rounds,
            int(sub.suppressed.sum()),
        )
        solution = solve(
            whole,
            max_rounds=max_rounds,
            exact_rounds=1,
            mip_rel_gap=mip_rel_gap,
            round_node_limit=round_node_limit,
            closure=False,
        )
    else:
        solution = solve(
            whole,
            max_rounds=max_rounds,
            exact_rounds=exact_rounds,
            mip_rel_gap=mip_rel_gap,
            round_node_limit=round_node_limit,
        )
    suppressed = solution.suppressed | primary
    repaired = int((suppressed & ~sub.suppressed).sum()) if chosen == "modular" else 0
    pruned = prune_derivable(system, suppressed, primary)
    secondary = suppressed & ~primary
    value = whole.value
    cells["status"] = np.where(primary, "primary", np.where(secondary, "secondary", "published"))
    report = SecondaryReport(
        rounds=solution.rounds,
        cuts=solution.cuts,
        secondary_cells=int(secondary.sum()),
        secondary_value=float(np.abs(value[secondary]).sum()),
        seconds=time.perf_counter() - start,
        mip_gap=solution.mip_gap,
        method=chosen,
        subtables=sub.subtables,
        subtable_rounds=sub.rounds,
        subtable_failures=sub.failures,
        repaired=repaired,
        pruned=pruned,
        timed_out_rounds=solution.timed_out + sub.timed_out,
    )
    if report.timed_out_rounds:
        LOG.warning(
            "%d MILP rounds stopped at the wall-clock guard: this pattern may differ on a "
            "re-run on another machine",
            report.timed_out_rounds,
        )
    return system, report
