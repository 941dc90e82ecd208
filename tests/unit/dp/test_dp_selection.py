"""Private partition selection (keys: private): which cells, at what cost, accounted in the ledger.

OpenDP's samplers cannot be seeded (they draw from the OS's CSPRNG), so the statistical tests
compare observed frequencies with probabilities computed here from the discrete Gaussian's pmf
(Canonne, Kamath & Steinke 2020) and allow 5 binomial standard deviations — a false failure has
probability below 1e-6 per check. Fixed seeds only fix the L0 choice.
"""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path
from typing import Any

import ibis
import opendp.prelude as dp
import pandas as pd
import pytest
from tests.unit.dp.dp_helpers import make_policy

from craftveil.dp import Ledger, compute_statistics, mechanisms, plan
from craftveil.dp.bounding import BoundedCells, BoundingImpact, bound_all, new_salt
from craftveil.dp.selection import plan_selection, select_cells
from craftveil.errors import BudgetError


def _gaussian_tail(scale: float, at_least: int) -> float:
    """P(Z ≥ at_least) for the discrete Gaussian of ``scale``, from its pmf."""
    support = range(-int(40 * scale) - 5, int(40 * scale) + 6)
    weights = {k: math.exp(-(k * k) / (2 * scale * scale)) for k in support}
    total = sum(weights.values())
    return sum(w for k, w in weights.items() if k >= at_least) / total


def _bounded(counts: dict[str, int]) -> BoundedCells:
    cells = pd.DataFrame({"town": list(counts), "vendors": list(counts.values())})
    impact = BoundingImpact(sum(counts.values()), 0.0, 0.0, 0.0)
    return BoundedCells(cells.assign(total=cells["vendors"]), None, impact)


def test_calibration_is_opendp_map_at_the_declared_cost() -> None:
    selection = plan_selection(cells_per_vendor=4, rho=0.05, delta=1e-8)
    rho, delta = mechanisms.selection_loss(selection.noise_scale, selection.threshold, 4)
    assert rho == pytest.approx(4 / (2 * selection.noise_scale**2))  # ρ = L0 / (2σ²)
    assert rho <= 0.05 * (1 + 1e-9)
    assert delta <= 1e-8
    # the threshold is the smallest that fits: one less overspends δ
    assert mechanisms.selection_loss(selection.noise_scale, selection.threshold - 1, 4)[1] > 1e-8
    # more cells per vendor cost more δ at the same threshold, hence a higher threshold
    assert plan_selection(40, 0.05, 1e-8).threshold > selection.threshold


def test_cells_with_many_vendors_are_kept_and_single_vendor_cells_almost_never() -> None:
    selection = plan_selection(cells_per_vendor=1, rho=0.05, delta=1e-8)
    threshold, scale = selection.threshold, selection.noise_scale
    counts = {"big": 200, "edge": threshold, **{f"single{i}": 1 for i in range(300)}}
    runs = 60
    kept: dict[str, int] = dict.fromkeys(counts, 0)
    for _ in range(runs):
        for town in select_cells(_bounded(counts), ["town"], selection).cells["town"]:
            kept[str(town)] += 1
    assert kept["big"] == runs  # P(miss) = P(Z ≤ threshold − 200) < 1e-30
    singles = sum(v for k, v in kept.items() if k.startswith("single"))
    # each single-vendor cell is kept with probability P(Z ≥ threshold − 1) ≤ δ = 1e-8
    assert _gaussian_tail(scale, threshold - 1) <= 1e-8
    assert singles == 0
    # a cell with exactly `threshold` vendors is kept when Z ≥ 0
    p = _gaussian_tail(scale, 0)
    sd = math.sqrt(runs * p * (1 - p))
    assert abs(kept["edge"] - runs * p) <= 5 * sd


