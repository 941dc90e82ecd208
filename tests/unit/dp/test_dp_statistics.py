"""compute_statistics: bounding made true in the engine, stored values, reliability, journal."""

from __future__ import annotations

import math
from pathlib import Path

import ibis
import pytest
from tests.unit.dp.dp_helpers import make_policy, policy_with_mean

from craftveil.dp import Ledger, compute_statistics
from craftveil.dp.bounding import bound_all
from craftveil.dp.calibration import calibrate
from craftveil.errors import PrivacyRequirementError
from craftveil.journal import Journal

# small_sales in cents, per (vendor, region) before bounding (by hand from the fixture):
#   v1: north 120.00, south 10.00 | v2 north 50 | v3 north 20 | v4 south 5.50 | v5 south 70
#   v6: south 120.00. Clamp [0, 100]: v1-north and v6 lose 20 each; L0 = 1 drops one v1 cell.
ORIGINAL_CENTS = 12_000 + 1_000 + 5_000 + 2_000 + 550 + 7_000 + 12_000
KEEP_NORTH = {"north": 10_000 + 5_000 + 2_000, "south": 550 + 7_000 + 10_000}
KEEP_SOUTH = {"north": 5_000 + 2_000, "south": 1_000 + 550 + 7_000 + 10_000}


def _totals(table: ibis.Table, seed: int) -> dict[str, int]:
    statistic = make_policy().statistic("sales")
    cells = bound_all(table, [statistic], "vendor", f"seed-{seed}").statistics["sales"].cells
    return dict(zip(cells["region"], cells["total"].astype(int), strict=True))


def test_bounding_pre_aggregates_clamps_and_keeps_l0_cells(small_sales: ibis.Table) -> None:
    seen = [_totals(small_sales, seed) for seed in range(16)]
    assert all(totals in (KEEP_NORTH, KEEP_SOUTH) for totals in seen)
    assert KEEP_NORTH in seen  # the L0 choice is random over seeds
    assert KEEP_SOUTH in seen
    assert _totals(small_sales, 3) == _totals(small_sales, 3)  # and fixed by a seed


def test_bounding_impact_is_measured(small_sales: ibis.Table) -> None:
    statistic = make_policy().statistic("sales")
    bounded = bound_all(small_sales, [statistic], "vendor", "seed-1").statistics["sales"]
    kept = sum(_totals(small_sales, 1).values())
    impact = bounded.impact
    assert impact.vendors == 6
    assert impact.share_vendors_clipped == pytest.approx(2 / 6)  # v1 (L0 and/or clamp), v6
    assert impact.share_vendor_cells_dropped == pytest.approx(1 / 7)
    assert impact.share_total_clamped_away == pytest.approx(1 - kept / ORIGINAL_CENTS)


def test_large_budget_recovers_the_bounded_truth(
    small_sales: ibis.Table, ledger: Ledger, tmp_path: Path
) -> None:
    """With ρ = 10⁶ the noise is tiny: values match the hand-computed truth within 5 SD.

    SDs: counts 0.002 vendors; sum 100·100/√(2·ρ/3) cents ≈ 0.12; mean ≲ 0.09 (units).
    """
    policy = policy_with_mean(budget={"rho": 1e6, "period": "all_time"})
    result = compute_statistics(
        small_sales, policy, "vendor", ledger=ledger, dataset="d", release_id="r",
        store_dir=tmp_path, rng_seed=2,
    )  # fmt: skip
    totals = _totals(small_sales, 2)
    vendors = {"north": 3 if totals == KEEP_NORTH else 2}
    vendors["south"] = 6 - vendors["north"]
    got = {v.cell["region"]: v.value for v in result.values("sales")}
    assert got == {k: pytest.approx(t / 100, abs=0.6) for k, t in totals.items()}
    assert {v.cell["region"]: v.value for v in result.values("vendors")} == vendors
    means = {v.cell["region"]: v.value for v in result.values("average")}
    assert means == {k: pytest.approx(totals[k] / 100 / vendors[k], abs=0.45) for k in totals}


