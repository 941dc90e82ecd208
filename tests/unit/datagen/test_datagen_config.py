"""GeneratorConfig: derived vendor counts, period arithmetic, and collected validation problems."""

from __future__ import annotations

import re
from datetime import date

import pytest

from craftveil.datagen import GeneratorConfig, GeneratorConfigError


@pytest.mark.parametrize(
    ("n_sales", "expected"),
    [(1_000, 20), (200_000, 1_000), (1_000_000, 5_000), (10_000_000, 20_000)],
)
def test_vendor_count_is_clamped_sales_over_200(n_sales: int, expected: int) -> None:
    assert GeneratorConfig(n_sales=n_sales).vendor_count == expected


def test_explicit_vendor_count_wins() -> None:
    assert GeneratorConfig(n_sales=1_000, n_vendors=300).vendor_count == 300


@pytest.mark.parametrize(
    ("start", "months", "end", "days"),
    [
        (date(2024, 1, 1), 24, date(2026, 1, 1), 731),  # 2024 is a leap year
        (date(2023, 11, 1), 3, date(2024, 2, 1), 92),
        (date(2024, 1, 31), 1, date(2024, 2, 29), 29),
    ],
)
def test_period_end_and_length(start: date, months: int, end: date, days: int) -> None:
    config = GeneratorConfig(start=start, months=months)
    assert config.end == end
    assert config.days == days


def test_all_problems_are_reported_at_once() -> None:
    expected = "\n".join(
        [
            "invalid generator configuration:",
            "  - n_sales: must be an integer from 1,000 to 10,000,000; got 10 — "
            "choose a number of sales rows between 1,000 and 10,000,000",
            "  - n_vendors: must be an integer from 20 to 20,000 or None; got 5 — "
            "leave it unset to derive it from n_sales, or pick a value in range",
            "  - seed: must be a non-negative integer; got -1 — e.g. 7",
            "  - months: must be an integer from 1 to 120; got 0 — "
            "24 months shows two holiday seasons",
            "  - fmt: must be 'csv' or 'parquet'; got 'xlsx' — use csv or parquet",
        ]
    )
    with pytest.raises(GeneratorConfigError, match=f"^{re.escape(expected)}$") as caught:
        GeneratorConfig(n_sales=10, n_vendors=5, seed=-1, months=0, fmt="xlsx")  # type: ignore[arg-type]
    assert [p.location for p in caught.value.problems] == [
        "n_sales",
        "n_vendors",
        "seed",
        "months",
        "fmt",
    ]
    assert isinstance(caught.value, ValueError)


def test_too_many_sales_is_refused() -> None:
    with pytest.raises(GeneratorConfigError, match="n_sales"):
        GeneratorConfig(n_sales=10_000_001)
