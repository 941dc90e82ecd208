"""The forecast comparison: seasonal naive by hand, MAPE on the raw hold-out."""

from __future__ import annotations

import pandas as pd
import pytest

from craftveil.policy.utility import Forecast
from craftveil.utility.forecast import compare_forecasts


def _series(values: list[float]) -> pd.Series:
    index = pd.date_range("2024-01-01", periods=len(values), freq="MS")
    return pd.Series(values, index=index, dtype=float)


def test_seasonal_naive_repeats_the_last_season_and_scores_on_raw_actuals() -> None:
    raw = _series([10, 20, 30, 10, 20, 30, 12, 18, 33])
    released = _series([10, 20, 30, 10, 20, 30, 11, 22, 30])  # history differs only in spirit
    spec = Forecast(method="seasonal_naive", season_length=3, holdout_periods=3)
    result = compare_forecasts(raw, released, spec)
    # both forecasts are 10, 20, 30 (the last season of the history);
    # MAPE = mean(|12-10|/12, |18-20|/18, |33-30|/33)
    expected = (2 / 12 + 2 / 18 + 3 / 33) / 3
    assert result["mape_raw"] == pytest.approx(expected)
    assert result["mape_released"] == pytest.approx(expected)  # scored on RAW actuals
    assert result["mape_increase"] == pytest.approx(0.0)


def test_a_distorted_history_increases_the_error() -> None:
    raw = _series([10, 20, 30, 10, 20, 30, 10, 20, 30])
    released = _series([10, 20, 30, 20, 20, 20, 10, 20, 30])
    spec = Forecast(method="seasonal_naive", season_length=3, holdout_periods=3)
    result = compare_forecasts(raw, released, spec)
    assert result["mape_raw"] == pytest.approx(0.0)
    # released forecast 20, 20, 20 vs 10, 20, 30: (1 + 0 + 1/3) / 3
    assert result["mape_released"] == pytest.approx((1 + 1 / 3) / 3)
    assert result["mape_increase"] == float("inf")


def test_too_short_a_series_is_reported_not_scored() -> None:
    spec = Forecast(method="ets", season_length=12, holdout_periods=3)
    result = compare_forecasts(_series([1, 2, 3]), _series([1, 2, 3]), spec)
    assert result == {
        "available": False,
        "reason": "3 periods: too few for a hold-out of 3 plus a history",
    }


def test_ets_forecast_of_a_linear_trend_is_close() -> None:
    values = [float(10 + 2 * i) for i in range(24)]
    spec = Forecast(method="ets", season_length=12, holdout_periods=4)
    result = compare_forecasts(_series(values), _series(values), spec)
    assert result["mape_raw"] < 0.01  # Holt's additive trend recovers a straight line
    assert result["mape_increase"] == pytest.approx(0.0, abs=1e-9)
