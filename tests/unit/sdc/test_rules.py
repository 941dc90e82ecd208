"""Primary rules: the worked examples of SDC_RULES.md and an independent re-implementation.

Expected values come from the rule definitions (SDC_RULES.md / ESSnet handbook ch. 4) computed
here directly on pandas group-bys of the reference CSV, never from craftveil's own output.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from craftveil.errors import DataError
from craftveil.policy.aggregates import AggregatesPolicy
from craftveil.sdc import build_tables, primary_suppression

from .helpers import cell_frame, memtable, microdata1, two_way_policy

RULES = {
    "frequency": {"min_vendors": 3},
    "dominance": {"dominance": [2, 75]},
    "p_percent": {"p_percent": 70},
    "pq": {"pq": [60, 80]},
}


def _protected(frame: pd.DataFrame, rules: dict[str, object]) -> pd.DataFrame:
    policy = two_way_policy(rules)
    system = build_tables(memtable(frame), policy, "vendor")
    primary_suppression(system, policy.rules)
    return cell_frame(system)


@pytest.mark.parametrize(
    ("rules", "expected_upl"),
    [({"dominance": [2, 75]}, 22.0), ({"p_percent": 70}, 121.0), ({"pq": [60, 80]}, 135.0)],
)
def test_worked_check_d_male(
    shared_data: Path, rules: dict[str, object], expected_upl: float
) -> None:
    """SDC_RULES.md: cell D×male, X = 366, x1 = 280, x2 = 11 → UPL 22 / 121 / 135."""
    cells = _protected(microdata1(shared_data), rules)
    cell = cells[(cells.region == "D") & (cells.gender == "male")].iloc[0]
    assert (cell.value, cell.top_1, cell.top_2) == (366, 280, 11)
    assert cell.status == "primary"
    assert cell.upper_protection == pytest.approx(expected_upl)
    assert cell.lower_protection == pytest.approx(expected_upl)


def _independent_primaries(frame: pd.DataFrame, rule: str) -> set[tuple[str, str]]:
    """The rule formula applied to per-vendor sums of every cell, margins included."""
    unsafe = set()
    for region in [*sorted(frame.region.unique()), "Total"]:
        for gender in [*sorted(frame.gender.unique()), "Total"]:
            sub = frame[
                ((frame.region == region) | (region == "Total"))
                & ((frame.gender == gender) | (gender == "Total"))
            ]
            if sub.empty:
                continue
            x = np.sort(sub.groupby("vendor")["val"].sum().to_numpy())[::-1]
            total, x1 = x.sum(), x[0]
            x2 = x[1] if len(x) > 1 else 0.0
            flagged = {
                "frequency": len(x) < 3,
                "dominance": x1 + x2 > 0.75 * total,
                "p_percent": total - x1 - x2 < 0.70 * x1,
                "pq": total - x1 - x2 < (60 / 80) * x1,
            }[rule]
            if flagged:
                unsafe.add((region, gender))
    return unsafe


@pytest.mark.parametrize("rule", sorted(RULES))
def test_primaries_match_rule_definition_microdata1(shared_data: Path, rule: str) -> None:
    frame = microdata1(shared_data)
    cells = _protected(frame, RULES[rule])
    got = {
        (r, g)
        for r, g, s in zip(cells.region, cells.gender, cells.status, strict=True)
        if s == "primary"
    }
    expected = _independent_primaries(frame, rule)
    assert expected, "the reference data must have unsafe cells for this rule"
    assert got == expected


def test_holding_example_from_the_manual() -> None:
    """Units 700, 200, 60, 40, 10 of enterprises 6, 6, 7, 8, 9: p=10 safe per unit only."""
    values = [700, 200, 60, 40, 10]
    per_unit = pd.DataFrame(
        {"region": "A", "gender": "m", "val": values, "vendor": ["1", "2", "3", "4", "5"]}
    )
    per_holding = per_unit.assign(vendor=["6", "6", "7", "8", "9"])
    rules = {"p_percent": 10}
    unit_cells = _protected(per_unit, rules)
    holding_cells = _protected(per_holding, rules)
    assert set(unit_cells.status) == {"published"}
    assert set(holding_cells.status) == {"primary"}
    # (p/100)·x1 − (X − x1 − x2) = 0.1·900 − (1010 − 900 − 60) = 40
    assert holding_cells.upper_protection.iloc[0] == pytest.approx(40.0)


@pytest.mark.parametrize(
    ("rules", "status"),
    [
        ({"dominance": [1, 90]}, "published"),
        ({"p_percent": 2.1}, "primary"),
        ({"p_percent": 1.9}, "published"),
    ],
)
def test_handbook_1_90_versus_p_percent(rules: dict[str, object], status: str) -> None:
    """X = 100,000, x1 = 50,000, x2 = 49,000: safe under (1,90), unsafe under p% for p > 2."""
    frame = pd.DataFrame(
        {"region": "A", "gender": "m", "val": [50_000, 49_000, 1_000], "vendor": ["a", "b", "c"]}
    )
    assert set(_protected(frame, rules).status) == {status}


@pytest.mark.parametrize(
    ("rules", "status"), [({"p_percent": 10}, "published"), ({"dominance": [2, 90.9]}, "primary")]
)
def test_handbook_p10_versus_2_90_9(rules: dict[str, object], status: str) -> None:
    """p = 10, X = 110,000, x1 = 52,000, x2 = 50,000: safe under p10, unsafe under (2, 90.9)."""
    frame = pd.DataFrame(
        {"region": "A", "gender": "m", "val": [52_000, 50_000, 8_000], "vendor": ["a", "b", "c"]}
    )
    assert set(_protected(frame, rules).status) == {status}


def test_frequency_rule_is_strictly_fewer_than_n() -> None:
    """τ-Argus FREQ(n) flags N < n; sdcTable's maxN off-by-one (N <= n) must not be used."""
    frame = pd.DataFrame(
        {
            "region": ["A"] * 3 + ["B"] * 2,
            "gender": "m",
            "val": 10,
            "vendor": ["a", "b", "c", "d", "e"],
        }
    )
    cells = _protected(frame, {"min_vendors": 3})
    status = dict(zip(cells.region, cells.status, strict=True))
    assert status == {"A": "published", "B": "primary", "Total": "published"}


