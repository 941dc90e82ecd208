"""Gates: the policy's requirements on the utility metrics, checked after the measurements.

A failed gate marked ``fail`` stops the release (UtilityGateError; the pipeline removes the
unfinished directory, so nothing is written); one marked ``warn`` is released with a warning in
the journal and the report. A gate on a metric this policy cannot compute (e.g. price bands
without a price column) is a policy error naming what is missing.
"""

from __future__ import annotations

import math
from typing import Any

from craftveil.errors import PolicyError, Problem, UtilityGateError
from craftveil.policy.utility import METRICS, Gate

#: What a metric needs from the ``utility:`` section when it is not computed.
NEEDS = {
    "price_band_agreement": "utility.price_column (and category)",
    "price_band_vendor_shift": "utility.price_column",
    "price_band_vendors_moved": "utility.price_column and a pseudonymised or kept vendor column",
    "forecast_mape_increase": "utility.forecast (and enough periods for its hold-out)",
    "seasonality_correlation": "at least two periods with different totals",
}


def metric_values(result: dict[str, Any]) -> dict[str, float | None]:
    """The flat metric table gates are evaluated on (None: not computed)."""
    s, rv, sh = result["seasonality"], result["rolling"], result["shares"]
    pb, fc = result["price_bands"], result["forecast"]
    values: dict[str, float | None] = {
        "seasonality_correlation": s["correlation"],
        "seasonality_peak_preserved": 1.0 if s["peak_preserved"] else 0.0,
        "seasonality_amplitude_error": s["amplitude_error"],
        "rolling_average_error_p90": rv["rolling_average_error"]["p90"],
        "sales_velocity_error_p90": rv["sales_velocity_error"]["p90"],
        "regional_share_max_error_pp": sh["max_error_pp"],
        "regional_share_total_variation": sh["total_variation"],
        "price_band_agreement": pb.get("agreement") if pb.get("available") else None,
        "price_band_vendor_shift": pb.get("vendor_shift") if pb.get("available") else None,
        "price_band_vendors_moved": pb.get("vendors_moved") if pb.get("available") else None,
        "forecast_mape_increase": fc.get("mape_increase") if fc.get("available") else None,
        "information_loss_max": result["information_loss"]["max"],
    }
    assert set(values) == set(METRICS)
    return values


def evaluate_gates(gates: list[Gate], values: dict[str, float | None]) -> list[dict[str, Any]]:
    """Every gate with its value and verdict; raise for metrics that could not be computed."""
    missing = [
        Problem(
            f"utility.gates[{i}].metric",
            f"'{g.metric}' was not computed for this release",
            f"it needs {NEEDS.get(g.metric, 'data for this analysis')}",
        )
        for i, g in enumerate(gates)
        if values.get(g.metric) is None
    ]
    if missing:
        raise PolicyError(missing, header="utility gates on metrics that are not available")
    verdicts = []
    for g in gates:
        value = values[g.metric]
        assert value is not None
        ok = not math.isnan(value)
        if g.min is not None:
            ok = ok and value >= g.min
        if g.max is not None:
            ok = ok and value <= g.max
        verdicts.append(
            {
                "metric": g.metric,
                "min": g.min,
                "max": g.max,
                "value": value,
                "passed": ok,
                "on_fail": g.on_fail,
            }
        )
    return verdicts


def describe(verdict: dict[str, Any]) -> str:
    bound = " and ".join(
        f"{word} {verdict[k]:g}"
        for k, word in (("min", "≥"), ("max", "≤"))
        if verdict[k] is not None
    )
    return f"{verdict['metric']} = {verdict['value']:.4g} (required {bound})"


def enforce(verdicts: list[dict[str, Any]]) -> None:
    """Raise UtilityGateError listing every failed gate that is not a warning."""
    failed = [v for v in verdicts if not v["passed"] and v["on_fail"] == "fail"]
    if failed:
        raise UtilityGateError(
            "The release distorts the analytics more than the policy allows; nothing was "
            "written:\n"
            + "\n".join(f"  - {describe(v)}" for v in failed)
            + "\nWhat would help: generalise less (finer windows or bands), suppress less, or "
            "mark the gate `on_fail: warn` if the distortion is acceptable for this release."
        )