def test_each_value_carries_its_accuracy_and_small_cells_are_withheld(
    small_sales: ibis.Table, ledger: Ledger, tmp_path: Path
) -> None:
    policy = make_policy(budget={"rho": 0.001, "period": "all_time"})
    result = compute_statistics(
        small_sales, policy, "vendor", ledger=ledger, dataset="d", release_id="r",
        store_dir=tmp_path,
    )  # fmt: skip
    count = result.statistics[0]
    expected = calibrate("gaussian", 1, 1, 0.0005)  # half the budget, sensitivity 1, L0 = 1
    assert count.noise_scale == pytest.approx(1 / (2 * 0.0005) ** 0.5, rel=1e-6)
    for value in count.values:
        assert value.noise_sd == pytest.approx(expected.noise_sd)
        assert value.margin_of_error_95 == expected.margin_of_error_95
        # SD ≈ 31.6 vendors against ≤ 3 true vendors: published only if the noise says ≥ 31.6
        if value.value is None:
            assert value.reliable is False
            assert value.withheld_reason
        else:
            assert value.cv is not None
            assert value.cv < 1
            assert value.reliable


def test_rerun_returns_stored_values_and_spends_nothing(
    small_sales: ibis.Table, ledger: Ledger, tmp_path: Path
) -> None:
    policy = make_policy()
    journal = Journal()

    def run() -> object:
        return compute_statistics(
            small_sales, policy, "vendor", ledger=ledger, dataset="d", release_id="r",
            store_dir=tmp_path, journal=journal,
        )  # fmt: skip

    first = run()
    spent = ledger.spent("d", "vendor", "all_time")
    second = run()
    assert second == type(first)(**{**first.__dict__, "from_store": True})  # type: ignore[call-arg]
    assert ledger.spent("d", "vendor", "all_time") == spent
    assert len(ledger.rows("d", "vendor", "all_time")) == 2
    assert "returned from the store; no budget spent" in journal.entries[-1].sentence
    assert "Released 2 differentially private statistics" in journal.entries[0].sentence


def test_changed_declaration_under_the_same_release_is_refused(
    small_sales: ibis.Table, ledger: Ledger, tmp_path: Path
) -> None:
    compute_statistics(
        small_sales, make_policy(), "vendor", ledger=ledger, dataset="d", release_id="r",
        store_dir=tmp_path,
    )  # fmt: skip
    changed = make_policy(budget={"epsilon": 2.0, "period": "all_time"})
    with pytest.raises(PrivacyRequirementError, match="already published with a different dp"):
        compute_statistics(
            small_sales, changed, "vendor", ledger=ledger, dataset="d", release_id="r",
            store_dir=tmp_path,
        )  # fmt: skip


def test_failure_after_reserving_rolls_back(
    small_sales: ibis.Table, ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from craftveil.dp import store

    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store, "save", broken)
    with pytest.raises(OSError, match="disk full"):
        compute_statistics(
            small_sales, make_policy(), "vendor", ledger=ledger, dataset="d", release_id="r",
            store_dir=tmp_path,
        )  # fmt: skip
    rows = ledger.rows("d", "vendor", "all_time")
    assert [r.state for r in rows] == ["rolled_back", "rolled_back"]
    assert ledger.spent("d", "vendor", "all_time") == 0


def test_median_of_vendor_values(ledger: Ledger, tmp_path: Path) -> None:
    """201 vendors with totals 0..200 and a large budget: the DP median is near 100."""
    table = ibis.memtable({"vendor": [f"v{i}" for i in range(201)], "price": list(range(201))})
    policy = make_policy(
        budget={"rho": 100.0, "period": "all_time"},
        statistics=[{"name": "median_price", "kind": "median", "column": "price",
                     "bounds": {"upper": 200}}],
    )  # fmt: skip
    result = compute_statistics(
        table, policy, "vendor", ledger=ledger, dataset="d", release_id="m", store_dir=tmp_path
    )
    (value,) = result.values("median_price")
    assert value.value is not None
    assert 90 <= value.value <= 110


