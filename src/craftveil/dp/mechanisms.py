"""Every call into OpenDP: noise, calibration, accuracy and privacy-loss conversion.

This is the only module of craftveil that imports ``opendp`` (ARCHITECTURE.md). It uses OpenDP's
measurements with exact samplers — ``make_gaussian`` / ``make_laplace`` on vectors of 64-bit
integers are the *discrete* Gaussian (Canonne, Kamath & Steinke 2020) and the discrete Laplace
(geometric) mechanisms — and ``make_private_quantile`` (the exponential mechanism with Gumbel noise,
Smith 2011) for medians and quantiles. Noise is never drawn with numpy's RNG.

Calibration is done with OpenDP's own privacy maps and ``binary_search_param``: we ask OpenDP for
the smallest noise scale whose privacy map, at the declared per-cell sensitivity, stays within the
per-cell share of the budget. A vendor influences at most L0 cells, and losses add up over those
cells in zCDP (and in pure DP), so the per-cell share is the statistic's share divided by L0 —
the same accounting as OpenDP's Context for an L0/L∞ bound.

Private partition selection (``keys: private``) uses OpenDP's ``make_gaussian_threshold``: a
discrete Gaussian noisy count per key, and only keys whose noisy count reaches the threshold are
released (Rogers 2023, "A Unifying Privacy Analysis Framework for Unknown Domain Algorithms in
Differential Privacy"; the Gaussian variant of the Laplace-threshold partition selection of
Korolova et al. 2009 and Desfontaines et al. 2022, "Differentially private partition selection").
It is δ-approximately ρ-zCDP (Bun & Steinke 2016, §8): ρ = L0·L∞²/(2σ²) from the noise, and δ is
the chance that a cell present in one dataset only (at most L0 cells, ≤ L∞ = 1 vendor each) clears
the threshold: δ = 1 − (1 − P(Z ≥ τ − 1))^L0. **OpenDP 0.16's map under-reports that δ**
(opendp/opendp#2922; we measured a release rate of 0.0046 where its map says 0.00135), so ρ is
taken from OpenDP's map but δ is computed here from the discrete Gaussian's own pmf, bounded from
above (:func:`discrete_gaussian_tail`), and the larger of the two is used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

import opendp.prelude as dp

dp.enable_features("contrib")

Mechanism = Literal["gaussian", "laplace"]
_I64 = "i64"
_SCALE_SEARCH = (1e-9, 1e12)
_MAX_THRESHOLD = 2**30
_EXACT_TAIL_MAX_SCALE = 200.0


def _vector_domain() -> dp.Domain:
    return dp.vector_domain(dp.atom_domain(T=_I64))


def _noise_measurement(mechanism: Mechanism, scale: float) -> dp.Measurement:
    if mechanism == "gaussian":
        return dp.m.make_gaussian(_vector_domain(), dp.l2_distance(T=_I64), scale)
    return dp.m.make_laplace(_vector_domain(), dp.l1_distance(T=_I64), scale)


def cell_loss(mechanism: Mechanism, rho: float) -> float:
    """The loss OpenDP's map is compared with: ρ (Gaussian) or ε = √(2ρ) (Laplace, pure DP).

    Pure ε-DP implies ε²/2-zCDP (Bun & Steinke 2016, Prop. 1.4; OpenDP's make_pureDP_to_zCDP),
    so a Laplace statistic with ledger share ρ gets ε = √(2ρ).
    """
    return rho if mechanism == "gaussian" else math.sqrt(2.0 * rho)


@lru_cache(maxsize=1024)
def calibrate_noise_scale(
    mechanism: Mechanism, sensitivity: int, cells_per_vendor: int, rho: float
) -> float:
    """Smallest noise scale so that one vendor (≤ L0 cells, ≤ ``sensitivity`` each) costs ≤ ρ.

    Data-independent, hence cached per template (DP_NOTES.md: calibration was 11 s of a 14 s
    run uncached). ``sensitivity`` is the per-cell L∞ change one vendor can make, in integer units.
    """
    if sensitivity <= 0:
        return 0.0
    per_cell = cell_loss(mechanism, rho) / cells_per_vendor
    scale: float = dp.binary_search_param(
        lambda s: _noise_measurement(mechanism, s), d_in=int(sensitivity), d_out=per_cell
    )
    return scale


def noise_privacy_loss(mechanism: Mechanism, scale: float, sensitivity: int) -> float:
    """OpenDP's privacy map for one cell: ρ (Gaussian) or ε (Laplace) at this sensitivity."""
    measurement = _noise_measurement(mechanism, scale)
    loss: float = measurement.map(int(sensitivity))  # type: ignore[no-untyped-call]
    return loss


def add_noise(mechanism: Mechanism, scale: float, values: Sequence[int]) -> list[int]:
    """Add discrete Gaussian / discrete Laplace noise of ``scale`` to integer ``values``."""
    if not values:
        return []
    measurement = _noise_measurement(mechanism, scale)
    noisy: list[int] = measurement([int(v) for v in values])
    return noisy


def draw_noise(mechanism: Mechanism, scale: float, count: int) -> list[int]:
    """``count`` independent noise draws: the mechanism's output on a vector of zeros.

    The mechanisms add noise independent of the input, so ``x + draw_noise(...)`` has the
    distribution of ``add_noise(..., x)`` (see craftveil.dp.draws).
    """
    return add_noise(mechanism, scale, [0] * count)


def margin_of_error(mechanism: Mechanism, scale: float, alpha: float = 0.05) -> float:
    """Half-width of the (1 − α) interval of the noise, from OpenDP's accuracy functions."""
    if scale == 0:
        return 0.0
    if mechanism == "gaussian":
        return float(dp.discrete_gaussian_scale_to_accuracy(scale, alpha))
    return float(dp.discrete_laplacian_scale_to_accuracy(scale, alpha))


def scale_for_margin(mechanism: Mechanism, margin: float, alpha: float = 0.05) -> float:
    """The noise scale whose (1 − α) margin is ``margin`` (OpenDP's inverse accuracy functions)."""
    if mechanism == "gaussian":
        return float(dp.accuracy_to_discrete_gaussian_scale(margin, alpha))
    return float(dp.accuracy_to_discrete_laplacian_scale(margin, alpha))


def noise_standard_deviation(mechanism: Mechanism, scale: float) -> float:
    """Exact standard deviation of the discrete noise of ``scale``.

    Discrete Laplace with P(k) ∝ exp(−|k|/b): variance 2q/(1−q)² with q = e^(−1/b). Discrete
    Gaussian with P(k) ∝ exp(−k²/2σ²): variance is Σk²P(k), below σ² and equal to it within
    1e-12 relative once σ ≥ 3 (Canonne, Kamath & Steinke 2020, Fact 20); summed for small σ.
    """
    if scale == 0:
        return 0.0
    if mechanism == "laplace":
        q = math.exp(-1.0 / scale)
        return math.sqrt(2.0 * q) / (1.0 - q)
    if scale >= 3.0:
        return scale
    support = range(-int(12 * scale) - 2, int(12 * scale) + 3)
    weights = [math.exp(-(k * k) / (2 * scale * scale)) for k in support]
    total = sum(weights)
    return math.sqrt(sum(k * k * w for k, w in zip(support, weights, strict=True)) / total)


@lru_cache(maxsize=256)
def calibrate_quantile_scale(
    candidate_count: int, cells_per_vendor: int, rho: float, values_per_vendor: int = 1
) -> float:
    """Scale of OpenDP's private quantile (zCDP) so that one vendor costs at most ρ.

    One vendor adds or removes ``values_per_vendor`` values in each of ≤ L0 cells (the
    symmetric distance OpenDP's map takes as d_in); ρ adds up over those cells.
    """
    candidates = list(range(candidate_count))
    per_cell = rho / cells_per_vendor
    scale: float = dp.binary_search_param(
        lambda s: _quantile_measurement(candidates, 0.5, s),
        d_in=values_per_vendor,
        d_out=per_cell,
    )
    return scale


def _quantile_measurement(candidates: list[int], alpha: float, scale: float) -> dp.Measurement:
    return dp.m.make_private_quantile(
        _vector_domain(),
        dp.symmetric_distance(),
        dp.zero_concentrated_divergence(),
        candidates=candidates,
        alpha=alpha,
        scale=scale,
    )


def private_quantile(
    values: Sequence[int], candidates: list[int], alpha: float, scale: float
) -> int:
    """One DP quantile of vendor-level integer values among sorted ``candidates``."""
    measurement = _quantile_measurement(candidates, alpha, scale)
    chosen: int = measurement([int(v) for v in values])
    return chosen


@lru_cache(maxsize=256)
def rho_to_epsilon(rho: float, delta: float) -> float:
    """ε at ``delta`` implied by ρ-zCDP, by OpenDP's make_zCDP_to_approxDP conversion.

    For absurdly large ρ OpenDP's conversion overflows; then the looser bound of Bun & Steinke
    (2016, Prop. 1.3), ε = ρ + 2√(ρ ln(1/δ)), is reported instead — still a valid guarantee.
    """
    base = dp.m.make_gaussian(
        dp.atom_domain(T=float, nan=False), dp.absolute_distance(T=float), 1.0
    )
    conversion = dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(base), delta)
    try:
        epsilon, _ = conversion.map(math.sqrt(2.0 * rho))  # type: ignore[no-untyped-call]
    except dp.OpenDPException:
        return rho + 2.0 * math.sqrt(rho * math.log(1.0 / delta))
    return float(epsilon)


