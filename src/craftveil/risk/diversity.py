"""l-diversity and t-closeness per equivalence class, vectorised over all classes at once.

Definitions: distinct and entropy l-diversity and recursive (c,l)-diversity from Machanavajjhala
et al., "l-Diversity: Privacy Beyond k-Anonymity" (2007); t-closeness with the earth mover's
distance (equal for categories, ordered for numbers, hierarchical when the attribute has a
hierarchy), from Li, Li &
Venkatasubramanian, "t-Closeness" (2007) — the same formulas ARX implements. Sensitive values are
counted in DISTINCT VENDORS (one vendor with many rows does not make a class diverse).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from craftveil.hierarchies import Hierarchy, check_coverage
from craftveil.risk.frequency import FrequencySet, IntArray, SensitiveCounts

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ValueCounts:
    """Sparse (class, sensitive value) -> distinct vendors, sorted by class."""

    cls: IntArray
    code: IntArray
    count: IntArray
    n_classes: int
    n_values: int


def value_counts(
    fs: FrequencySet, s: SensitiveCounts, of_combo: IntArray, n_classes: int
) -> ValueCounts:
    """Distinct vendors per (class, sensitive value) at a node given its class-of-combination."""
    nv = len(s.values)
    key = of_combo[s.combo] * nv + s.code
    if fs.vendors_additive:
        uniq, count = np.unique(key, return_counts=True)
    else:
        triples = np.unique(key * fs.n_vendors + s.vendor)
        uniq, count = np.unique(triples // fs.n_vendors, return_counts=True)
    return ValueCounts(uniq // nv, uniq % nv, count.astype(np.int64), n_classes, nv)


def distinct_l(vc: ValueCounts) -> IntArray:
    """Number of distinct sensitive values per class."""
    return np.bincount(vc.cls, minlength=vc.n_classes).astype(np.int64)


def entropy_l(vc: ValueCounts) -> FloatArray:
    """Entropy of the sensitive values per class, in bits (entropy l-diversity: >= log2 l)."""
    total = np.bincount(vc.cls, weights=vc.count, minlength=vc.n_classes)
    plogp = np.bincount(vc.cls, weights=vc.count * np.log2(vc.count), minlength=vc.n_classes)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, np.log2(np.maximum(total, 1)) - plogp / total, 0.0)


def recursive_cl_ok(vc: ValueCounts, c: float, ell: int) -> npt.NDArray[np.bool_]:
    """Recursive (c,l): r1 < c * (r_l + ... + r_m), counts sorted descending per class."""
    order = np.lexsort((-vc.count, vc.cls))
    cls, count = vc.cls[order], vc.count[order]
    starts = np.searchsorted(cls, np.arange(vc.n_classes))
    rank = np.arange(len(cls)) - starts[cls]
    r1 = np.zeros(vc.n_classes)
    r1[cls[rank == 0]] = count[rank == 0]
    tail = np.bincount(cls[rank >= ell - 1], weights=count[rank >= ell - 1], minlength=vc.n_classes)
    return r1 < c * tail


def _ordered_values(values: npt.NDArray[np.object_]) -> IntArray | None:
    """Positions of values in numeric order, or None when the values are not all numbers."""
    try:
        numbers = np.array([float(v) for v in values])
    except ValueError:
        return None
    return np.argsort(np.argsort(numbers)).astype(np.int64)


def t_closeness(vc: ValueCounts, values: npt.NDArray[np.object_]) -> FloatArray:
    """Earth mover's distance of each class's distribution to the whole table's, per class.

    Numbers use the ordered distance (cumulative differences / (m-1)); anything else the equal
    distance (half the L1 distance).
    """
    total = np.bincount(vc.cls, weights=vc.count, minlength=vc.n_classes)
    overall = np.bincount(vc.code, weights=vc.count, minlength=vc.n_values)
    q = overall / overall.sum()
    p = vc.count / total[vc.cls]
    rank = _ordered_values(values)
    if rank is None or vc.n_values < 2:
        present = np.bincount(vc.cls, weights=np.abs(p - q[vc.code]), minlength=vc.n_classes)
        covered = np.bincount(vc.cls, weights=q[vc.code], minlength=vc.n_classes)
        return np.asarray(0.5 * (present + 1.0 - covered), dtype=np.float64)
    dense = np.zeros((vc.n_classes, vc.n_values))
    dense[vc.cls, rank[vc.code]] = p
    q_ordered = np.zeros(vc.n_values)
    q_ordered[rank] = q
    cumulative = np.cumsum(dense - q_ordered, axis=1)
    return np.asarray(np.abs(cumulative).sum(axis=1) / (vc.n_values - 1), dtype=np.float64)


def hierarchical_t_closeness(
    vc: ValueCounts, values: npt.NDArray[np.object_], hierarchy: Hierarchy, *, source: str = ""
) -> FloatArray:
    """Earth mover's distance with the hierarchical ground distance (Li et al. 2007, as in ARX).

    Moving mass between two values costs the level of their lowest common ancestor divided by
    the hierarchy's height. Computed bottom-up: at each inner node, the mass that must cross it is
    min(positive extra, negative extra) of its children, weighted by the node's level / height.
    """
    leaves = [str(v) for v in values]
    check_coverage(hierarchy, leaves, source=source or f"hierarchy '{hierarchy.name}'")
    total = np.bincount(vc.cls, weights=vc.count, minlength=vc.n_classes)
    overall = np.bincount(vc.code, weights=vc.count, minlength=vc.n_values)
    extra = np.zeros((vc.n_classes, vc.n_values))
    extra[vc.cls, vc.code] = vc.count / total[vc.cls]
    extra -= overall / overall.sum()
    height = hierarchy.height - 1
    node_of_leaf = np.arange(vc.n_values, dtype=np.int64)
    distance = np.zeros(vc.n_classes)
    for level in range(1, hierarchy.height):
        mapping = hierarchy.mapping(level)
        parent_of_leaf, parents = pd.factorize(pd.Series([mapping[v] for v in leaves]))
        group = np.zeros((extra.shape[1], len(parents)))
        group[node_of_leaf, parent_of_leaf] = 1.0  # child node -> parent node (a tree)
        positive = np.maximum(extra, 0.0) @ group
        negative = np.maximum(-extra, 0.0) @ group
        distance += (level / height) * np.minimum(positive, negative).sum(axis=1)
        extra = extra @ group
        node_of_leaf = parent_of_leaf.astype(np.int64)
    return np.asarray(distance, dtype=np.float64)


def closeness(
    vc: ValueCounts, values: npt.NDArray[np.object_], hierarchy: Hierarchy | None
) -> FloatArray:
    """t-closeness distance per class: hierarchical when a hierarchy exists, else by value type."""
    if hierarchy is not None:
        return hierarchical_t_closeness(vc, values, hierarchy)
    return t_closeness(vc, values)
