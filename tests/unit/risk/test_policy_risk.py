"""The risk section's validation: bad values are refused with the field, the value and the fix."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from craftveil.policy.risk import RiskPolicy


@pytest.mark.parametrize("limit", [1.0, -0.1, 1.5])
def test_suppression_limit_outside_unit_interval(limit: float) -> None:
    with pytest.raises(ValidationError) as err:
        RiskPolicy(k=5, suppression_limit=limit)
    assert f"risk.suppression_limit: {limit} is outside [0, 1)" in str(err.value)


def test_unknown_keys_are_errors() -> None:
    with pytest.raises(ValidationError, match=r"Extra inputs are not permitted"):
        RiskPolicy.model_validate({"k": 5, "kk": 3})


def test_recursive_needs_c_and_sensitive_columns() -> None:
    with pytest.raises(ValidationError, match=r"risk\.c: recursive"):
        RiskPolicy(l=3, l_variant="recursive", sensitive=["x"])
    with pytest.raises(ValidationError, match=r"risk\.sensitive"):
        RiskPolicy(l=3)


def test_defaults_are_arx_like() -> None:
    p = RiskPolicy(k=5)
    assert p.objective == "non_uniform_entropy"
    assert p.suppression_limit == 0.0
    assert p.local_recoding is False
    assert p.max_combination_size == 3
