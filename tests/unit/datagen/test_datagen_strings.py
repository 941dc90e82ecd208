"""Column builders: fixed-width codes, exact money, inverse-CDF draws, blend catalogue."""

from __future__ import annotations

import re
from decimal import Decimal

import numpy as np
import pytest

from craftveil.datagen import catalogue, channels
from craftveil.datagen.strings import cumulative, draw, fixed_width_codes, money_column


def test_fixed_width_codes_keep_leading_zeros_and_prefix() -> None:
    assert fixed_width_codes([0, 7, 4412, 99999], 5).to_pylist() == [
        "00000",
        "00007",
        "04412",
        "99999",
    ]
    assert fixed_width_codes([1, 123], 6, "V").to_pylist() == ["V000001", "V000123"]
    assert fixed_width_codes([], 3, "X").to_pylist() == []


def test_fixed_width_codes_match_python_formatting_on_random_values() -> None:
    values = np.random.default_rng(0).integers(0, 10**9, 2_000)
    assert fixed_width_codes(values, 9, "S").to_pylist() == [f"S{v:09d}" for v in values]


def test_fixed_width_codes_refuse_values_that_do_not_fit() -> None:
    expected = "fixed_width_codes: values must lie in [0, 999] for width=3; got min=5, max=1000"
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        fixed_width_codes([5, 1000], 3)


def test_money_column_is_exact_cents() -> None:
    column = money_column([0, 5, 1250, 123456789])
    assert column.to_pylist() == [
        Decimal("0.00"),
        Decimal("0.05"),
        Decimal("12.50"),
        Decimal("1234567.89"),
    ]


def test_draw_never_picks_a_zero_weight_category_and_matches_weights() -> None:
    cdf = cumulative([1.0, 0.0, 3.0])
    picks = draw(cdf, np.random.default_rng(1).random(40_000))
    counts = np.bincount(picks, minlength=3)
    assert counts[1] == 0
    # Binomial(40 000, 0.25): sd ≈ 87, so ±600 is a 7-sigma band.
    assert abs(counts[0] - 10_000) < 600
    assert counts.sum() == 40_000


def test_blend_catalogue_shares_sum_to_100_and_are_distinct() -> None:
    blends = catalogue.blend_catalogue(("wool", "alpaca", "silk"))
    assert "60% wool / 40% alpaca" in blends
    assert "100% silk" in blends
    assert len(blends) == len(set(blends))
    for blend in blends:
        assert sum(int(s) for s in re.findall(r"(\d+)%", blend)) == 100


def test_each_product_type_belongs_to_one_category_and_each_craft_makes_known_types() -> None:
    names = [t.name for t in catalogue.PRODUCT_TYPES]
    assert len(names) == len(set(names))
    for craft in catalogue.CRAFTS:
        assert set(craft.product_types) <= set(names)
        assert abs(sum(craft.channel_mix) - 1.0) < 1e-9


@pytest.mark.parametrize("exponent", [1.5, 2.0, 2.2, 2.4, 3.0])
def test_riemann_zeta_matches_scipy(exponent: float) -> None:
    from scipy.special import zeta

    assert channels.riemann_zeta(exponent) == pytest.approx(float(zeta(exponent)), rel=1e-10)


def test_expected_quantity_matches_the_empirical_mean_of_draws() -> None:
    rng = np.random.default_rng(2024)
    draws = [channels.draw_quantities(rng, np.full(400_000, c)) for c in range(3)]
    # Measured standard error of the mean is about 0.3 %, so 2 % is a band of over 6 sigma.
    for c, expected in enumerate(channels.expected_quantity()):
        assert draws[c].mean() == pytest.approx(expected, rel=0.02)