def test_laplace_statistic_uses_pure_epsilon_from_its_rho_share(
    small_sales: ibis.Table, ledger: Ledger, tmp_path: Path
) -> None:
    """ρ = 0.5 per statistic ⇒ ε = √(2ρ) = 1 (pure DP); sum scale = L0 · 100.00 / ε = 10,000 ¢."""
    policy = make_policy(budget={"rho": 1.0, "period": "all_time"}, mechanism="laplace")
    result = compute_statistics(
        small_sales, policy, "vendor", ledger=ledger, dataset="d", release_id="l",
        store_dir=tmp_path,
    )  # fmt: skip
    vendors, sales = result.statistics
    assert vendors.noise_scale == pytest.approx(1.0, rel=1e-6)
    assert sales.noise_scale == pytest.approx(10_000, rel=1e-6)
    q = math.exp(-1 / 10_000)
    assert result.values("sales")[0].noise_sd == pytest.approx(math.sqrt(2 * q) / (1 - q) / 100)


def test_quantiles_per_cell_with_an_empty_cell(ledger: Ledger, tmp_path: Path) -> None:
    """Quartiles of 0..200 in 'north'; 'south' has no vendor and still gets a (noise) value."""
    table = ibis.memtable(
        {"vendor": [f"v{i}" for i in range(201)], "region": ["north"] * 201,
         "price": list(range(201))}
    )  # fmt: skip
    policy = make_policy(
        budget={"rho": 100.0, "period": "all_time"},
        statistics=[{"name": "price", "kind": "quantiles", "column": "price", "cells": ["region"],
                     "quantiles": [0.25, 0.75], "bounds": {"upper": 200}}],
    )  # fmt: skip
    result = compute_statistics(
        table, policy, "vendor", ledger=ledger, dataset="d", release_id="q", store_dir=tmp_path
    )
    got = {(v.cell["region"], v.cell["quantile"]): v.value for v in result.values("price")}
    assert set(got) == {("north", "0.25"), ("north", "0.75"), ("south", "0.25"), ("south", "0.75")}
    assert 40 <= (got["north", "0.25"] or 0) <= 60
    assert 140 <= (got["north", "0.75"] or 0) <= 160


def test_bounds_chosen_privately(ledger: Ledger, tmp_path: Path) -> None:
    """300 vendors, one cell each, totals 0..299: L0 = 1 and a ceiling near the 95th percentile.

    The money grid steps by 10^(1/32) (…, 255, 274, 294, 316, …), so the DP 95th percentile
    (≈ 285) lands on 274 or 294 with a large budget.
    """
    table = ibis.memtable(
        {"vendor": [f"v{i}" for i in range(300)], "region": ["north"] * 300,
         "amount": [float(i) for i in range(300)]}
    )  # fmt: skip
    statistic = {"name": "sales", "kind": "sum", "column": "amount", "cells": ["region"],
                 "bounds": "choose_privately"}  # fmt: skip
    policy = make_policy(budget={"rho": 1000.0, "period": "all_time"}, statistics=[statistic])
    result = compute_statistics(
        table, policy, "vendor", ledger=ledger, dataset="d", release_id="p", store_dir=tmp_path
    )
    (sales,) = result.statistics
    assert sales.bounds_chosen_privately
    assert sales.bounds["max_cells_per_vendor"] == 1
    assert sales.bounds["upper"] in (274, 294)
    assert ledger.spent("d", "vendor", "all_time") == pytest.approx(1000.0)
    truth = sum(min(i, sales.bounds["upper"]) for i in range(300))
    (north, _south) = result.values("sales")
    assert north.value == pytest.approx(truth, abs=5 * (north.noise_sd or 0) + 1)
