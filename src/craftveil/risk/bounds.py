"""Cheap lower bounds on suppression from two-attribute marginals, for every node at once.

A class of a node lies inside one cell of every two-QI marginal at the same levels, so a marginal
cell with fewer than k distinct vendors can only contain classes with fewer than k vendors: all of
its rows are suppressed. The rows in such cells are therefore a lower bound on the node's
suppressed rows, and the largest bound over all QI pairs already proves many nodes inadmissible
without merging the frequency set (the same reasoning as ARX's use of per-attribute
distributions to skip checks). The bounds are computed on the small two-column marginals of the
frequency set and evaluated for the whole lattice with one vectorised lookup per pair.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import pandas as pd

from craftveil.risk.frequency import FrequencySet, IntArray
from craftveil.risk.lattice import Encoding


def _pair_bound(fs: FrequencySet, enc: Encoding, i: int, j: int, k: int) -> IntArray:
    """bound[a, b] = rows in (QI i at level a, QI j at level b) cells with < k vendors."""
    qi, qj = enc.qis[i], enc.qis[j]
    base = fs.combos[:, i] * len(qj.labels[0]) + fs.combos[:, j]
    cell_codes, cells = pd.factorize(base)
    cell_codes = cell_codes.astype(np.int64)
    code_i = cells // len(qj.labels[0])
    code_j = cells % len(qj.labels[0])
    rows = np.bincount(cell_codes, weights=fs.combo_rows, minlength=len(cells))
    vendors0: npt.NDArray[np.float64]
    if fs.vendors_additive:
        vendor_cell: IntArray | None = None
        weights = fs.combo_vendors.astype(np.float64)
        vendors0 = np.asarray(
            np.bincount(cell_codes, weights=weights, minlength=len(cells)), dtype=np.float64
        )
    else:
        pairs = pd.unique(cell_codes[fs.pair_combo] * fs.n_vendors + fs.pair_vendor)
        vendor_cell = (pairs // fs.n_vendors).astype(np.int64)
        vendor_id = (pairs % fs.n_vendors).astype(np.int64)
        vendors0 = np.zeros(0, dtype=np.float64)
    bound = np.zeros((qi.height, qj.height), dtype=np.int64)
    for a, b in itertools.product(range(qi.height), range(qj.height)):
        width = len(qj.labels[b])
        key = qi.generalised[a][code_i] * width + qj.generalised[b][code_j]
        codes, uniques = pd.factorize(key)
        n = len(uniques)
        cell_rows = np.bincount(codes, weights=rows, minlength=n)
        if vendor_cell is None:
            cell_vendors = np.bincount(codes, weights=vendors0, minlength=n)
        else:
            distinct = pd.unique(codes[vendor_cell] * fs.n_vendors + vendor_id)
            cell_vendors = np.bincount(distinct // fs.n_vendors, minlength=n).astype(np.float64)
        bound[a, b] = int(cell_rows[cell_vendors < k].sum())
    return bound


def suppression_lower_bound(
    fs: FrequencySet, enc: Encoding, nodes: npt.NDArray[np.int64], k: int
) -> IntArray:
    """For every node (row of ``nodes``), a lower bound on the rows k-anonymity suppresses."""
    best = np.zeros(len(nodes), dtype=np.int64)
    for i, j in itertools.combinations(range(len(enc.qis)), 2):
        bound = _pair_bound(fs, enc, i, j, k)
        np.maximum(best, bound[nodes[:, i], nodes[:, j]], out=best)
    if len(enc.qis) == 1:
        only = _pair_bound(fs, enc, 0, 0, k)
        best = np.diagonal(only)[nodes[:, 0]].astype(np.int64)
    return best
