"""Calibration against OpenDP's own Context, and the noise against its declared distribution."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import opendp.prelude as dp
import polars as pl
import pytest
from scipy import stats

from craftveil.dp import mechanisms
from craftveil.dp.calibration import calibrate

dp.enable_features("contrib")


def _context_scale(kind: str, bound: int, cells: int, loss: dict[str, float]) -> float:
    """The noise scale OpenDP's Polars Context reports (summarize) for one grouped query.

    Data is already one row per (vendor, cell), as our engine pre-aggregation produces: each
    vendor contributes ≤ 1 row per cell and ≤ ``cells`` cells (OpenDP's L∞ = 1, L0 = cells).
    """
    frame = pl.LazyFrame(
        {"vendor": [1, 1, 2, 3], "cell": ["a", "b", "a", "b"], "x": [3, 4, 5, 6]},
        schema={"vendor": pl.Int64, "cell": pl.String, "x": pl.Int64},
    )
    context = dp.Context.compositor(
        data=frame,
        privacy_unit=dp.unit_of(
            contributions=[dp.polars.Bound(by=["cell"], per_group=1, num_groups=cells)]
        ),
        privacy_loss=dp.loss_of(**loss),
        split_evenly_over=1,
        margins=[dp.polars.Margin(by=["cell"], invariant="keys", max_length=1_000_000)],
    )
    aggregate = pl.col("x").fill_null(0).dp.sum((0, bound)) if kind == "sum" else dp.len()
    summary = context.query().group_by("cell").agg(aggregate).summarize()
    return float(summary["scale"][0])


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize(
    ("mechanism", "kind", "bound", "cells", "loss"),
    [
        ("gaussian", "sum", 500, 10, {"rho": 0.05}),
        ("gaussian", "sum", 10_000, 3, {"rho": 0.5}),
        ("gaussian", "count", 1, 10, {"rho": 0.02}),
        ("laplace", "sum", 500, 10, {"epsilon": 1.0}),
        ("laplace", "count", 1, 4, {"epsilon": 0.3}),
    ],
)
def test_scale_equals_opendp_context(
    mechanism: mechanisms.Mechanism, kind: str, bound: int, cells: int, loss: dict[str, float]
) -> None:
    rho = loss["rho"] if "rho" in loss else loss["epsilon"] ** 2 / 2  # ours: ρ = ε²/2 for Laplace
    ours = calibrate(mechanism, bound, cells, rho).scale
    assert ours == pytest.approx(_context_scale(kind, bound, cells, loss), rel=1e-6)


def test_gaussian_scale_is_the_textbook_formula() -> None:
    # Discrete Gaussian (Canonne, Kamath & Steinke 2020): ρ = Δ₂² / (2σ²), Δ₂ = √L0 · L∞.
    sensitivity, cells, rho = 250, 8, 0.1
    expected = math.sqrt(cells) * sensitivity / math.sqrt(2 * rho)
    assert calibrate("gaussian", sensitivity, cells, rho).scale == pytest.approx(expected, rel=1e-6)


def test_rho_epsilon_conversion_is_below_the_simple_bound_and_round_trips() -> None:
    # Bun & Steinke 2016: ρ-zCDP ⇒ (ρ + 2√(ρ ln(1/δ)), δ)-DP; OpenDP's conversion is tighter.
    rho, delta = 0.1, 1e-7
    epsilon = mechanisms.rho_to_epsilon(rho, delta)
    assert epsilon < rho + 2 * math.sqrt(rho * math.log(1 / delta))
    assert epsilon > 0.5 * (rho + 2 * math.sqrt(rho * math.log(1 / delta)))
    assert mechanisms.epsilon_to_rho(epsilon, delta) == pytest.approx(rho, rel=1e-6)


def test_laplace_standard_deviation_matches_the_pmf() -> None:
    scale = 2.5
    support = np.arange(-400, 401)
    pmf = np.exp(-np.abs(support) / scale)
    pmf /= pmf.sum()
    expected = math.sqrt(float((support**2 * pmf).sum()))
    assert mechanisms.noise_standard_deviation("laplace", scale) == pytest.approx(expected, 1e-9)


@pytest.mark.parametrize("mechanism", ["gaussian", "laplace"])
def test_empirical_noise_matches_declared_distribution(mechanism: mechanisms.Mechanism) -> None:
    """20,000 draws (as a release draws them, ahead of the data): SD within 3 %, a χ²
    goodness-of-fit test, 95 % coverage ± 1 pt."""
    scale, draws = 6.0, 20_000
    noise = np.array(mechanisms.draw_noise(mechanism, scale, draws))
    sd = mechanisms.noise_standard_deviation(mechanism, scale)
    assert abs(noise.mean()) < 4 * sd / math.sqrt(draws)
    assert noise.std() == pytest.approx(sd, rel=0.03)
    support = np.arange(-200, 201)
    if mechanism == "gaussian":
        weights = np.exp(-(support**2) / (2 * scale**2))
    else:
        weights = np.exp(-np.abs(support) / scale)
    pmf = weights / weights.sum()
    edges = [-math.inf, *np.arange(-15.5, 16.5, 1.0), math.inf]
    observed, _ = np.histogram(noise, bins=edges)
    expected = np.array(
        [pmf[(support > lo) & (support < hi)].sum() for lo, hi in itertools.pairwise(edges)]
    )
    chi2 = stats.chisquare(observed, expected * draws / expected.sum())
    assert chi2.pvalue > 1e-4  # fixed tolerance: a wrong distribution gives p ≈ 0
    margin = mechanisms.margin_of_error(mechanism, scale)
    declared = float(pmf[np.abs(support) <= margin].sum())
    assert declared >= 0.95  # OpenDP's integer margin is conservative by at most a step
    coverage = float(np.mean(np.abs(noise) <= margin))
    assert coverage == pytest.approx(declared, abs=4 * math.sqrt(0.05 * 0.95 / draws))


@pytest.mark.parametrize("mechanism", ["gaussian", "laplace"])
def test_margin_coverage_is_95_percent_for_a_wide_scale(mechanism: mechanisms.Mechanism) -> None:
    """At scale 300 the integer step is negligible: coverage 95 % ± 0.6 pt over 20,000 draws."""
    noise = np.array(mechanisms.add_noise(mechanism, 300.0, [1000] * 20_000)) - 1000
    coverage = float(np.mean(np.abs(noise) <= mechanisms.margin_of_error(mechanism, 300.0)))
    assert coverage == pytest.approx(0.95, abs=0.006)


def test_wrong_distribution_fails_the_same_check() -> None:
    """The χ² check has power: Gaussian draws of scale 6 are rejected as Laplace of scale 6."""
    scale, draws = 6.0, 20_000
    noise = np.array(mechanisms.add_noise("gaussian", scale, [0] * draws))
    support = np.arange(-200, 201)
    pmf = np.exp(-np.abs(support) / scale)
    edges = [-math.inf, *np.arange(-15.5, 16.5, 1.0), math.inf]
    observed, _ = np.histogram(noise, bins=edges)
    expected = np.array(
        [pmf[(support > lo) & (support < hi)].sum() for lo, hi in itertools.pairwise(edges)]
    )
    assert stats.chisquare(observed, expected * draws / expected.sum()).pvalue < 1e-10


def test_private_quantile_of_a_clear_median() -> None:
    """1,000 vendors at 0..999, a generous budget: the DP median is near 500."""
    scale = mechanisms.calibrate_quantile_scale(101, 1, 1.0)
    candidates = list(range(0, 1001, 10))
    chosen = mechanisms.private_quantile(list(range(1000)), candidates, 0.5, scale)
    assert 450 <= chosen <= 550


def test_calibration_file_entries_are_verified_before_use(tmp_path: Path) -> None:
    """A cached scale is re-checked by OpenDP's privacy map; an edited, too-small one is dropped."""
    from craftveil.dp import calibration

    calibration.clear()
    honest = calibration.calibrate("gaussian", 100, 4, 0.125)
    path = tmp_path / "dp-calibrations.json"
    calibration.save(path)
    data = json.loads(path.read_text())
    data["noise"].append({**data["noise"][0], "rho": 0.5, "calibration": {
        "scale": 1.0, "noise_sd": 1.0, "margin_of_error_95": 2.0}})  # fmt: skip
    path.write_text(json.dumps(data))
    calibration.clear()
    assert calibration.load(path) == 1  # the honest entry only
    assert calibration.calibrate("gaussian", 100, 4, 0.125) == honest
    assert calibration.calibrate("gaussian", 100, 4, 0.5).scale == pytest.approx(200.0, rel=1e-6)
