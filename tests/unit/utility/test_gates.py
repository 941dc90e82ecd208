"""Gates: declared with a known metric and a bound; failing ones stop the release."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from craftveil.errors import PolicyError, UtilityGateError
from craftveil.policy.utility import Gate, UtilityPolicy
from craftveil.utility.gates import enforce, evaluate_gates


def test_a_gate_on_an_unknown_metric_names_the_known_ones() -> None:
    with pytest.raises(ValidationError) as info:
        Gate(metric="regional_share_error", max=1.0)
    text = str(info.value)
    assert "unknown metric 'regional_share_error'" in text
    assert "regional_share_max_error_pp" in text


def test_a_gate_needs_a_bound() -> None:
    with pytest.raises(ValidationError, match="neither min nor max given"):
        Gate(metric="seasonality_correlation")


def test_unknown_keys_in_the_utility_section_are_errors() -> None:
    with pytest.raises(ValidationError, match="extra"):
        UtilityPolicy.model_validate({"table": "s", "time_column": "t", "gate": []})


def test_failing_gates_raise_and_list_every_failure_but_warnings_do_not() -> None:
    gates = [
        Gate(metric="seasonality_correlation", min=0.95),
        Gate(metric="regional_share_max_error_pp", max=1.0),
        Gate(metric="forecast_mape_increase", max=0.1, on_fail="warn"),
    ]
    values = {
        "seasonality_correlation": 0.9,
        "regional_share_max_error_pp": 2.5,
        "forecast_mape_increase": 0.4,
    }
    verdicts = evaluate_gates(gates, values)  # type: ignore[arg-type]
    assert [v["passed"] for v in verdicts] == [False, False, False]
    with pytest.raises(UtilityGateError) as info:
        enforce(verdicts)
    text = str(info.value)
    assert "seasonality_correlation = 0.9 (required ≥ 0.95)" in text
    assert "regional_share_max_error_pp = 2.5 (required ≤ 1)" in text
    assert "forecast_mape_increase" not in text  # a warning only
    enforce([v for v in verdicts if v["on_fail"] == "warn"])  # does not raise


def test_a_gate_on_a_metric_that_was_not_computed_is_a_policy_error() -> None:
    with pytest.raises(PolicyError) as info:
        evaluate_gates(
            [Gate(metric="price_band_agreement", min=0.9)], {"price_band_agreement": None}
        )
    assert "utility.gates[0].metric: 'price_band_agreement' was not computed" in str(info.value)
    assert "utility.price_column" in str(info.value)


def test_utility_section_that_does_not_fit_the_tables_lists_every_problem(
    bakery_policy_text: str,
) -> None:
    from craftveil.policy.load import parse_policy
    from craftveil.utility.validate import validate_utility

    text = bakery_policy_text.replace("time_column: Date", "time_column: Time").replace(
        "group_by: {column: Item}", "group_by: {column: region, table: vendors, key: vendor_id}"
    )
    with pytest.raises(PolicyError) as info:
        validate_utility(parse_policy(text))
    assert str(info.value) == (
        "the utility: section does not fit the tables\n"
        "  - utility.time_column: 'Time' is not a released column of 'sales' — choose one of: "
        "Transaction, Date, Item\n"
        "  - utility.group_by.table: 'vendors' is not a released table — name one of: sales"
    )