def test_vendors_needed_to_survive_match_the_pmf() -> None:
    selection = plan_selection(cells_per_vendor=3, rho=0.02, delta=1e-8)
    scale, threshold = selection.noise_scale, selection.threshold
    at_95 = int(selection.vendors_for_95)
    assert _gaussian_tail(scale, threshold - at_95) >= 0.95  # P(count + Z ≥ τ) at that count
    assert _gaussian_tail(scale, threshold - (at_95 - 2)) < 0.95  # and it is nearly tight
    assert 0.5 <= _gaussian_tail(scale, 0) < 0.6  # "about even odds" at the threshold


def test_selection_delta_covers_the_measured_release_rate_opendp_under_reports_it() -> None:
    """50,000 single-vendor cells at σ = 1, τ = 4: each is released when Z ≥ 3.

    The measured rate is ≈ 0.0046 (the discrete Gaussian's pmf); OpenDP 0.16's map says 0.00135
    (opendp/opendp#2922), so craftveil computes δ itself. If this fails on an OpenDP upgrade
    because OpenDP's δ became right, the workaround in mechanisms.selection_loss can go.
    """
    cells = 50_000
    released = len(mechanisms.select_partitions({f"k{i}": 1 for i in range(cells)}, 1.0, 4))
    rate = released / cells
    p = _gaussian_tail(1.0, 3)
    assert abs(rate - p) <= 5 * math.sqrt(p * (1 - p) / cells)
    assert mechanisms.selection_loss(1.0, 4, 1)[1] >= p
    assert mechanisms.opendp_selection_delta(1.0, 4, 1) < rate - 5 * math.sqrt(p / cells)


def test_never_releases_a_cell_without_a_vendor(tmp_path: Path) -> None:
    # vendor 'solo' is the only one in 'east' and 'west'; with L0 = 1 one of the two is dropped
    rows = [("v" + str(i), "north") for i in range(400)] + [("solo", "east"), ("solo", "west")]
    table = ibis.memtable(pd.DataFrame(rows, columns=["vendor", "region"]))
    statistics = [{"name": "n", "kind": "count_vendors", "cells": ["region"], "keys": "private"}]
    # a huge budget: tiny noise, so every cell with a vendor after bounding clears the threshold
    policy = make_policy(
        budget={"rho": 500.0, "delta": 1e-7, "period": "all_time"},
        taxonomy={"region": ["north", "south", "ghost"]},  # taxonomy keys are NOT candidates
        statistics=statistics,
    )
    for seed in range(6):
        ledger = Ledger(tmp_path / f"l{seed}.sqlite")
        result = compute_statistics(
            table, policy, "vendor", ledger=ledger, dataset="d", release_id=f"r{seed}",
            store_dir=tmp_path, rng_seed=seed,
        )  # fmt: skip
        released = {v.cell["region"] for v in result.values("n")}
        present = bound_all(table, policy.statistics, "vendor", new_salt(seed)).statistics["n"]
        with_vendor = set(present.cells.loc[present.cells["vendors"] > 0, "region"])
        assert len(with_vendor) == 2  # north and exactly one of east / west
        assert released <= with_vendor
        assert "north" in released
        assert not released & {"south", "ghost"}
        selection = result.statistics[0].selection
        assert selection is not None
        assert selection["threshold"] == 2
        # enough, so the surviving single-vendor cell is never published either
        assert released == {"north"}


