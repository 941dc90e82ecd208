"""Globally optimal full-domain generalisation with record suppression (Flash-style pruning).

The lattice has one node per combination of hierarchy levels. Two monotonicity facts prune it
(Kohlmayer et al., "Flash", 2012; ARX): if a node is not admissible, no less generalised node is
(predictive tagging downwards); and the default objectives (non-uniform entropy, loss) only grow
with generalisation, so once an admissible node of cost L is known, every node costing >= L is
irrelevant. The search keeps the set of *candidates* — untagged nodes cheaper than the best
admissible node so far — and repeatedly checks a maximal candidate (highest level sum): a failure
tags its whole down-set, a success lowers the bound. It starts from a greedy descent from the top
node so the bound is good early; before any check, two-attribute marginals prove many nodes
inadmissible at once (``bounds.py``). When no candidate is left, the best node is optimal: every
cheaper node was checked or tagged inadmissible.

For requirements not monotone under suppression (entropy / recursive l-diversity, t-closeness,
average risk with a suppression limit > 0) only the monotone part (k, distinct l) tags down-sets;
the full check runs on every remaining candidate. Discernibility and AECS are not monotone, so
every node not tagged inadmissible is evaluated.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from craftveil.errors import PolicyError, Problem
from craftveil.hierarchies import Hierarchy
from craftveil.policy.risk import RiskPolicy
from craftveil.risk.bounds import suppression_lower_bound
from craftveil.risk.criteria import (
    NodeCheck,
    check_node,
    max_suppressed_rows,
    monotone_with_suppression,
)
from craftveil.risk.frequency import FrequencySet
from craftveil.risk.lattice import Encoding, Node, encode, predecessors_mask, top
from craftveil.risk.objectives import (
    SEPARABLE,
    FloatArray,
    level_costs,
    objective_value,
    separable_values,
)
from craftveil.risk.result import SearchResult
from craftveil.risk.suggestions import check_inputs, infeasible
from craftveil.risk.summary import summarise

MAX_OPTIMAL_NODES = 2_000_000  # beyond this the 'auto' search switches to the heuristic
MAX_OPTIMAL_QIS = 10
HARD_NODE_LIMIT = 50_000_000  # the optimal search keeps a table of all nodes


class LatticeSearch:
    """State of one search: node tags, the bound, and counters."""

    def __init__(
        self,
        fs: FrequencySet,
        enc: Encoding,
        policy: RiskPolicy,
        costs: tuple[FloatArray, ...] | None,
    ) -> None:
        self.fs, self.enc, self.policy = fs, enc, policy
        self.costs = costs
        self.nodes = enc.all_nodes()
        self.radix = np.cumprod((1, *enc.heights[:0:-1]))[::-1].astype(np.int64)
        self.loss = (
            separable_values(self.costs, self.nodes)
            if self.costs is not None
            else np.zeros(len(self.nodes))
        )
        self.inadmissible = np.zeros(len(self.nodes), dtype=bool)
        self.checked = np.zeros(len(self.nodes), dtype=bool)
        self.monotone = monotone_with_suppression(policy)
        self.pruned_by_bounds = 0
        if policy.k is not None:
            bound = suppression_lower_bound(fs, enc, self.nodes, policy.k)
            self.inadmissible |= bound > max_suppressed_rows(fs, policy)
            self.pruned_by_bounds = int(self.inadmissible.sum())
        self.evaluated = 0
        self.best: NodeCheck | None = None
        self.best_value = np.inf

    def index(self, node: Node) -> int:
        return int(np.dot(np.asarray(node, dtype=np.int64), self.radix))

    def check(self, node: Node) -> NodeCheck | None:
        """Check a node; tag down-sets on failure; return the check when admissible."""
        i = self.index(node)
        self.checked[i] = True
        self.evaluated += 1
        first = check_node(
            self.fs,
            self.enc,
            node,
            self.policy,
            only_monotone=not self.monotone,
        )
        if not first.admissible:
            self.inadmissible |= predecessors_mask(self.nodes, node)
            return None
        full = first
        if not self.monotone:
            full = check_node(self.fs, self.enc, node, self.policy, classes=first.classes)
        if not full.admissible:
            return None
        value = objective_value(self.fs, full, self.costs, self.policy.objective)
        if value < self.best_value:
            self.best, self.best_value = full, value
        return full

    def greedy_descent(self, deadline: float) -> None:
        """From the top node, step to the cheapest admissible direct predecessor until none is."""
        current = top(self.enc)
        while time.perf_counter() < deadline:
            below = [
                (*current[:q], current[q] - 1, *current[q + 1 :])
                for q in range(len(current))
                if current[q] > 0
            ]
            below.sort(key=lambda n: self.loss[self.index(n)])
            nxt = None
            for node in below:
                if self.inadmissible[self.index(node)] or self.checked[self.index(node)]:
                    continue
                if self.check(node) is not None:
                    nxt = node
                    break
            if nxt is None:
                return
            current = nxt

    def candidates(self) -> npt.NDArray[np.bool_]:
        open_ = ~self.inadmissible & ~self.checked
        if self.policy.objective in SEPARABLE:
            open_ &= self.loss < self.best_value
        return open_

    def run(self, deadline: float) -> bool:
        """Check maximal candidates until none is left (True) or time runs out (False)."""
        level_sum = self.nodes.sum(axis=1)
        while time.perf_counter() < deadline:
            open_ = self.candidates()
            if not open_.any():
                return True
            idx = np.flatnonzero(open_)
            pick = idx[np.lexsort((-self.loss[idx], -level_sum[idx]))[0]]
            self.check(tuple(int(v) for v in self.nodes[pick]))
        return not self.candidates().any()


def search(
    fs: FrequencySet, hierarchies: Mapping[str, Hierarchy], policy: RiskPolicy
) -> SearchResult:
    """Find the least-distorting admissible transformation, or raise PrivacyRequirementError."""
    started = time.perf_counter()
    enc = encode(fs, hierarchies)
    check_inputs(fs, policy)
    use_heuristic = policy.search == "heuristic" or (
        policy.search == "auto" and (enc.size > MAX_OPTIMAL_NODES or len(enc.qis) > MAX_OPTIMAL_QIS)
    )
    if policy.search == "optimal" and enc.size > HARD_NODE_LIMIT:
        raise PolicyError(
            [
                Problem(
                    "risk.search",
                    f"the lattice has {enc.size:,} transformations, too many to search to "
                    f"optimality (limit {HARD_NODE_LIMIT:,})",
                    "use search: auto or heuristic, coarsen hierarchies, or declare fewer QIs",
                )
            ]
        )
    costs = (
        level_costs(fs, enc, hierarchies, policy.objective)
        if policy.objective in SEPARABLE
        else None
    )
    if policy.local_recoding:
        if policy.l is not None or policy.t is not None or policy.max_average_risk is not None:
            raise PolicyError(
                [
                    Problem(
                        "risk.local_recoding",
                        "local recoding supports k only, not l, t or max_average_risk",
                        "set risk.local_recoding: false, or drop l / t / max_average_risk",
                    )
                ]
            )
        from craftveil.risk.local_recoding import mondrian_search

        return mondrian_search(fs, enc, policy, costs, started)
    top_check = check_node(fs, enc, top(enc), policy)
    if not top_check.admissible:
        raise infeasible(fs, enc, policy, top_check)
    if use_heuristic:
        from craftveil.risk.heuristic import heuristic_search

        return heuristic_search(fs, enc, policy, costs, started)
    state = LatticeSearch(fs, enc, policy, costs)
    state.check(top(enc))
    deadline = started + 10 * 365 * 86400.0
    state.greedy_descent(deadline)
    state.run(deadline)
    assert state.best is not None
    return summarise(
        fs,
        enc,
        policy,
        state.best,
        state.best_value,
        nodes_evaluated=state.evaluated,
        seconds=time.perf_counter() - started,
        optimal=True,
        method="optimal lattice search (Flash-style pruning)",
        progress=f"{state.pruned_by_bounds} of {enc.size} nodes excluded up front by "
        "two-attribute suppression bounds",
    )


def exhaustive_search(
    fs: FrequencySet, hierarchies: Mapping[str, Hierarchy], policy: RiskPolicy
) -> SearchResult:
    """Check every node without pruning: the reference the pruned search is tested against."""
    started = time.perf_counter()
    enc = encode(fs, hierarchies)
    costs = (
        level_costs(fs, enc, hierarchies, policy.objective)
        if policy.objective in SEPARABLE
        else None
    )
    best: NodeCheck | None = None
    best_value = np.inf
    for row in enc.all_nodes():
        node = tuple(int(v) for v in row)
        checked = check_node(fs, enc, node, policy)
        if checked.admissible:
            value = objective_value(fs, checked, costs, policy.objective)
            if value < best_value:
                best, best_value = checked, value
    if best is None:
        raise infeasible(fs, enc, policy, check_node(fs, enc, top(enc), policy))
    return summarise(
        fs,
        enc,
        policy,
        best,
        best_value,
        nodes_evaluated=enc.size,
        seconds=time.perf_counter() - started,
        optimal=True,
        method="exhaustive",
    )
