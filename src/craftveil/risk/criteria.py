"""Check one lattice node against the policy's requirements, with record suppression.

ARX's semantics: a class that violates a requirement (fewer than k distinct vendors, too little
diversity, too far from the overall distribution) is suppressed as a whole; the node is
*admissible* when the suppressed rows are at most ``floor(suppression_limit * rows)``.
k-anonymity and distinct l-diversity stay monotone with suppression (a merged class violates
only if all its parts did), so the search may prune with them; the entropy / recursive / t /
average-risk requirements are monotone only without suppression (Kohlmayer et al., Flash, 2012;
Prasser et al., ARX 2014), and are then checked on every candidate node.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from craftveil.hierarchies import Hierarchy
from craftveil.policy.risk import RiskPolicy
from craftveil.risk.diversity import (
    closeness,
    distinct_l,
    entropy_l,
    recursive_cl_ok,
    value_counts,
)
from craftveil.risk.frequency import FrequencySet
from craftveil.risk.lattice import Classes, Encoding, classes_at

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class NodeCheck:
    """What checking a node found: which classes fail, how many rows/vendors would be suppressed."""

    classes: Classes
    failing: BoolArray
    suppressed_rows: int
    admissible: bool
    reasons: dict[str, int] = field(default_factory=dict)  # requirement -> rows in failing classes


def max_suppressed_rows(fs: FrequencySet, policy: RiskPolicy) -> int:
    """ARX's limit: at most floor(limit * n) records are suppressed."""
    return math.floor(policy.suppression_limit * fs.n_rows + 1e-9)


def monotone_with_suppression(policy: RiskPolicy) -> bool:
    """True when every requirement in the policy is monotone also with suppression."""
    if policy.suppression_limit == 0:
        return True
    nonmonotone_l = policy.l is not None and policy.l_variant != "distinct"
    return not (nonmonotone_l or policy.t is not None or policy.max_average_risk is not None)


def failing_classes(
    fs: FrequencySet,
    classes: Classes,
    policy: RiskPolicy,
    *,
    only_monotone: bool = False,
    hierarchies: Mapping[str, Hierarchy] | None = None,
) -> tuple[BoolArray, dict[str, BoolArray]]:
    """Per requirement, the classes that violate it; ``only_monotone`` skips the others."""
    parts: dict[str, BoolArray] = {}
    hierarchies = hierarchies or {}
    if policy.k is not None:
        parts["k"] = classes.vendors < policy.k
    for name in policy.sensitive if (policy.l is not None or policy.t is not None) else ():
        vc = value_counts(fs, fs.sensitive[name], classes.of_combo, classes.count)
        if policy.l is not None and policy.l_variant == "distinct":
            parts[f"l({name})"] = distinct_l(vc) < policy.l
        elif policy.l is not None and not only_monotone:
            if policy.l_variant == "entropy":
                parts[f"l({name})"] = entropy_l(vc) < math.log2(policy.l) - 1e-12
            else:
                parts[f"l({name})"] = ~recursive_cl_ok(vc, policy.c or 1.0, policy.l)
        if policy.t is not None and not only_monotone:
            distance = closeness(vc, fs.sensitive[name].values, hierarchies.get(name))
            parts[f"t({name})"] = distance > policy.t + 1e-12
    failing = np.zeros(classes.count, dtype=bool)
    for mask in parts.values():
        failing |= mask
    return failing, parts


def average_risk(fs: FrequencySet, classes: Classes, kept: BoolArray) -> float:
    """Average vendor-level prosecutor risk over the kept (unsuppressed) classes."""
    if not kept.any():
        return 0.0
    risk = np.where(kept, 1.0 / np.maximum(classes.vendors, 1), 0.0)
    per_pair = risk[classes.of_combo[fs.pair_combo]]
    vendor_risk = np.zeros(fs.n_vendors)
    np.maximum.at(vendor_risk, fs.pair_vendor, per_pair)
    kept_vendors = np.zeros(fs.n_vendors, dtype=bool)
    kept_vendors[fs.pair_vendor[kept[classes.of_combo[fs.pair_combo]]]] = True
    return float(vendor_risk[kept_vendors].mean())


def check_node(
    fs: FrequencySet,
    enc: Encoding,
    node: tuple[int, ...],
    policy: RiskPolicy,
    *,
    only_monotone: bool = False,
    classes: Classes | None = None,
) -> NodeCheck:
    """Evaluate ``node``: classes, violating classes, suppressed rows, admissibility."""
    classes = classes or classes_at(fs, enc, node)
    failing, parts = failing_classes(
        fs, classes, policy, only_monotone=only_monotone, hierarchies=enc.sensitive_hierarchies
    )
    suppressed = int(classes.rows[failing].sum())
    admissible = suppressed <= max_suppressed_rows(fs, policy)
    reasons = {name: int(classes.rows[mask].sum()) for name, mask in parts.items()}
    if admissible and policy.max_average_risk is not None and not only_monotone:
        risk = average_risk(fs, classes, ~failing)
        reasons["max_average_risk"] = int(risk > policy.max_average_risk)
        admissible = risk <= policy.max_average_risk + 1e-12
    return NodeCheck(classes, failing, suppressed, admissible, reasons)
