"""Full-domain generalisation lattice over the frequency set: encodings and class merging.

A *node* (transformation) is one hierarchy level per QI. Each QI's original values are encoded
once as integer codes per level, so a node's equivalence classes are the distinct combined keys
of the frequency set's combinations — a numpy ``unique`` over a few thousand integers instead of
a group-by over raw rows (the frequency-set idea of ARX / Flash).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pandas as pd

from craftveil.errors import DataError
from craftveil.hierarchies import Hierarchy, check_coverage
from craftveil.risk.frequency import FrequencySet, IntArray, combine_codes

Node = tuple[int, ...]


@dataclass(frozen=True)
class QIEncoding:
    """One QI: for every level, original code -> generalised code, and generalised labels."""

    name: str
    generalised: tuple[IntArray, ...]
    labels: tuple[npt.NDArray[np.object_], ...]

    @property
    def height(self) -> int:
        return len(self.generalised)


@dataclass(frozen=True)
class Encoding:
    """All QIs of a frequency set encoded against their hierarchies."""

    qis: tuple[QIEncoding, ...]
    # per QI and level: the generalised code of every combination, pre-multiplied by the QI's
    # place value, so a node's key is a sum of cached columns (None when keys could overflow)
    key_columns: tuple[tuple[IntArray, ...], ...] | None = None
    # hierarchies of sensitive attributes, for hierarchical t-closeness
    sensitive_hierarchies: Mapping[str, Hierarchy] = field(default_factory=dict)

    @property
    def heights(self) -> tuple[int, ...]:
        return tuple(q.height for q in self.qis)

    @property
    def size(self) -> int:
        """Number of transformations (nodes) in the lattice."""
        return int(np.prod(self.heights))

    def all_nodes(self) -> npt.NDArray[np.int64]:
        """Every node as a row of levels, bottom (all zeros) first."""
        grids = np.indices(self.heights).reshape(len(self.heights), -1).T
        return grids.astype(np.int64)


def encode(fs: FrequencySet, hierarchies: Mapping[str, Hierarchy]) -> Encoding:
    """Encode each QI's values at every level; a QI without a hierarchy or a gap is an error."""
    encoded = []
    for position, qi in enumerate(fs.qis):
        h = hierarchies.get(qi)
        if h is None:
            raise DataError(
                f"quasi-identifier {qi!r} has no hierarchy — declare one for it (an ARX CSV, "
                "or a prefix / interval / date hierarchy), or stop treating it as a QI"
            )
        values = [str(v) for v in fs.values[position]]
        check_coverage(h, values, source=h.source or f"hierarchy '{h.name}' for column {qi!r}")
        index = {row[0]: row for row in h.levels}
        generalised, labels = [], []
        for level in range(h.height):
            mapped = pd.Series([index[v][level] for v in values], dtype=object)
            codes, uniques = pd.factorize(mapped, sort=True)
            generalised.append(codes.astype(np.int64))
            labels.append(np.asarray(uniques, dtype=object))
        encoded.append(QIEncoding(qi, tuple(generalised), tuple(labels)))
    sensitive = {s: hierarchies[s] for s in fs.sensitive if s in hierarchies}
    return Encoding(tuple(encoded), _key_columns(fs, encoded), sensitive)


def _key_columns(
    fs: FrequencySet, encoded: Sequence[QIEncoding]
) -> tuple[tuple[IntArray, ...], ...] | None:
    sizes = [max(len(q.labels[0]), 1) for q in encoded]
    if float(np.prod(np.array(sizes, dtype=np.float64))) >= 2.0**62:
        return None
    place = np.cumprod([1, *sizes[:0:-1]])[::-1]
    return tuple(
        tuple(q.generalised[lv][fs.combos[:, i]] * int(place[i]) for lv in range(q.height))
        for i, q in enumerate(encoded)
    )


