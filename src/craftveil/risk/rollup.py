"""Roll-up: derive a node's classes from an already evaluated, less generalised node.

Generalising merges classes and never splits them, so the classes of a node N can be computed
from the (usually far fewer) classes of any node P <= N instead of from the whole frequency set —
ARX's "roll-up" optimisation (Kohlmayer et al., Flash, 2012). Evaluated nodes are kept in a small
cache bounded by the number of stored integers; for each new node the cached predecessor with the
fewest classes is used, the frequency set itself being the fallback (the bottom node).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from craftveil.risk.frequency import FrequencySet, IntArray
from craftveil.risk.lattice import Classes, Encoding, Node, classes_at


@dataclass(frozen=True)
class _Table:
    classes: Classes
    codes: npt.NDArray[np.int64]  # generalised code per class and QI at the node's levels
    pair_class: IntArray | None  # distinct (class, vendor) pairs when vendors are not additive
    pair_vendor: IntArray | None

    @property
    def size(self) -> int:
        extra = 0 if self.pair_class is None else 2 * len(self.pair_class)
        return self.codes.size + len(self.classes.of_combo) + extra


class RollUp:
    """Evaluate nodes' classes, reusing cached less generalised nodes."""

    def __init__(self, fs: FrequencySet, enc: Encoding, budget: int = 40_000_000) -> None:
        self.fs, self.enc, self.budget = fs, enc, budget
        self.cache: OrderedDict[Node, _Table] = OrderedDict()
        self.stored = 0
        self.derived = 0
        self._up: dict[tuple[int, int, int], IntArray] = {}
        sizes = [max(len(q.labels[0]), 1) for q in enc.qis]
        self.place = np.cumprod([1, *sizes[:0:-1]])[::-1].astype(np.int64)
        self.enabled = float(np.prod(np.array(sizes, dtype=np.float64))) < 2.0**62

    def _map(self, i: int, a: int, b: int) -> IntArray:
        """Generalised code at level a -> code at level b (b >= a) for QI i."""
        key = (i, a, b)
        if key not in self._up:
            q = self.enc.qis[i]
            up = np.zeros(len(q.labels[a]), dtype=np.int64)
            up[q.generalised[a]] = q.generalised[b]
            self._up[key] = up
        return self._up[key]

    def classes(self, node: Sequence[int]) -> Classes:
        """The classes of ``node``, derived from a cached finer node when there is one."""
        node = tuple(int(v) for v in node)
        parent = self._best_parent(node) if self.enabled else None
        if parent is None:
            return classes_at(self.fs, self.enc, node)
        return self._derive(parent, node)

    def prepare(self, node: Sequence[int]) -> None:
        """Cache ``node`` as a roll-up base (e.g. the meet of all remaining candidates)."""
        node = tuple(int(v) for v in node)
        if not self.enabled or node in self.cache:
            return
        parent = self._best_parent(node)
        if parent is not None:
            self._derive(parent, node)
        else:
            classes = classes_at(self.fs, self.enc, node)
            codes = np.stack(
                [
                    q.generalised[lv][self.fs.combos[classes.representative, i]]
                    for i, (q, lv) in enumerate(zip(self.enc.qis, node, strict=True))
                ],
                axis=1,
            )
            pair_class = pair_vendor = None
            if not self.fs.vendors_additive:
                pairs = pd.unique(
                    classes.of_combo[self.fs.pair_combo] * self.fs.n_vendors + self.fs.pair_vendor
                )
                pair_class, pair_vendor = pairs // self.fs.n_vendors, pairs % self.fs.n_vendors
            self._store(node, _Table(classes, codes, pair_class, pair_vendor))

    def _best_parent(self, node: Node) -> Node | None:
        if not self.cache:
            return None
        keys = list(self.cache)
        levels = np.array(keys, dtype=np.int64)
        counts = np.array([self.cache[k].classes.count for k in keys])
        below = (levels <= np.asarray(node)).all(axis=1) & (counts < 0.5 * len(self.fs.combos))
        if not below.any():
            return None
        self.derived += 1
        return keys[int(np.flatnonzero(below)[np.argmin(counts[below])])]

    def _derive(self, parent: Node, node: Node) -> Classes:
        table = self.cache[parent]
        self.cache.move_to_end(parent)
        columns = [
            self._map(i, a, b)[table.codes[:, i]]
            for i, (a, b) in enumerate(zip(parent, node, strict=True))
        ]
        key = columns[0] * self.place[0]
        for i in range(1, len(columns)):
            key += columns[i] * self.place[i]
        merged, uniques = pd.factorize(key)
        merged = merged.astype(np.int64)
        n = len(uniques)
        rows = np.bincount(merged, weights=table.classes.rows, minlength=n).astype(np.int64)
        pair_class = pair_vendor = None
        if table.pair_class is None:
            vendors = np.bincount(merged, weights=table.classes.vendors, minlength=n)
        else:
            assert table.pair_vendor is not None
            pairs = pd.unique(merged[table.pair_class] * self.fs.n_vendors + table.pair_vendor)
            pair_class, pair_vendor = pairs // self.fs.n_vendors, pairs % self.fs.n_vendors
            vendors = np.bincount(pair_class, minlength=n)
        first = np.zeros(n, dtype=np.int64)
        first[merged[::-1]] = np.arange(len(merged), dtype=np.int64)[::-1]
        codes = np.stack([c[first] for c in columns], axis=1)
        classes = Classes(node, merged[table.classes.of_combo], rows, vendors.astype(np.int64))
        self._store(node, _Table(classes, codes, pair_class, pair_vendor))
        return classes

    def _store(self, node: Node, table: _Table) -> None:
        self.cache[node] = table
        self.stored += table.size
        while self.stored > self.budget and len(self.cache) > 1:
            _, old = self.cache.popitem(last=False)
            self.stored -= old.size
