"""Attribute-combination analysis: which QI subsets single vendors out.

For every subset of the quasi-identifiers up to a size (ARX's "distinction" and "separation"
of attribute combinations, Motwani & Xu 2007), count the vendors that are alone in their class on
that subset — so the steward sees *which* combinations identify, not just that the data is risky.
Subsets are visited smallest first and the analysis stops at a time budget, saying how far it got.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import numpy as np
import pandas as pd

from craftveil.risk.frequency import FrequencySet, combine_codes
from craftveil.risk.lattice import vendors_per_class


def unique_vendors(fs: FrequencySet, positions: tuple[int, ...]) -> int:
    """Vendors that are the only vendor in some class when only ``positions`` are the QIs."""
    key = combine_codes(
        [fs.combos[:, p] for p in positions], [len(fs.values[p]) for p in positions]
    )
    codes, uniques = pd.factorize(key)
    of_combo = codes.astype(np.int64)
    n_classes = len(uniques)
    vendors = vendors_per_class(fs, of_combo, n_classes)
    alone = vendors[of_combo[fs.pair_combo]] == 1
    return len(pd.unique(fs.pair_vendor[alone]))


def combination_analysis(
    fs: FrequencySet, max_size: int = 3, time_budget_seconds: float = 30.0
) -> dict[str, Any]:
    """Unique vendors for every QI subset up to ``max_size``, most identifying first."""
    deadline = time.perf_counter() + time_budget_seconds
    results: list[dict[str, Any]] = []
    finished = True
    for size in range(1, min(max_size, len(fs.qis)) + 1):
        for positions in itertools.combinations(range(len(fs.qis)), size):
            if time.perf_counter() > deadline:
                finished = False
                break
            unique = unique_vendors(fs, positions)
            results.append(
                {
                    "attributes": [fs.qis[p] for p in positions],
                    "unique_vendors": unique,
                    "share_of_vendors": unique / fs.n_vendors,
                }
            )
    results.sort(key=lambda r: (-r["unique_vendors"], len(r["attributes"])))
    return {"max_size": max_size, "finished": finished, "combinations": results}