@dataclass(frozen=True)
class Classes:
    """The equivalence classes of one node: class per combination, rows and vendors per class."""

    node: Node
    of_combo: IntArray
    rows: IntArray
    vendors: IntArray

    @property
    def count(self) -> int:
        return len(self.rows)

    @cached_property
    def representative(self) -> IntArray:
        """One combination index per class, to print its QI values."""
        first = np.zeros(self.count, dtype=np.int64)
        first[self.of_combo[::-1]] = np.arange(len(self.of_combo), dtype=np.int64)[::-1]
        return first


def node_keys(fs: FrequencySet, enc: Encoding, node: Sequence[int]) -> IntArray:
    """Combined generalised key per combination at ``node``."""
    if enc.key_columns is not None:
        key = enc.key_columns[0][node[0]].copy()
        for i in range(1, len(node)):
            key += enc.key_columns[i][node[i]]
        return key
    columns = [
        q.generalised[lv][fs.combos[:, i]]
        for i, (q, lv) in enumerate(zip(enc.qis, node, strict=False))
    ]
    sizes = [len(q.labels[lv]) for q, lv in zip(enc.qis, node, strict=True)]
    return combine_codes(columns, sizes)


def classes_at(fs: FrequencySet, enc: Encoding, node: Sequence[int]) -> Classes:
    """Merge the frequency set's combinations into the classes of ``node``."""
    codes, uniques = pd.factorize(node_keys(fs, enc, node))
    of_combo = codes.astype(np.int64)
    n = len(uniques)
    rows = np.bincount(of_combo, weights=fs.combo_rows, minlength=n).astype(np.int64)
    vendors = vendors_per_class(fs, of_combo, n)
    return Classes(tuple(int(v) for v in node), of_combo, rows, vendors)


def vendors_per_class(fs: FrequencySet, of_combo: IntArray, n_classes: int) -> IntArray:
    """DISTINCT vendors per class (a vendor in two merged combinations counts once)."""
    if fs.vendors_additive:
        return np.bincount(of_combo, weights=fs.combo_vendors, minlength=n_classes).astype(np.int64)
    pair = of_combo[fs.pair_combo] * fs.n_vendors + fs.pair_vendor
    distinct = pd.unique(pair)  # hash-based: O(pairs), no sort
    return np.bincount(distinct // fs.n_vendors, minlength=n_classes).astype(np.int64)


def class_labels(enc: Encoding, fs: FrequencySet, classes: Classes, index: int) -> dict[str, str]:
    """The generalised QI values of one class, for reports."""
    combo = fs.combos[classes.representative[index]]
    return {
        q.name: str(q.labels[lv][q.generalised[lv][combo[i]]])
        for i, (q, lv) in enumerate(zip(enc.qis, classes.node, strict=True))
    }


def predecessors_mask(nodes: npt.NDArray[np.int64], node: Sequence[int]) -> npt.NDArray[np.bool_]:
    """Nodes at or below ``node`` in every QI (the less generalised ones)."""
    mask = np.asarray((nodes <= np.asarray(node)).all(axis=1), dtype=np.bool_)
    return mask


def successors_mask(nodes: npt.NDArray[np.int64], node: Sequence[int]) -> npt.NDArray[np.bool_]:
    """Nodes at or above ``node`` in every QI (the more generalised ones)."""
    mask = np.asarray((nodes >= np.asarray(node)).all(axis=1), dtype=np.bool_)
    return mask


def neighbours_up(node: Node, heights: Sequence[int]) -> list[Node]:
    """Direct successors: one QI one level coarser."""
    return [
        (*node[:i], node[i] + 1, *node[i + 1 :])
        for i in range(len(node))
        if node[i] + 1 < heights[i]
    ]


def bottom(enc: Encoding) -> Node:
    return tuple(itertools.repeat(0, len(enc.qis)))


def top(enc: Encoding) -> Node:
    return tuple(h - 1 for h in enc.heights)