@lru_cache(maxsize=256)
def epsilon_to_rho(epsilon: float, delta: float) -> float:
    """Largest ρ whose OpenDP conversion to (ε, δ) stays within ``epsilon`` (bisection)."""
    low, high = 0.0, max(epsilon, 1.0)
    while rho_to_epsilon(high, delta) <= epsilon:
        high *= 2.0
    for _ in range(80):
        middle = (low + high) / 2.0
        if rho_to_epsilon(middle, delta) <= epsilon:
            low = middle
        else:
            high = middle
    return low


def _threshold_measurement(scale: float, threshold: int) -> dp.Measurement:
    domain = dp.map_domain(dp.atom_domain(T=str), dp.atom_domain(T=_I64))
    metric = dp.l02inf_distance(dp.absolute_distance(T=_I64))
    return dp.m.make_gaussian_threshold(domain, metric, scale=scale, threshold=threshold)


def _selection_d_in(cells_per_vendor: int) -> tuple[int, int, int]:
    """One vendor changes ≤ L0 cells' vendor counts by ≤ 1: (L0, L2 bound, L∞) for OpenDP.

    OpenDP uses min(L2², L0·L∞²) for the ℓ2 sensitivity, so passing L0 as the (integer) ℓ2 bound
    gives exactly √L0 — the tight bound for L0 cells changed by one each.
    """
    return (cells_per_vendor, cells_per_vendor, 1)


