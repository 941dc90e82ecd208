"""Noise drawn ahead of the data: each draw used once, added to its own cell and part."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import ibis
import pytest
from tests.unit.dp.dp_helpers import policy_with_mean

from craftveil.dp import Ledger, compute_statistics, draws
from craftveil.dp.bounding import bound_all
from craftveil.dp.calibration import Calibration
from craftveil.dp.draws import NoiseDraws, NoiseRequest


def _request(statistic: str = "s", count: int = 200) -> NoiseRequest:
    return NoiseRequest(statistic, "value", "gaussian", 10_000, 1, 0.01, count)


def test_a_draw_made_ahead_is_handed_out_once() -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead = NoiseDraws(pool)
        ahead.prefetch(_request())
        assert ahead.pending == 1
        calibration, first = ahead.take(_request())
        assert ahead.pending == 0
        _, second = ahead.take(_request())  # not drawn ahead any more: a fresh draw
    assert len(first) == len(second) == 200
    assert calibration.scale > 1_000  # sensitivity 10,000 at ρ = 0.01: σ ≈ 70,711
    assert first != second


def test_equal_templates_of_two_statistics_get_independent_noise() -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        ahead = NoiseDraws(pool)
        ahead.prefetch(_request("a"))
        ahead.prefetch(_request("b"))
        _, a = ahead.take(_request("a"))
        _, b = ahead.take(_request("b"))
    assert a != b


def test_a_request_of_another_length_is_not_served_a_draw_made_ahead() -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead = NoiseDraws(pool)
        ahead.prefetch(_request(count=200))
        _, noise = ahead.take(_request(count=3))
    assert len(noise) == 3
    assert ahead.pending == 1


def test_add_refuses_mismatched_lengths() -> None:
    assert draws.add([1, 2], [10, -5]) == [11, -3]
    with pytest.raises(ValueError, match="2 values but 3 noise draws"):
        draws.add([1, 2], [0, 0, 0])


def test_release_adds_each_prefetched_vector_to_its_own_cells_and_parts(
    small_sales: ibis.Table, ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recognisable noise per (statistic, part): a swapped vector or cell would show."""
    offsets = {
        ("vendors", "value"): 1_000_000,
        ("sales", "value"): 2_000_000,
        ("average", "sum"): 3_000_000,
        ("average", "count"): 4_000_000,
    }
    prefetched: list[NoiseRequest] = []
    real_draw, real_prefetch = draws.draw, NoiseDraws.prefetch

    def fake_draw(request: NoiseRequest) -> tuple[Calibration, list[int]]:
        calibration, _ = real_draw(request)
        base = offsets[(request.statistic, request.part)]
        return calibration, [base + 10 * k for k in range(request.count)]

    def logging_prefetch(self: NoiseDraws, request: NoiseRequest) -> None:
        prefetched.append(request)
        real_prefetch(self, request)

    monkeypatch.setattr(draws, "draw", fake_draw)
    monkeypatch.setattr(NoiseDraws, "prefetch", logging_prefetch)
    policy = policy_with_mean()
    result = compute_statistics(
        small_sales, policy, "vendor", ledger=ledger, dataset="d", release_id="r",
        store_dir=tmp_path, rng_seed=2,
    )  # fmt: skip

    assert {(r.statistic, r.part) for r in prefetched} == set(offsets)
    truth = {
        name: bound_all(small_sales, [policy.statistic(name)], "vendor", "seed-2")
        .statistics[name]
        .cells.set_index("region")
        for name in ("vendors", "sales", "average")
    }
    for index, region in enumerate(policy.taxonomy["region"]):  # taxonomy order = noise order
        noise = 10 * index
        vendors = {v.cell["region"]: v.value for v in result.values("vendors")}
        assert vendors[region] == truth["vendors"].loc[region, "vendors"] + 1_000_000 + noise
        sales = {v.cell["region"]: v.value for v in result.values("sales")}
        expected_sales = (truth["sales"].loc[region, "total"] + 2_000_000 + noise) / 100
        assert sales[region] == pytest.approx(expected_sales)
        means = {v.cell["region"]: v.value for v in result.values("average")}
        cell = truth["average"].loc[region]
        expected_mean = (cell["total"] + 3_000_000 + noise) / (cell["vendors"] + 4_000_000 + noise)
        assert means[region] == pytest.approx(expected_mean / 100)
