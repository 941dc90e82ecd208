"""Turn the winning node's check into a :class:`SearchResult` (plain data for the manifest)."""

from __future__ import annotations

import numpy as np

from craftveil.policy.risk import RiskPolicy
from craftveil.risk.criteria import NodeCheck
from craftveil.risk.frequency import FrequencySet
from craftveil.risk.lattice import Encoding
from craftveil.risk.result import SearchResult


def suppressed_combinations(
    fs: FrequencySet, enc: Encoding, check: NodeCheck
) -> tuple[tuple[str, ...], ...]:
    """Generalised QI value tuples of the failing classes (what apply_generalisation suppresses)."""
    out = []
    node = check.classes.node
    for cls in np.flatnonzero(check.failing):
        combo = fs.combos[check.classes.representative[cls]]
        out.append(
            tuple(
                str(q.labels[lv][q.generalised[lv][combo[i]]])
                for i, (q, lv) in enumerate(zip(enc.qis, node, strict=True))
            )
        )
    return tuple(sorted(out))


def summarise(
    fs: FrequencySet,
    enc: Encoding,
    policy: RiskPolicy,
    check: NodeCheck,
    value: float,
    *,
    nodes_evaluated: int,
    seconds: float,
    optimal: bool,
    method: str,
    heuristic: str | None = None,
    progress: str = "",
) -> SearchResult:
    """Collect what the manifest needs about the chosen transformation."""
    classes = check.classes
    kept = ~check.failing
    pair_failing = check.failing[classes.of_combo[fs.pair_combo]]
    return SearchResult(
        qis=fs.qis,
        levels={q.name: int(lv) for q, lv in zip(enc.qis, classes.node, strict=True)},
        objective=policy.objective,
        objective_value=float(value),
        suppressed_rows=check.suppressed_rows,
        suppressed_vendors=len(np.unique(fs.pair_vendor[pair_failing])),
        suppressed_combinations=suppressed_combinations(fs, enc, check),
        rows=fs.n_rows,
        vendors=fs.n_vendors,
        classes=int(kept.sum()),
        min_vendors_per_class=int(classes.vendors[kept].min()) if kept.any() else 0,
        min_rows_per_class=int(classes.rows[kept].min()) if kept.any() else 0,
        nodes_evaluated=nodes_evaluated,
        lattice_size=enc.size,
        seconds=seconds,
        optimal=optimal,
        method=method,
        heuristic=heuristic,
        progress=progress,
    )
