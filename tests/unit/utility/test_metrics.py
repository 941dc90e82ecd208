"""Utility metrics on small hand-made summaries, expected values from the definitions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from craftveil.utility.metrics import price_bands, rolling_and_velocity, seasonality, shares
from craftveil.utility.summaries import Summaries


def _summaries(
    rows: list[tuple[str, str, float, int]],
    prices: dict[str, float] | None = None,
    vendor_prices: list[float] | None = None,
) -> Summaries:
    totals = pd.DataFrame(rows, columns=["period", "grp", "total", "vendors"])
    totals["period"] = pd.to_datetime(totals["period"])
    category = pd.DataFrame(sorted((prices or {}).items()), columns=["category", "median_price"])
    return Summaries(totals, category, pd.Series(vendor_prices or [], dtype=float))


RAW = [
    ("2024-01-01", "north", 10.0, 2),
    ("2024-01-01", "south", 10.0, 2),
    ("2024-02-01", "north", 30.0, 3),
    ("2024-02-01", "south", 10.0, 2),
    ("2024-03-01", "north", 20.0, 2),
    ("2024-03-01", "south", 20.0, 4),
]


def test_shares_max_error_and_total_variation_follow_their_definitions() -> None:
    # raw: north 60 / south 40 of 100; released: north 50, south 50 (of 100).
    released = [
        ("2024-01-01", "north", 10.0, 2),
        ("2024-01-01", "south", 20.0, 2),
        ("2024-02-01", "north", 20.0, 3),
        ("2024-02-01", "south", 10.0, 2),
        ("2024-03-01", "north", 20.0, 2),
        ("2024-03-01", "south", 20.0, 4),
    ]
    result = shares(_summaries(RAW), _summaries(released))
    assert result["max_error_pp"] == pytest.approx(10.0)
    assert result["total_variation"] == pytest.approx(0.5 * (0.1 + 0.1))


def test_a_group_only_on_one_side_counts_fully_in_the_share_error() -> None:
    released = [(p, "*" if g == "south" else g, t, v) for p, g, t, v in RAW]
    result = shares(_summaries(RAW), _summaries(released))
    assert result["max_error_pp"] == pytest.approx(40.0)  # south 40% → 0, '*' 0 → 40%
    assert result["total_variation"] == pytest.approx(0.4)


def test_scaled_series_correlates_perfectly_and_keeps_peak_and_amplitude() -> None:
    doubled = [(p, g, 2 * t, v) for p, g, t, v in RAW]
    result = seasonality(_summaries(RAW), _summaries(doubled))
    assert result["correlation"] == pytest.approx(1.0)
    assert result["peak_preserved"] is True
    assert result["amplitude_error"] == pytest.approx(0.0)


def test_moved_peak_and_amplitude_error() -> None:
    # totals raw: 20, 40, 40 → peak Feb (first max), amplitude (40-20)/33.33 = 0.6
    moved = [
        ("2024-01-01", "north", 30.0, 2),
        ("2024-01-01", "south", 30.0, 2),
        ("2024-02-01", "north", 10.0, 3),
        ("2024-02-01", "south", 10.0, 2),
        ("2024-03-01", "north", 20.0, 2),
        ("2024-03-01", "south", 20.0, 4),
    ]
    result = seasonality(_summaries(RAW), _summaries(moved))
    assert result["peak_raw"] == "2024-02-01"
    assert result["peak_released"] == "2024-01-01"
    assert result["peak_preserved"] is False
    # released totals 60, 20, 40: amplitude (60-20)/40 = 1.0; raw 0.6 → |1.0-0.6|/0.6
    assert result["amplitude_error"] == pytest.approx(0.4 / 0.6)
    a = np.array([10, 10, 30, 10, 20, 20], dtype=float)
    b = np.array([30, 30, 10, 10, 20, 20], dtype=float)
    assert result["correlation"] == pytest.approx(np.corrcoef(a, b)[0, 1])


def test_rolling_average_and_velocity_errors() -> None:
    released = [(p, g, t * (1.5 if p == "2024-03-01" else 1.0), v) for p, g, t, v in RAW]
    result = rolling_and_velocity(_summaries(RAW), _summaries(released), window=2)
    # rolling means of 2 at Feb and Mar per group; only Mar windows change:
    # north (30+20)/2=25 → (30+30)/2=30: 0.2; south (10+20)/2=15 → (10+30)/2=20: 1/3.
    roll = result["rolling_average_error"]
    assert roll["count"] == 4
    assert roll["max"] == pytest.approx(1 / 3)
    assert roll["median"] == pytest.approx(0.1)  # errors 0, 0, 0.2, 1/3
    vel = result["sales_velocity_error"]
    assert vel["count"] == 6
    assert vel["max"] == pytest.approx(0.5)  # March totals +50% with the same vendors


def test_price_bands_agreement_and_vendor_shift() -> None:
    raw = _summaries(RAW, {"bread": 4.0, "cake": 12.0}, [3.0, 4.0, 11.0, 13.0])
    rel = _summaries(RAW, {"bread": 4.5, "cake": 9.0}, [3.0, 4.0, 9.0, 13.0])
    result = price_bands(raw, rel, [5.0, 10.0])
    assert result["agreement"] == pytest.approx(0.5)  # cake moved from [10,∞) to [5,10)
    # vendor bands raw: 2,0,2 → released: 2,1,1 → TVD = ½(0 + ¼ + ¼)
    assert result["vendor_shift"] == pytest.approx(0.25)
