"""Information-loss measures the search minimises, as ARX defines them.

* ``non_uniform_entropy`` (default; ARX's monotonic ``MetricMDNUEntropyPrecomputed``): for every
  QI and record, ``-log2(count(original value) / count(generalised value))``, counts over the
  whole column before suppression, summed over records and QIs. Suppressed records count as merely
  generalised, so the loss depends on the transformation alone and grows with every level.
* ``loss`` (generalisation intensity, ARX's "Loss" in its monotonic form): per QI the average
  share of the hierarchy's domain a record's generalised value covers, ``(leaves - 1) /
  (domain - 1)``, averaged over QIs; 0 = original, 1 = fully generalised.
* ``discernibility`` (Bayardo & Agrawal 2005): sum of squared class sizes, plus ``n`` for every
  suppressed record.
* ``aecs`` (LeFevre et al. 2006): average equivalence class size, rows / classes (suppressed rows
  form one class).

The first two are *separable* — a sum of per-QI, per-level costs — and monotone, which lets the
search bound and prune by the objective alone.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from craftveil.hierarchies import Hierarchy
from craftveil.risk.criteria import NodeCheck
from craftveil.risk.frequency import FrequencySet
from craftveil.risk.lattice import Encoding

SEPARABLE = ("non_uniform_entropy", "loss")
FloatArray = npt.NDArray[np.float64]


def level_costs(
    fs: FrequencySet, enc: Encoding, hierarchies: Mapping[str, Hierarchy], objective: str
) -> tuple[FloatArray, ...]:
    """Per QI, the separable objective's cost of each level."""
    costs = []
    for position, q in enumerate(enc.qis):
        a = fs.value_counts(position).astype(np.float64)
        per_level = []
        for level in range(q.height):
            gen = q.generalised[level]
            if objective == "non_uniform_entropy":
                b = np.bincount(gen, weights=a, minlength=len(q.labels[level]))[gen]
                nz = a > 0
                per_level.append(float(np.sum(a[nz] * np.log2(b[nz] / a[nz]))))
            else:
                h = hierarchies[q.name]
                leaves = np.array([row[level] for row in h.levels], dtype=object)
                _, inverse, sizes = np.unique(leaves, return_inverse=True, return_counts=True)
                share_of = dict(
                    zip(h.values, (sizes[inverse] - 1) / max(len(h.levels) - 1, 1), strict=True)
                )
                share = np.array([share_of[str(v)] for v in fs.values[position]])
                per_level.append(float(np.sum(a * share) / fs.n_rows / len(enc.qis)))
        costs.append(np.array(per_level))
    return tuple(costs)


def separable_values(costs: tuple[FloatArray, ...], nodes: npt.NDArray[np.int64]) -> FloatArray:
    """The separable objective at every node (rows of ``nodes``)."""
    total = np.zeros(len(nodes))
    for position, cost in enumerate(costs):
        total += cost[nodes[:, position]]
    return total


def class_objective(fs: FrequencySet, check: NodeCheck, objective: str) -> float:
    """Discernibility or AECS of a checked node (they depend on its classes)."""
    kept = ~check.failing
    sizes = check.classes.rows[kept].astype(np.float64)
    if objective == "discernibility":
        return float(np.sum(sizes**2) + check.suppressed_rows * fs.n_rows)
    n_classes = int(kept.sum()) + (1 if check.suppressed_rows else 0)
    return fs.n_rows / max(n_classes, 1)


def objective_value(
    fs: FrequencySet,
    check: NodeCheck,
    costs: tuple[FloatArray, ...] | None,
    objective: str,
) -> float:
    """The objective at a checked node, whatever its kind."""
    if objective in SEPARABLE:
        assert costs is not None
        return float(sum(c[lv] for c, lv in zip(costs, check.classes.node, strict=True)))
    return class_objective(fs, check, objective)