def discrete_gaussian_tail(scale: float, at_least: int) -> float:
    """An upper bound on P(Z ≥ ``at_least``) for the discrete Gaussian of ``scale`` (σ).

    P(Z = k) = w(k) / Σ_j w(j) with w(k) = exp(−k²/2σ²) (Canonne, Kamath & Steinke 2020). Always
    valid: Σ_j w(j) ≥ σ√(2π) (Poisson summation) and Σ_{k≥m} w(k) ≤ ∫_{m−1}^∞ w, so the tail is at
    most the continuous Gaussian tail from m − 1. For σ ≤ 200 the sums are also computed (the
    numerator with a bound on what is left beyond 40σ, the denominator truncated, which only
    makes the ratio larger) and the smaller of the two bounds is returned.
    """
    if at_least <= 0:
        return 1.0
    bound = 0.5 * math.erfc((at_least - 1) / (scale * math.sqrt(2.0)))
    if scale > _EXACT_TAIL_MAX_SCALE:
        return min(1.0, bound)
    reach = int(40 * scale) + 10
    if at_least > reach:  # beyond 40σ: the continuous bound is below 1e-300 already
        return bound

    def weight(k: int) -> float:
        return math.exp(-(k * k) / (2.0 * scale * scale))

    denominator = 1.0 + 2.0 * math.fsum(weight(k) for k in range(1, reach + 1))
    beyond = scale * math.sqrt(2 * math.pi) * 0.5 * math.erfc(reach / (scale * math.sqrt(2.0)))
    numerator = math.fsum(weight(k) for k in range(at_least, reach + 1)) + beyond
    return min(1.0, bound, numerator / denominator * (1 + 1e-9))


