"""What to generate: the size, seed, period and file format of a synthetic dataset.

A frozen value checked once at construction (Tumult-style ``__post_init__`` checks): every
problem is collected and raised together, each naming the field, the bad value and the fix.
The same config and seed always give byte-identical files.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Literal

from craftveil.errors import Problem, ProblemsError

MIN_SALES = 1_000
MAX_SALES = 10_000_000
MIN_VENDORS = 20  # two per region, so every region has a leader and a follower
MAX_VENDORS = 20_000
MAX_MONTHS = 120
SALES_PER_VENDOR = 200


class GeneratorConfigError(ProblemsError):
    """The generator was asked for something it cannot make (all problems listed at once)."""


@dataclass(frozen=True)
class GeneratorConfig:
    """Size, seed, period and format of one synthetic artisanal dataset."""

    n_sales: int = 200_000
    """Exact number of sales rows, from 1,000 to 10,000,000."""

    n_vendors: int | None = None
    """Number of vendors; ``None`` derives ``clamp(n_sales // 200, 20, 20_000)``."""

    seed: int = 7
    """Seed of every random stream; same seed + config → byte-identical files."""

    start: date = date(2024, 1, 1)
    """First day of the sales period; it ends ``months`` calendar months later (exclusive)."""

    months: int = 24
    """Length of the sales period in calendar months (1–120)."""

    fmt: Literal["csv", "parquet"] = "csv"
    """File format of every table."""

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        if not isinstance(self.n_sales, int) or not MIN_SALES <= self.n_sales <= MAX_SALES:
            problems.append(
                Problem(
                    "n_sales",
                    f"must be an integer from {MIN_SALES:,} to {MAX_SALES:,}; got {self.n_sales!r}",
                    f"choose a number of sales rows between {MIN_SALES:,} and {MAX_SALES:,}",
                )
            )
        if self.n_vendors is not None and (
            not isinstance(self.n_vendors, int) or not MIN_VENDORS <= self.n_vendors <= MAX_VENDORS
        ):
            problems.append(
                Problem(
                    "n_vendors",
                    f"must be an integer from {MIN_VENDORS} to {MAX_VENDORS:,} or None; "
                    f"got {self.n_vendors!r}",
                    "leave it unset to derive it from n_sales, or pick a value in range",
                )
            )
        if not isinstance(self.seed, int) or self.seed < 0:
            problems.append(
                Problem("seed", f"must be a non-negative integer; got {self.seed!r}", "e.g. 7")
            )
        if not isinstance(self.months, int) or not 1 <= self.months <= MAX_MONTHS:
            problems.append(
                Problem(
                    "months",
                    f"must be an integer from 1 to {MAX_MONTHS}; got {self.months!r}",
                    "24 months shows two holiday seasons",
                )
            )
        if not isinstance(self.start, date):
            problems.append(
                Problem("start", f"must be a date; got {self.start!r}", "e.g. date(2024, 1, 1)")
            )
        if self.fmt not in ("csv", "parquet"):
            problems.append(
                Problem(
                    "fmt", f"must be 'csv' or 'parquet'; got {self.fmt!r}", "use csv or parquet"
                )
            )
        if problems:
            raise GeneratorConfigError(problems, header="invalid generator configuration:")

    @property
    def vendor_count(self) -> int:
        """The number of vendors actually generated (explicit, or derived from ``n_sales``)."""
        if self.n_vendors is not None:
            return self.n_vendors
        return min(max(self.n_sales // SALES_PER_VENDOR, MIN_VENDORS), MAX_VENDORS)

    @property
    def end(self) -> date:
        """The first day after the sales period (exclusive end)."""
        month_index = self.start.month - 1 + self.months
        year, month = self.start.year + month_index // 12, month_index % 12 + 1
        return date(year, month, min(self.start.day, calendar.monthrange(year, month)[1]))

    @property
    def days(self) -> int:
        """Number of days in the sales period."""
        return (self.end - self.start).days
