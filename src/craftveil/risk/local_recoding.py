"""Local recoding: Mondrian-style top-down partitioning over the hierarchies (opt-in).

Full-domain generalisation gives every record of a QI the same level. Local recoding lets each
partition of the data keep its own levels (LeFevre, DeWitt & Ramakrishnan, "Mondrian
multidimensional k-anonymity", 2006; here on hierarchies, as top-down specialisation): start with
one partition with every QI fully generalised, and split a partition by one QI one level finer
whenever every resulting part still holds at least k distinct VENDORS; take the split with the
most parts; stop when no QI can be specialised. No record is suppressed. The result is *not* a
lattice node: the same original value may be released at different levels in different parts,
which is why it is marked as local recoding everywhere it is reported.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from craftveil.policy.risk import RiskPolicy
from craftveil.risk.frequency import FrequencySet, IntArray
from craftveil.risk.lattice import Encoding
from craftveil.risk.objectives import FloatArray
from craftveil.risk.result import SearchResult


def _distinct_vendors(fs: FrequencySet, combos: IntArray, part: IntArray, n_parts: int) -> IntArray:
    """Distinct vendors in each part, for the combinations ``combos`` labelled ``part``."""
    if fs.vendors_additive:
        return np.bincount(part, weights=fs.combo_vendors[combos], minlength=n_parts).astype(
            np.int64
        )
    position = np.full(len(fs.combos), -1, dtype=np.int64)
    position[combos] = part
    mine = position[fs.pair_combo]
    keep = mine >= 0
    distinct = pd.unique(mine[keep] * fs.n_vendors + fs.pair_vendor[keep])
    return np.bincount(distinct // fs.n_vendors, minlength=n_parts).astype(np.int64)


def _split(
    fs: FrequencySet, enc: Encoding, combos: IntArray, levels: list[int], k: int
) -> list[tuple[IntArray, list[int]]] | None:
    """The best allowed one-level specialisation of a partition, or None."""
    best: list[tuple[IntArray, list[int]]] | None = None
    for i, q in enumerate(enc.qis):
        if levels[i] == 0:
            continue
        finer = levels[i] - 1
        codes, uniques = pd.factorize(q.generalised[finer][fs.combos[combos, i]])
        if len(uniques) < 2:
            continue
        vendors = _distinct_vendors(fs, combos, codes.astype(np.int64), len(uniques))
        if vendors.min() < k:
            continue
        if best is None or len(uniques) > len(best):
            new_levels = [*levels[:i], finer, *levels[i + 1 :]]
            best = [(combos[codes == p], new_levels) for p in range(len(uniques))]
    return best


def mondrian_search(
    fs: FrequencySet,
    enc: Encoding,
    policy: RiskPolicy,
    costs: tuple[FloatArray, ...] | None,
    started: float,
) -> SearchResult:
    """Partition top-down until no split keeps k vendors per part; return the recoding."""
    k = policy.k or 1
    level_of = np.zeros((len(fs.combos), len(enc.qis)), dtype=np.int64)
    stack: list[tuple[IntArray, list[int]]] = [
        (np.arange(len(fs.combos), dtype=np.int64), [q.height - 1 for q in enc.qis])
    ]
    parts = splits = 0
    while stack:
        combos, levels = stack.pop()
        children = _split(fs, enc, combos, levels, k)
        if children is None:
            level_of[combos] = levels
            parts += 1
            continue
        splits += 1
        stack.extend(children)
    labels = np.empty((len(fs.combos), len(enc.qis)), dtype=object)
    for i, q in enumerate(enc.qis):
        for level in np.unique(level_of[:, i]):
            rows = level_of[:, i] == level
            labels[rows, i] = q.labels[level][q.generalised[level][fs.combos[rows, i]]]
    originals = [
        (
            tuple(str(fs.values[i][fs.combos[c, i]]) for i in range(len(enc.qis))),
            tuple(str(v) for v in labels[c]),
        )
        for c in range(len(fs.combos))
    ]
    value = 0.0
    if costs is not None:
        value = _objective(fs, enc, level_of, policy.objective)
    codes, uniques = pd.factorize(pd.Series(["\x1f".join(lab) for _, lab in originals]))
    of_class = codes.astype(np.int64)
    class_vendors = _distinct_vendors(fs, np.arange(len(fs.combos)), of_class, len(uniques))
    class_rows = np.bincount(of_class, weights=fs.combo_rows, minlength=len(uniques))
    return SearchResult(
        qis=fs.qis,
        levels={q.name: int(level_of[:, i].max()) for i, q in enumerate(enc.qis)},
        objective=policy.objective,
        objective_value=value,
        suppressed_rows=0,
        suppressed_vendors=0,
        suppressed_combinations=(),
        rows=fs.n_rows,
        vendors=fs.n_vendors,
        classes=len(uniques),
        min_vendors_per_class=int(class_vendors.min()),
        min_rows_per_class=int(class_rows.min()),
        nodes_evaluated=splits + parts,
        lattice_size=enc.size,
        seconds=time.perf_counter() - started,
        optimal=False,
        method="LOCAL RECODING (Mondrian-style top-down partitioning; levels differ per part)",
        heuristic="Mondrian top-down specialisation",
        progress=f"{parts} parts after {splits} splits; 'levels' are the coarsest used per QI",
        local_recoding=tuple(originals),
    )


def _objective(fs: FrequencySet, enc: Encoding, level_of: IntArray, objective: str) -> float:
    """Non-uniform entropy (or loss) with each combination at its own levels."""
    total = 0.0
    for i, q in enumerate(enc.qis):
        a = fs.value_counts(i).astype(np.float64)
        codes = fs.combos[:, i]
        for level in np.unique(level_of[:, i]):
            rows = level_of[:, i] == level
            gen = q.generalised[level]
            b = np.bincount(gen, weights=a, minlength=len(q.labels[level]))[gen]
            if objective == "non_uniform_entropy":
                per_value = np.log2(b / np.maximum(a, 1))
            else:
                leaves = np.bincount(gen, minlength=len(q.labels[level]))[gen]
                per_value = (leaves - 1) / max(len(a) - 1, 1) / len(enc.qis) / fs.n_rows
            total += float(np.sum(fs.combo_rows[rows] * per_value[codes[rows]]))
    return total
