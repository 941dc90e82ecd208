"""A seasonal forecast fitted on raw and on released totals, scored on the same hold-out.

Both fits forecast the last ``holdout_periods`` periods and are scored against the *raw*
actuals there, with the mean absolute percentage error (Hyndman & Athanasopoulos, "Forecasting:
Principles and Practice", §5.8). The question answered is the analyst's: "if I plan from the
released data, how much worse are my forecasts?" — the relative MAPE increase. Methods: the
seasonal naive forecast (the value one season earlier; the plain naive forecast when the
history is shorter than one season) or statsmodels' ETS (additive error and trend, additive
seasonality when two full seasons are available).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from craftveil.policy.utility import Forecast


def _seasonal_naive(history: np.ndarray, horizon: int, season: int) -> np.ndarray:
    if history.size >= season:
        last = history[-season:]
        return np.array([last[i % season] for i in range(horizon)], dtype=float)
    return np.full(horizon, history[-1], dtype=float)


def _ets(history: np.ndarray, horizon: int, season: int) -> np.ndarray:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    seasonal = "add" if history.size >= 2 * season and season > 1 else None
    model = ExponentialSmoothing(
        history,
        trend="add" if history.size >= 4 else None,
        seasonal=seasonal,
        seasonal_periods=season if seasonal else None,
        initialization_method="estimated",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; the score says how good it is
        fit = model.fit()
    return np.asarray(fit.forecast(horizon), dtype=float)


def _mape(actual: np.ndarray, predicted: np.ndarray) -> float | None:
    mask = actual != 0
    if not mask.any():
        return None
    return float(np.mean(np.abs((actual[mask] - predicted[mask]) / actual[mask])))


def compare_forecasts(raw: pd.Series, released: pd.Series, spec: Forecast) -> dict[str, Any]:
    """Fit on each side's history, score both on the raw hold-out."""
    index = raw.index.union(released.index)
    a = raw.reindex(index).fillna(0.0).to_numpy(dtype=float)
    b = released.reindex(index).fillna(0.0).to_numpy(dtype=float)
    h = spec.holdout_periods
    if a.size < h + 2:
        return {
            "available": False,
            "reason": f"{a.size} periods: too few for a hold-out of {h} plus a history",
        }
    method = _seasonal_naive if spec.method == "seasonal_naive" else _ets
    actual = a[-h:]
    fit_raw = method(a[:-h], h, spec.season_length)
    fit_rel = method(b[:-h], h, spec.season_length)
    mape_raw, mape_rel = _mape(actual, fit_raw), _mape(actual, fit_rel)
    if mape_raw is None or mape_rel is None:
        increase = None
    elif mape_raw == 0:
        increase = 0.0 if mape_rel == 0 else float("inf")
    else:
        increase = (mape_rel - mape_raw) / mape_raw
    return {
        "available": True,
        "method": spec.method,
        "season_length": spec.season_length,
        "holdout_periods": h,
        "mape_raw": mape_raw,
        "mape_released": mape_rel,
        "mape_increase": increase,
        "points": [
            {
                "period": p.date().isoformat(),
                "actual": float(x),
                "forecast_raw": float(r),
                "forecast_released": float(s),
            }
            for p, x, r, s in zip(index[-h:], actual, fit_raw, fit_rel, strict=True)
        ],
    }
