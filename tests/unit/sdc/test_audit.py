"""The attacker-interval audit: the handbook's example 3 and the 'two per row' trap."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from craftveil.sdc import audit
from craftveil.sdc.cells import CellSystem


def _two_way_system(inner: np.ndarray) -> tuple[CellSystem, dict[tuple[int, int], int]]:
    """A hand-built r×c table with row, column and grand totals as a CellSystem."""
    rows, cols = inner.shape
    ids: dict[tuple[int, int], int] = {}
    values = []
    for i, j in itertools.product(range(rows + 1), range(cols + 1)):
        ids[(i, j)] = len(values)
        if i < rows and j < cols:
            values.append(inner[i, j])
        elif i < rows:
            values.append(inner[i].sum())
        elif j < cols:
            values.append(inner[:, j].sum())
        else:
            values.append(inner.sum())
    relations = [
        np.array([ids[(i, cols)], *(ids[(i, j)] for j in range(cols))]) for i in range(rows + 1)
    ]
    relations += [
        np.array([ids[(rows, j)], *(ids[(i, j)] for i in range(rows))]) for j in range(cols + 1)
    ]
    n = len(values)
    cells = pd.DataFrame(
        {
            "value": np.array(values, dtype=float),
            "vendors": np.full(n, 5),
            "min_contribution": np.zeros(n),
            "status": "published",
            "upper_protection": 0.0,
            "lower_protection": 0.0,
            "measure_column": "v",
        }
    )
    return CellSystem(cells=cells, tables={}, relations=relations, top_count=2), ids


def test_handbook_example_3_interval() -> None:
    """Row totals 7 and 3, column totals 6 and 4, all inner cells suppressed → X11 ∈ [3, 6]."""
    system, ids = _two_way_system(np.array([[5.0, 2.0], [1.0, 2.0]]))
    for i, j in itertools.product(range(2), range(2)):
        system.cells.loc[ids[(i, j)], "status"] = "secondary"
    system.cells.loc[ids[(0, 0)], ["status", "upper_protection", "lower_protection"]] = [
        "primary",
        1.0,
        1.0,
    ]
    result = audit(system)
    row = result.intervals.loc[ids[(0, 0)]]
    assert (row.x_min, row.x_max) == pytest.approx((3.0, 6.0))
    assert result.passed


def test_two_suppressions_per_row_and_column_is_not_enough() -> None:
    """sdcTable's problemdata trap: every row and column has ≥ 2 suppressions, yet a bridge
    cell between two suppressed 2×2 blocks is exactly recomputable (rows 1–2 minus columns 1–2)."""
    inner = np.array([[20, 31, 12, 9], [17, 25, 47, 11], [8, 14, 30, 22], [13, 6, 15, 40]], float)
    system, ids = _two_way_system(inner)
    pattern = [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)]
    for cell in pattern:
        system.cells.loc[ids[cell], "status"] = "secondary"
    for i in range(4):
        assert sum((i, j) in pattern for j in range(4)) >= 2
        assert sum((j, i) in pattern for j in range(4)) >= 2
    bridge = ids[(1, 2)]
    system.cells.loc[bridge, ["status", "upper_protection", "lower_protection"]] = [
        "primary",
        4.7,
        4.7,
    ]
    result = audit(system)
    row = result.intervals.loc[bridge]
    assert row.x_min == pytest.approx(47.0)
    assert row.x_max == pytest.approx(47.0)
    assert not result.passed
    assert result.failed_cells == [bridge]


def test_two_single_vendor_siblings_are_a_violation() -> None:
    system, ids = _two_way_system(np.array([[5.0, 2.0, 4.0], [1.0, 2.0, 6.0]]))
    for cell in [(0, 0), (0, 1), (1, 0), (1, 1)]:
        system.cells.loc[ids[cell], "status"] = "secondary"
    system.cells.loc[[ids[(0, 0)], ids[(0, 1)]], "vendors"] = 1
    system.cells.loc[ids[(0, 0)], ["status", "upper_protection", "lower_protection"]] = [
        "primary",
        0.5,
        0.5,
    ]
    result = audit(system)
    assert result.intervals["passed"].all()
    assert not result.passed
    assert len(result.singleton_violations) == 1
