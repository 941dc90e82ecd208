"""Fail closed, and say what would help: computed suggestions, not a generic list.

When even the coarsest transformation is not admissible, the search cannot succeed. The error
names the requirement that failed and by how much, and tests the remedies on the data: the
suppression limit that would be needed, the QIs whose hierarchy stops short of one value
(coarser hierarchy), and the QIs whose removal would make the release possible.
"""

from __future__ import annotations

import math

import numpy as np

from craftveil.errors import PrivacyRequirementError
from craftveil.policy.risk import RiskPolicy
from craftveil.risk.criteria import NodeCheck, check_node, max_suppressed_rows
from craftveil.risk.diversity import distinct_l, value_counts
from craftveil.risk.frequency import FrequencySet
from craftveil.risk.lattice import Encoding, QIEncoding, top


def check_inputs(fs: FrequencySet, policy: RiskPolicy) -> None:
    """Requirements that no transformation can meet, detected before any search."""
    if policy.k is not None and policy.k > fs.n_vendors:
        raise PrivacyRequirementError(
            f"risk.k: k={policy.k} is larger than the number of vendors in the data "
            f"({fs.n_vendors}); no class can hold {policy.k} distinct vendors",
            what_would_help=[f"lower risk.k to at most {fs.n_vendors}", "release more vendors"],
        )
    for name in policy.sensitive:
        if name not in fs.sensitive:
            raise PrivacyRequirementError(
                f"risk.sensitive: column {name!r} was not in the frequency set — build it with "
                "frequency_set(..., sensitive=policy.sensitive)"
            )
        overall = len(fs.sensitive[name].values)
        if policy.l is not None and policy.l > overall:
            raise PrivacyRequirementError(
                f"risk.l: l={policy.l} but {name!r} has only {overall} distinct values in the "
                "whole table; no class can be that diverse",
                what_would_help=[f"lower risk.l to at most {overall}"],
            )


def _collapsed(q: QIEncoding) -> QIEncoding:
    """The QI with an extra fully generalised level (every value -> '*')."""
    n = len(q.generalised[0])
    return QIEncoding(
        q.name,
        (*q.generalised, np.zeros(n, dtype=np.int64)),
        (*q.labels, np.array(["*"], dtype=object)),
    )


def infeasible(
    fs: FrequencySet, enc: Encoding, policy: RiskPolicy, at_top: NodeCheck
) -> PrivacyRequirementError:
    """Build the fail-closed error for a policy that even the top node does not satisfy."""
    limit = max_suppressed_rows(fs, policy)
    failed = (
        ", ".join(f"{name} fails for {rows} rows" for name, rows in at_top.reasons.items() if rows)
        or "the average-risk limit is exceeded"
    )
    coarsest = dict(zip(fs.qis, top(enc), strict=True))
    message = (
        f"No transformation meets the risk policy: even the coarsest one ({coarsest}) "
        f"would suppress {at_top.suppressed_rows} of {fs.n_rows} rows "
        f"({at_top.suppressed_rows / fs.n_rows:.2%}) but the limit allows {limit} "
        f"({policy.suppression_limit:.2%}); {failed}. Nothing was released."
    )
    helps: list[str] = []
    needed = at_top.suppressed_rows / fs.n_rows
    if needed < 1:
        helps.append(
            f"raise risk.suppression_limit to at least {math.ceil(needed * 10000) / 10000:.4f} "
            f"(suppressing {at_top.suppressed_rows} rows)"
        )
    short = [q for q in enc.qis if len(q.labels[-1]) > 1]
    for q in short:
        helps.append(
            f"give {q.name!r} a coarser hierarchy: its last level still has "
            f"{len(q.labels[-1])} values — add a level that maps everything to '*'"
        )
    for i, q in enumerate(enc.qis):
        collapsed = tuple(_collapsed(x) if j == i else x for j, x in enumerate(enc.qis))
        trial = Encoding(collapsed, None, enc.sensitive_hierarchies)
        node = top(trial)
        if check_node(fs, trial, node, policy).admissible and len(q.labels[-1]) > 1:
            helps.append(f"drop {q.name!r} from the quasi-identifiers (then the policy is met)")
    for name in policy.sensitive if policy.l is not None else ():
        classes = at_top.classes
        vc = value_counts(fs, fs.sensitive[name], classes.of_combo, classes.count)
        best_l = int(distinct_l(vc).max()) if classes.count else 0
        if best_l < policy.l:  # type: ignore[operator]
            helps.append(f"lower risk.l to at most {best_l} for {name!r}")
    if policy.max_average_risk is not None:
        helps.append(
            f"raise risk.max_average_risk above {policy.max_average_risk} (at best "
            f"{1 / fs.n_vendors:.4g} with one class of all {fs.n_vendors} vendors)"
        )
    return PrivacyRequirementError(message, what_would_help=helps)
