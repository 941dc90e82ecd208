"""Time-budgeted search for lattices too large to search to optimality.

Which heuristic: a greedy top-down descent with backtracking (depth-first from the fully
generalised node, always trying the cheapest admissible direct predecessor first, cutting every
branch whose cost already exceeds the best solution found). It is the top-down counterpart of
ARX's bottom-up greedy "Lightning" heuristic (Prasser et al., "Lightning: Utility-Driven
Anonymization of High-Dimensional Data", 2016). When the lattice is small enough to hold its node
table, the optimal search itself runs under the budget instead and reports whether it finished.
The result says how far the search got and is marked ``optimal=False`` unless it finished.
"""

from __future__ import annotations

import time

import numpy as np

from craftveil.policy.risk import RiskPolicy
from craftveil.risk.criteria import NodeCheck, check_node
from craftveil.risk.frequency import FrequencySet
from craftveil.risk.lattice import Encoding, Node, top
from craftveil.risk.objectives import FloatArray, objective_value
from craftveil.risk.result import SearchResult
from craftveil.risk.summary import summarise

NODE_TABLE_LIMIT = 2_000_000


def heuristic_search(
    fs: FrequencySet,
    enc: Encoding,
    policy: RiskPolicy,
    costs: tuple[FloatArray, ...] | None,
    started: float,
) -> SearchResult:
    """Best transformation found within ``policy.time_budget_seconds``."""
    deadline = started + policy.time_budget_seconds
    if enc.size <= NODE_TABLE_LIMIT:
        from craftveil.risk.search import LatticeSearch

        state = LatticeSearch(fs, enc, policy, costs)
        state.check(top(enc))
        state.greedy_descent(deadline)
        finished = state.run(deadline)
        assert state.best is not None
        resolved = int((state.inadmissible | state.checked).sum())
        return summarise(
            fs,
            enc,
            policy,
            state.best,
            state.best_value,
            nodes_evaluated=state.evaluated,
            seconds=time.perf_counter() - started,
            optimal=finished,
            method="time-budgeted lattice search",
            heuristic="greedy top-down descent, then bounded Flash-style search",
            progress=f"{'finished' if finished else 'stopped at the time budget'}; "
            f"{resolved} of {enc.size} nodes resolved",
        )
    return _depth_first(fs, enc, policy, costs, started, deadline)


def _depth_first(
    fs: FrequencySet,
    enc: Encoding,
    policy: RiskPolicy,
    costs: tuple[FloatArray, ...] | None,
    started: float,
    deadline: float,
) -> SearchResult:
    def cost(node: Node) -> float:
        if costs is None:
            return 0.0
        return float(sum(c[lv] for c, lv in zip(costs, node, strict=True)))

    best: NodeCheck | None = None
    best_value = np.inf
    seen: set[Node] = set()
    evaluated = 0
    stack: list[Node] = [top(enc)]
    while stack and time.perf_counter() < deadline:
        node = stack.pop()
        if node in seen or (costs is not None and cost(node) >= best_value):
            continue
        seen.add(node)
        evaluated += 1
        checked = check_node(fs, enc, node, policy)
        if not checked.admissible:
            continue
        value = objective_value(fs, checked, costs, policy.objective)
        if value < best_value:
            best, best_value = checked, value
        below = [(*node[:q], node[q] - 1, *node[q + 1 :]) for q in range(len(node)) if node[q] > 0]
        stack.extend(sorted(below, key=cost, reverse=True))
    assert best is not None  # the top node is admissible (checked by the caller)
    finished = not stack
    return summarise(
        fs,
        enc,
        policy,
        best,
        best_value,
        nodes_evaluated=evaluated,
        seconds=time.perf_counter() - started,
        optimal=False,
        method="time-budgeted heuristic",
        heuristic="greedy top-down depth-first descent with cost bound",
        progress=f"{'explored every branch' if finished else 'stopped at the time budget'}"
        f"; {evaluated} of {enc.size} nodes evaluated",
    )