def test_negative_contributions_error_by_default() -> None:
    frame = pd.DataFrame(
        {"region": "A", "gender": "m", "val": [10, -5, 3], "vendor": ["a", "b", "c"]}
    )
    with pytest.raises(DataError, match="negative per-vendor contributions"):
        _protected(frame, {"p_percent": 10})


def test_negative_contributions_absolute_value_shadow_rule() -> None:
    """|x| = 10, 5, 3 → X' = 18: p=50 → 0.5·10 − (18 − 15) = 2 > 0 → unsafe."""
    frame = pd.DataFrame(
        {"region": "A", "gender": "m", "val": [10, -5, 3], "vendor": ["a", "b", "c"]}
    )
    cells = _protected(frame, {"p_percent": 50, "shadow_rule_for_negatives": "absolute_value"})
    assert set(cells.status) == {"primary"}
    assert cells.upper_protection.iloc[0] == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"p_percent": 0}, "rules.p_percent: 0.0 — p must be > 0"),
        ({"p_percent": -3}, "rules.p_percent: -3.0 — p must be > 0"),
        ({"dominance": [2, 100]}, "rules.dominance: k=100.0 — k must be in (0, 100)"),
        ({"dominance": [0, 75]}, "rules.dominance: n=0 — n must be >= 1"),
        ({"min_vendors": 0}, "rules.min_vendors: 0 — n must be >= 1"),
        ({"pq": [0, 80]}, "rules.pq: p=0.0 — p must be > 0"),
    ],
)
def test_out_of_range_parameters_are_clear_errors(rules: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        AggregatesPolicy.model_validate(
            {
                "dimensions": {"r": {"column": "r"}},
                "rules": rules,
                "tables": [{"name": "t", "dimensions": ["r"], "measure_column": "v"}],
            }
        )