def test_selection_delta_is_accounted_and_overspending_delta_is_refused(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite")
    first = ledger.reserve_many(
        "d", "vendor", "2026", [("a", 0.1, 6e-9)], "r1", total_rho=1.0, total_delta=1e-8
    )
    ledger.commit(*first)
    assert ledger.spent_delta("d", "vendor", "2026") == pytest.approx(6e-9)
    with pytest.raises(BudgetError) as caught:
        ledger.reserve_many(
            "d", "vendor", "2026", [("b", 0.1, 6e-9)], "r2", total_rho=1.0, total_delta=1e-8
        )
    assert "requests δ = 6e-09 for private partition selection, but only δ = 4e-09 of 1e-08" in (
        str(caught.value)
    )
    # ρ alone still fits: a public-keys statistic can be released
    ledger.reserve_many("d", "vendor", "2026", [("c", 0.1)], "r3", total_rho=1.0, total_delta=1e-8)
    with pytest.raises(BudgetError, match=r"and selection δ = 1e-08 .* selection δ = 2e-08"):
        ledger.reserve_many(
            "d", "vendor", "2026", [("e", 0.1, 1e-9)], "r4", total_rho=1.0, total_delta=2e-8
        )


def test_release_spends_its_delta_share_and_composes_like_opendp(tmp_path: Path) -> None:
    rows = [(f"v{i}", "north" if i % 3 else "south", 10.0) for i in range(600)]
    table = ibis.memtable(pd.DataFrame(rows, columns=["vendor", "region", "amount"]))
    statistics: list[dict[str, Any]] = [
        {"name": "n", "kind": "count_vendors", "cells": ["region"], "keys": "private"},
    ]
    policy = make_policy(budget={"epsilon": 1.0, "delta": 1e-7, "period": "all_time"},
                         taxonomy={}, statistics=statistics)  # fmt: skip
    ledger = Ledger(tmp_path / "ledger.sqlite")
    result = compute_statistics(
        table, policy, "vendor", ledger=ledger, dataset="d", release_id="r", store_dir=tmp_path
    )
    assert result.delta_spent == pytest.approx(5e-8)  # all of ρ ⇒ all of the selection δ
    assert result.delta == pytest.approx(1e-7)
    assert ledger.spent_delta("d", "vendor", "all_time") == pytest.approx(5e-8)
    assert result.epsilon == pytest.approx(1.0, rel=1e-6)
    # The composition rule — ε from ρ at (δ − δ_selection), plus δ_selection — is OpenDP's own
    # conversion of its approximate-zCDP Gaussian threshold (make_zCDP_to_approxDP), given the
    # same (ρ, δ): here OpenDP's δ, because its measurement carries that one.
    selection = result.statistics[0].selection
    assert selection is not None
    scale, tau = selection["noise_scale"], int(selection["threshold"])
    domain = dp.map_domain(dp.atom_domain(T=str), dp.atom_domain(T="i64"))
    metric = dp.l02inf_distance(dp.absolute_distance(T="i64"))
    threshold = dp.m.make_gaussian_threshold(domain, metric, scale=scale, threshold=tau)
    rho, opendp_delta = threshold.map((1, 1, 1))  # type: ignore[no-untyped-call]
    converted = dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(threshold), 1e-7)
    epsilon, _ = converted.map((1, 1, 1))  # type: ignore[no-untyped-call]
    assert epsilon == pytest.approx(mechanisms.rho_to_epsilon(rho, 1e-7 - opendp_delta), rel=1e-9)
    # and the δ the ledger holds covers the selection's real δ (ours ≥ OpenDP's, see below)
    assert mechanisms.selection_loss(scale, tau, 1)[1] <= result.delta_spent
    # the second release in the period finds neither ρ nor δ left
    with pytest.raises(BudgetError, match="requests δ"):
        compute_statistics(
            table, policy, "vendor", ledger=ledger, dataset="d", release_id="r2",
            store_dir=tmp_path,
        )  # fmt: skip


def test_rerun_returns_the_stored_selection_and_spends_nothing(tmp_path: Path) -> None:
    rows = [(f"v{i}", f"town{i % 4}", float(i % 7)) for i in range(800)]
    table = ibis.memtable(pd.DataFrame(rows, columns=["vendor", "town", "amount"]))
    statistics = [
        {"name": "total", "kind": "sum", "column": "amount", "cells": ["town"], "keys": "private",
         "bounds": {"upper": 10, "max_cells_per_vendor": 1}},
    ]  # fmt: skip
    policy = make_policy(taxonomy={}, statistics=statistics)
    ledger = Ledger(tmp_path / "ledger.sqlite")

    def run() -> Any:
        return compute_statistics(
            table, policy, "vendor", ledger=ledger, dataset="d", release_id="r",
            store_dir=tmp_path,
        )  # fmt: skip

    first = run()
    spent = (ledger.spent("d", "vendor", "all_time"), ledger.spent_delta("d", "vendor", "all_time"))
    second = run()
    assert second.from_store
    assert second.values("total") == first.values("total")
    assert second.statistics[0].selection == first.statistics[0].selection
    assert spent == (
        ledger.spent("d", "vendor", "all_time"),
        ledger.spent_delta("d", "vendor", "all_time"),
    )