def selection_loss(scale: float, threshold: int, cells_per_vendor: int) -> tuple[float, float]:
    """(ρ, δ) of the Gaussian threshold for one vendor of ≤ L0 cells changed by ≤ 1 each.

    ρ is OpenDP's map; δ = 1 − (1 − P(Z ≥ τ − 1))^L0 from :func:`discrete_gaussian_tail`, or
    OpenDP's δ if that were larger (it is not in 0.16: opendp/opendp#2922).
    """
    measurement = _threshold_measurement(scale, threshold)
    d_in = _selection_d_in(cells_per_vendor)
    rho, opendp_delta = measurement.map(d_in)  # type: ignore[no-untyped-call]
    cell = discrete_gaussian_tail(scale, threshold - 1)
    delta = -math.expm1(cells_per_vendor * math.log1p(-cell)) if cell < 1.0 else 1.0
    return float(rho), max(float(opendp_delta), delta)


def opendp_selection_delta(scale: float, threshold: int, cells_per_vendor: int) -> float:
    """The δ OpenDP 0.16's own map reports (too small: opendp/opendp#2922) — for tests only."""
    measurement = _threshold_measurement(scale, threshold)
    _, delta = measurement.map(_selection_d_in(cells_per_vendor))  # type: ignore[no-untyped-call]
    return float(delta)


@lru_cache(maxsize=256)
def calibrate_selection(cells_per_vendor: int, rho: float, delta: float) -> tuple[float, int]:
    """Noise scale and threshold of partition selection costing at most (ρ, δ) per vendor.

    The scale is the smallest whose ρ (OpenDP's map; it does not depend on the threshold) fits;
    the threshold is then the smallest integer whose δ fits — both by bisection on OpenDP's map.
    """
    d_in = _selection_d_in(cells_per_vendor)
    scale: float = dp.binary_search(
        lambda s: float(_threshold_measurement(s, _MAX_THRESHOLD).map(d_in)[0]) <= rho,  # type: ignore[no-untyped-call]
        bounds=_SCALE_SEARCH,
    )
    low, high = 1, _MAX_THRESHOLD  # δ is decreasing in the threshold; the map needs ≥ L∞ = 1
    if selection_loss(scale, high, cells_per_vendor)[1] > delta:
        raise ValueError(f"no threshold below {high} reaches δ = {delta}")
    while low < high:
        middle = (low + high) // 2
        if selection_loss(scale, middle, cells_per_vendor)[1] <= delta:
            high = middle
        else:
            low = middle + 1
    return scale, low


def select_partitions(counts: dict[str, int], scale: float, threshold: int) -> dict[str, int]:
    """Keys whose discrete-Gaussian noisy count reaches ``threshold``, with those noisy counts."""
    if not counts:
        return {}
    released: dict[str, int] = _threshold_measurement(scale, threshold)(counts)
    return released
