"""Every HiGHS model of the suppression code is made here, with one fixed thread count.

HiGHS's MIP search depends on how many threads its scheduler runs (measured: the hierarchical
benchmark's pattern changed from 1,741 to 1,787 secondaries between the default and one
thread), and the default is derived from the machine's cores — so without a fixed count the
same tables could get a different pattern on another machine, and two patterns of one table
can be combined by an attacker. HiGHS also keeps one scheduler per OS thread, initialised by
the first model run on it, and refuses a later model asking for a different count; fixing
the count for every model avoids that too. Parallelism comes from solving independent
subtables on several threads instead (secondary.py), which leaves the pattern unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping

import highspy
import numpy as np
from scipy import sparse

THREADS = 1


def new_model(
    cost: np.ndarray,
    col_bounds: tuple[np.ndarray, np.ndarray],
    matrix: sparse.spmatrix,
    row_bounds: tuple[np.ndarray, np.ndarray],
    *,
    integer: bool = False,
    options: Mapping[str, float | bool | str] | None = None,
) -> highspy.Highs:
    """A silent HiGHS instance on ``THREADS`` threads holding min cost·x s.t. the bounds.

    Bounds may be ±inf (HiGHS's infinity is IEEE inf); ``integer`` makes every column integer.
    """
    a = sparse.csc_matrix(matrix)
    lp = highspy.HighsLp()
    lp.num_col_ = a.shape[1]
    lp.num_row_ = a.shape[0]
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_, lp.col_upper_ = (np.asarray(v, dtype=float) for v in col_bounds)
    lp.row_lower_, lp.row_upper_ = (np.asarray(v, dtype=float) for v in row_bounds)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * a.shape[1]
    model = highspy.Highs()  # type: ignore[no-untyped-call]
    model.setOptionValue("output_flag", False)
    model.setOptionValue("threads", THREADS)
    for key, value in (options or {}).items():
        model.setOptionValue(key, value)
    model.passModel(lp)
    return model