def test_plan_shows_the_selection_cost_and_survival_counts() -> None:
    statistics = [
        {"name": "n", "kind": "count_vendors", "cells": ["town"], "keys": "private",
         "bounds": {"max_cells_per_vendor": 2}},
    ]  # fmt: skip
    policy = make_policy(taxonomy={}, statistics=statistics)
    sizes = pd.DataFrame({"town": ["a", "b", "c"], "vendors": [500, 3, 1], "total": [500, 3, 1]})
    report = plan(policy, cell_sizes={"n": sizes})
    (statistic,) = report.statistics
    selection = statistic.selection
    assert selection is not None
    expected = plan_selection(2, statistic.rho, 5e-8)
    assert selection["threshold"] == expected.threshold
    assert selection["delta"] == pytest.approx(5e-8)
    assert statistic.cells_below_threshold == 2
    text = report.to_text()
    assert f"a cell needs about {expected.threshold} vendors" in text
    assert "selection costs ρ =" in text
    assert "δ = 5e-08" in text


def test_an_old_ledger_gains_the_delta_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as connection:
        connection.executescript(
            "CREATE TABLE budget (dataset TEXT NOT NULL, privacy_unit TEXT NOT NULL, "
            "period TEXT NOT NULL, total_rho REAL NOT NULL, declared_at TEXT NOT NULL, "
            "PRIMARY KEY (dataset, privacy_unit, period));"
            "CREATE TABLE spending (id INTEGER PRIMARY KEY AUTOINCREMENT, dataset TEXT NOT NULL,"
            " privacy_unit TEXT NOT NULL, period TEXT NOT NULL, release_id TEXT NOT NULL, "
            "statistic TEXT NOT NULL, rho REAL NOT NULL, state TEXT NOT NULL, pid INTEGER NOT "
            "NULL, host TEXT NOT NULL, reserved_at TEXT NOT NULL, settled_at TEXT, note TEXT NOT "
            "NULL DEFAULT '');"
            "INSERT INTO budget VALUES ('d', 'vendor', '2026', 1.0, 'then');"
            "INSERT INTO spending (dataset, privacy_unit, period, release_id, statistic, rho, "
            "state, pid, host, reserved_at) VALUES ('d', 'vendor', '2026', 'r', 's', 0.25, "
            "'committed', 1, 'h', 'then');"
        )
    ledger = Ledger(path)
    assert ledger.spent("d", "vendor", "2026") == pytest.approx(0.25)
    assert ledger.spent_delta("d", "vendor", "2026") == 0.0
    assert ledger.remaining_delta("d", "vendor", "2026") == 0.0
    with pytest.raises(BudgetError, match="requests δ"):
        ledger.reserve_many("d", "vendor", "2026", [("p", 0.1, 1e-9)], "r2", total_rho=1.0)


def test_fingerprint_of_a_public_policy_ignores_the_unset_selection_delta() -> None:
    """Releases stored before selection_delta existed are still recognised on a re-run."""
    import hashlib
    import json

    from craftveil.dp import store

    policy = make_policy()
    before = policy.model_dump(mode="json", exclude={"ledger"})
    del before["budget"]["selection_delta"]  # what the declaration looked like without the field
    text = json.dumps({"dataset": "d", "vendor_column": "vendor", "policy": before}, sort_keys=True)
    assert store.fingerprint(policy, "d", "vendor") == hashlib.sha256(text.encode()).hexdigest()
    private = make_policy(
        budget={"epsilon": 1.0, "selection_delta": 2e-8, "period": "all_time"},
        statistics=[{"name": "a", "kind": "count_vendors", "cells": ["region"], "keys": "private"}],
    )
    changed = private.model_copy(update={"budget": private.budget.model_copy(
        update={"selection_delta": 3e-8})})  # fmt: skip
    assert store.fingerprint(private, "d", "v") != store.fingerprint(changed, "d", "v")
