"""plan: margins from OpenDP's accuracy functions, ε for a target, withheld cells, warnings."""

from __future__ import annotations

import math

import opendp.prelude as dp
import pandas as pd
import pytest
from tests.unit.dp.dp_helpers import make_policy

from craftveil.dp import plan
from craftveil.dp.calibration import calibrate

COUNT = {"name": "vendors", "kind": "count_vendors", "cells": ["region"],
         "bounds": {"max_cells_per_vendor": 4}}  # fmt: skip


def test_margin_is_opendp_accuracy_of_the_textbook_scale() -> None:
    report = plan(make_policy(budget={"rho": 0.08, "period": "2026"}, statistics=[COUNT]))
    (statistic,) = report.statistics
    scale = math.sqrt(4) * 1 / math.sqrt(2 * 0.08)  # Δ₂ = √L0 · 1, ρ = Δ₂²/(2σ²)
    assert statistic.noise_scale == pytest.approx(scale, rel=1e-6)
    assert statistic.margin_of_error_95 == pytest.approx(
        dp.discrete_gaussian_scale_to_accuracy(scale, 0.05), rel=1e-6
    )
    assert report.sizes_from == "unknown"
    assert statistic.withheld_cells == []


def test_epsilon_for_a_target_margin_buys_that_margin() -> None:
    statistic = {**COUNT, "target_margin": 10}
    report = plan(make_policy(budget={"rho": 0.08, "period": "2026"}, statistics=[statistic]))
    (planned,) = report.statistics
    assert planned.rho_for_target is not None
    assert planned.epsilon_for_target is not None
    assert calibrate("gaussian", 1, 4, planned.rho_for_target).margin_of_error_95 <= 10
    assert calibrate("gaussian", 1, 4, planned.rho_for_target * 0.9).margin_of_error_95 > 10
    # textbook check: margin ≈ 1.96 σ with σ = √(L0 / 2ρ) ⇒ ρ ≈ L0 (1.96 / margin)² / 2
    assert planned.rho_for_target == pytest.approx(4 * (1.96 / 10) ** 2 / 2, rel=0.15)


def test_withheld_cells_and_useless_warning_from_given_cell_sizes() -> None:
    """ρ = 0.005 for L0 = 1: SD = 10 vendors. A cell of 8 vendors (CV 125 %) is withheld."""
    statistic = {**COUNT, "bounds": {"max_cells_per_vendor": 1}}
    policy = make_policy(budget={"rho": 0.005, "period": "2026"}, statistics=[statistic])
    sizes = pd.DataFrame({"region": ["north", "south"], "vendors": [8, 400], "total": [0, 0]})
    (planned,) = plan(policy, cell_sizes={"vendors": sizes}).statistics
    assert planned.noise_sd == pytest.approx(10.0, rel=1e-6)
    assert planned.withheld_cells == [{"region": "north"}]
    assert planned.warnings == [
        "1 of 2 cells would be withheld (CV ≥ 100 %): coarser cells, fewer statistics or more "
        "budget would help"
    ]


def test_relative_target_needs_sizes() -> None:
    statistic = {**COUNT, "target_margin": "10%"}
    (planned,) = plan(make_policy(statistics=[statistic])).statistics
    assert planned.epsilon_for_target is None
    assert "target_margin 10% is relative: give cell sizes to plan it" in planned.warnings


def test_plan_spends_nothing_and_says_when_sizes_are_not_dp(small_sales: object) -> None:
    report = plan(make_policy(), source=small_sales, vendor_column="vendor")  # type: ignore[arg-type]
    assert report.sizes_from.startswith("computed from the data (NOT differentially private")
    assert "95% margin" in report.to_text()
