"""Re-identification risk of a table on its quasi-identifiers, per vendor and per row.

ARX's definitions (Prasser et al.; El Emam's risk models), with the vendor as the privacy unit:

* a class's prosecutor risk is 1 / (distinct vendors in it); a vendor's risk is the highest risk
  of the classes its rows fall in (a household: the risk of one row is the risk of the vendor);
  average = mean over vendors; highest = the largest. Row-level figures (1 / rows in class,
  ARX's record-level measure) are reported beside them; when every vendor has one row both agree
  with ARX exactly (Adult: average 0.6465751607983555, uniqueness 0.5142895033485844).
* sample uniqueness = vendors alone in a class / vendors (rows alone / rows at row level).
* journalist and marketer risk need the population: with only its size, population class sizes
  are estimated as sample size / sampling fraction (stated in the report).
* vendor-level inference: a class with many rows but few vendors looks safe by row counts and is
  not — those classes are listed.
Rows suppressed in a release (every QI ``*``) are excluded and counted separately.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from craftveil.hierarchies import SUPPRESSED, Hierarchy
from craftveil.policy.risk import RiskPolicy
from craftveil.risk.combinations import combination_analysis
from craftveil.risk.diversity import closeness, distinct_l, entropy_l, value_counts
from craftveil.risk.frequency import FrequencySet
from craftveil.risk.lattice import Classes, classes_at, encode
from craftveil.risk.population import population_uniqueness
from craftveil.risk.report import RiskReport


def _original_classes(fs: FrequencySet) -> Classes:
    m = len(fs.combos)
    idx = np.arange(m, dtype=np.int64)
    return Classes((0,) * len(fs.qis), idx, fs.combo_rows, fs.combo_vendors)


def _labels(
    fs: FrequencySet, classes: Classes, hierarchies: Mapping[str, Hierarchy] | None, cls: int
) -> dict[str, str]:
    combo = fs.combos[classes.representative[cls]]
    out = {}
    for i, q in enumerate(fs.qis):
        value = str(fs.values[i][combo[i]])
        if hierarchies is not None:
            value = hierarchies[q].mapping(classes.node[i]).get(value, value)
        out[q] = value
    return out


def _numeric(values: npt.NDArray[np.object_]) -> bool:
    try:
        [float(v) for v in values]
    except ValueError:
        return False
    return True


def measure_risk(
    fs: FrequencySet,
    policy: RiskPolicy,
    *,
    hierarchies: Mapping[str, Hierarchy] | None = None,
    node: Sequence[int] | None = None,
    smallest: int = 10,
) -> RiskReport:
    """All risk measures of ``fs`` as released (or at ``node`` of the given hierarchies)."""
    if node is not None and hierarchies is not None:
        classes = classes_at(fs, encode(fs, hierarchies), node)
        labels_from = hierarchies
    else:
        classes, labels_from = _original_classes(fs), None
    first = fs.combos[classes.representative]
    suppressed_class = (
        np.array(
            [
                all(str(fs.values[i][first[c, i]]) == SUPPRESSED for i in range(len(fs.qis)))
                for c in range(classes.count)
            ]
        )
        if node is None
        else np.zeros(classes.count, dtype=bool)
    )
    kept = ~suppressed_class
    pair_class = classes.of_combo[fs.pair_combo]
    pair_kept = kept[pair_class]
    vendors_kept = np.unique(fs.pair_vendor[pair_kept])
    n_vendors = len(vendors_kept)
    n_rows = int(classes.rows[kept].sum())
    out: dict[str, Any] = {
        "quasi_identifiers": list(fs.qis),
        "rows": n_rows,
        "vendors": n_vendors,
        "suppressed_rows": int(classes.rows[suppressed_class].sum()),
        "classes": int(kept.sum()),
    }
    if not kept.any():
        return RiskReport(out)
    vk, rk = classes.vendors[kept], classes.rows[kept]
    out["k_vendors"] = int(vk.min())
    out["k_rows"] = int(rk.min())
    kept_idx = np.flatnonzero(kept)
    order = kept_idx[np.lexsort((classes.rows[kept_idx], classes.vendors[kept_idx]))][:smallest]
    out["smallest_classes"] = [
        {
            "values": _labels(fs, classes, labels_from, int(c)),
            "vendors": int(classes.vendors[c]),
            "rows": int(classes.rows[c]),
        }
        for c in order
    ]
    class_risk = np.where(kept, 1.0 / np.maximum(classes.vendors, 1), 0.0)
    vendor_risk = np.zeros(fs.n_vendors)
    np.maximum.at(vendor_risk, fs.pair_vendor[pair_kept], class_risk[pair_class[pair_kept]])
    vendor_risk = vendor_risk[vendors_kept]
    row_risk = 1.0 / rk
    threshold = policy.risk_threshold
    out["prosecutor"] = {
        "vendor_level": {
            "average": float(vendor_risk.mean()),
            "highest": float(vendor_risk.max()),
            "vendors_at_risk": int((vendor_risk > threshold).sum()),
            "share_at_risk": float((vendor_risk > threshold).mean()),
            "threshold": threshold,
        },
        "row_level": {
            "average": float(kept.sum() / n_rows),
            "highest": float(row_risk.max()),
            "rows_at_risk": int(rk[row_risk > threshold].sum()),
            "share_at_risk": float(rk[row_risk > threshold].sum() / n_rows),
        },
    }
    alone = (classes.vendors == 1) & kept
    out["sample_uniqueness"] = {
        "vendors": len(np.unique(fs.pair_vendor[alone[pair_class]])) / n_vendors,
        "rows": float(rk[rk == 1].sum() / n_rows),
    }
    if policy.k is not None:
        below = kept & (classes.vendors < policy.k)
        out["below_k"] = {
            "k": policy.k,
            "classes": int(below.sum()),
            "vendors": len(np.unique(fs.pair_vendor[below[pair_class]])),
            "rows": int(classes.rows[below].sum()),
        }
    many_rows_few_vendors = (
        kept & (classes.rows >= (policy.k or 2)) & (classes.vendors < (policy.k or 2))
    )
    out["vendor_inference"] = {
        "explanation": "classes that look safe by row count but hold fewer than k vendors",
        "classes": int(many_rows_few_vendors.sum()),
        "vendors": len(np.unique(fs.pair_vendor[many_rows_few_vendors[pair_class]])),
        "rows": int(classes.rows[many_rows_few_vendors].sum()),
        "examples": [
            {
                "values": _labels(fs, classes, labels_from, int(c)),
                "vendors": int(classes.vendors[c]),
                "rows": int(classes.rows[c]),
            }
            for c in np.flatnonzero(many_rows_few_vendors)[:smallest]
        ],
    }
    if policy.population_size is not None:
        population = max(policy.population_size, n_vendors)
        fraction = n_vendors / population
        out["population"] = population_uniqueness(vk, population)
        out["journalist"] = {
            "estimated_highest": float(min(1.0, fraction / vk.min())),
            "estimated_average": float(min(1.0, fraction * kept.sum() / n_vendors)),
            "note": "population class sizes estimated as sample class size / sampling fraction",
        }
        out["marketer"] = {"estimated": float(min(1.0, fraction * kept.sum() / n_vendors))}
    diversity = {}
    for name in fs.sensitive:
        vc = value_counts(fs, fs.sensitive[name], classes.of_combo, classes.count)
        ent = entropy_l(vc)
        hierarchy = hierarchies.get(name) if hierarchies is not None else None
        tc = closeness(vc, fs.sensitive[name].values, hierarchy)
        diversity[name] = {
            "distinct_l": int(distinct_l(vc)[kept].min()),
            "entropy_l": float(np.exp2(ent[kept].min())),
            "t_closeness": float(tc[kept].max()),
            "t_closeness_distance": "hierarchical"
            if hierarchy is not None
            else ("ordered" if _numeric(fs.sensitive[name].values) else "equal"),
        }
    if diversity:
        out["sensitive"] = diversity
    out["combinations"] = combination_analysis(fs, policy.max_combination_size)
    return RiskReport(out)
