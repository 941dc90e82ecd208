"""What a DP release returns: noisy values with their accuracy, per statistic and in total.

Reporting follows what statistical agencies publish with DP tables (DP_NOTES.md; the Census
Bureau's County Business Patterns demonstration tables): the noisy value, the noise standard
deviation, a 95 % margin of error, the coefficient of variation (CV = SD / |value|) and a
reliability flag. Cells with CV ≥ 100 % or a noisy value ≤ 0 are withheld; deciding that on the
noisy value is post-processing and costs no budget. Margins cover the noise only, not the bias
that bounding (clamping, dropping cells beyond L0) introduces — that bias is reported separately.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from craftveil.dp.bounding import BoundingImpact

CV_WITHHOLD = 1.0
"""Withhold cells whose coefficient of variation is at least 100 %."""


@dataclass(frozen=True)
class DPValue:
    """One published cell of one statistic (``value`` is None when withheld)."""

    statistic: str
    cell: dict[str, str]
    value: float | None
    noise_sd: float | None
    margin_of_error_95: float | None
    cv: float | None
    reliable: bool | None
    withheld_reason: str = ""


@dataclass(frozen=True)
class StatisticResult:
    """One statistic: its budget, noise, bounding impact and cell values."""

    name: str
    kind: str
    mechanism: str
    rho: float
    epsilon: float
    noise_scale: float
    sensitivity: int
    cells_per_vendor: int
    money_minor_units: int
    bounding: BoundingImpact
    values: list[DPValue] = field(default_factory=list)
    bounds: dict[str, float | None] = field(default_factory=dict)
    """lower, upper (major units) and max_cells_per_vendor used — declared or chosen."""
    bounds_chosen_privately: bool = False
    keys: str = "public"
    """public: every taxonomy cell is in ``values``; private: only the cells selected privately."""
    delta: float = 0.0
    """δ spent by private partition selection (0 for public keys)."""
    cell_columns: list[str] = field(default_factory=list)
    selection: dict[str, float] | None = None
    """Private keys: rho, delta, noise_scale, threshold, candidate and selected cell counts."""


@dataclass(frozen=True)
class DPResult:
    """All statistics of one release, the budget it spent, and whether it came from the store."""

    release_id: str
    dataset: str
    privacy_unit: str
    period: str
    rho_spent: float
    epsilon: float
    delta: float
    statistics: list[StatisticResult]
    from_store: bool = False
    delta_spent: float = 0.0
    """δ of private partition selection held in the ledger (``delta`` includes it)."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (what the store writes and the report reads)."""
        plain = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "statistics"}
        names = [f.name for f in fields(DPValue)]  # once: fields() per value was 1/3 of the time
        plain["statistics"] = [
            {
                **{f.name: getattr(s, f.name) for f in fields(s) if f.name != "values"},
                "bounding": asdict(s.bounding),
                "values": [dict(zip(names, _row(v), strict=True)) for v in s.values],
            }
            for s in self.statistics
        ]
        return plain

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, from_store: bool) -> DPResult:
        """Rebuild a stored result."""
        statistics = [
            StatisticResult(
                **{k: v for k, v in s.items() if k not in {"bounding", "values"}},
                bounding=BoundingImpact(**s["bounding"]),
                values=[DPValue(**v) for v in s["values"]],
            )
            for s in data["statistics"]
        ]
        plain = {k: v for k, v in data.items() if k not in {"statistics", "from_store"}}
        return cls(**plain, statistics=statistics, from_store=from_store)

    def values(self, statistic: str) -> list[DPValue]:
        """The cell values of one statistic (KeyError naming the known ones)."""
        for result in self.statistics:
            if result.name == statistic:
                return result.values
        raise KeyError(f"no statistic {statistic!r}; have {[s.name for s in self.statistics]}")


def _row(value: DPValue) -> tuple[Any, ...]:
    return (
        value.statistic, value.cell, value.value, value.noise_sd, value.margin_of_error_95,
        value.cv, value.reliable, value.withheld_reason,
    )  # fmt: skip


def assess(
    statistic: str,
    cell: dict[str, str],
    value: float,
    sd: float,
    margin: float,
    *,
    nonnegative: bool = True,
) -> DPValue:
    """Attach CV and the reliability flag; withhold when CV ≥ 100 % (or ≤ 0 where impossible)."""
    cv = sd / abs(value) if value != 0 else math.inf
    if nonnegative and value <= 0:
        return DPValue(statistic, cell, None, sd, margin, None, False, "noisy value ≤ 0")
    if cv >= CV_WITHHOLD:
        shown = cv if math.isfinite(cv) else None
        return DPValue(statistic, cell, None, sd, margin, shown, False, "CV ≥ 100 %")
    return DPValue(statistic, cell, value, sd, margin, cv, True)
