"""The policy's ``dp:`` section: differentially private statistics at vendor level.

Declaration only (STYLE.md): what the steward asks for — the privacy unit, a budget per period,
and the statistics with their cells, keys and bounds. Nothing here touches data or OpenDP; the
``craftveil.dp`` package runs it. Vocabulary follows the OpenDP documentation: a *privacy unit*
is what the guarantee protects (one vendor and all of their rows), *bounds* are the per-vendor
clamp (L∞) and the maximum number of cells one vendor may influence (L0), *public keys* are cells
known in advance (here: the policy's taxonomy) so no budget is spent discovering them; *private
keys* are discovered from the data by private partition selection (a noisy vendor count per cell
against a threshold), which costs a δ as well as ρ.

Budgets compose in zero-concentrated DP (ρ, Bun & Steinke 2016) and are reported in (ε, δ); the
δ of partition selection adds up separately (approximate zCDP, Bun & Steinke 2016, §8).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

EPSILON_WARNING = 5.0
"""OpenDP warns above ε = 5; we warn there too (DP_NOTES.md, "Choosing ε")."""

RHO_WARNING = 0.5
"""OpenDP's warning threshold for ρ in zero-concentrated DP."""

StatisticKind = Literal["count_vendors", "count_sales", "sum", "mean", "median", "quantiles"]
NUMERIC_KINDS: frozenset[str] = frozenset({"sum", "mean", "median", "quantiles"})
_PERIOD_LABEL = re.compile(r"^\d{4}(-(Q[1-4]|\d{2}))?$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DPBounds(_Frozen):
    """Per-vendor clamp of a cell value and the maximum number of cells per vendor (L0).

    ``lower``/``upper`` bound one vendor's value *in one cell* after pre-aggregation (for
    ``count_sales``: the vendor's number of sales rows in the cell; for money: major units).
    """

    lower: float = Field(0.0, description="Smallest per-vendor cell value kept (clamp floor).")
    upper: float | None = Field(
        None, description="Largest per-vendor cell value kept (clamp ceiling); not for counts."
    )
    max_cells_per_vendor: int = Field(
        1, ge=1, description="L0: at most this many cells per vendor are kept (random choice)."
    )

    @model_validator(mode="after")
    def _ordered(self) -> DPBounds:
        if self.upper is not None and self.lower > self.upper:
            raise ValueError(
                f"bounds.lower ({self.lower}) is greater than bounds.upper ({self.upper}) — "
                "swap them or widen upper"
            )
        return self


class DPStatistic(_Frozen):
    """One declared statistic: what to count or add up, over which cells, with which bounds."""

    name: str = Field(min_length=1, description="Unique name; the ledger and the release use it.")
    kind: StatisticKind = Field(description="count_vendors|count_sales|sum|mean|median|quantiles.")
    column: str | None = Field(None, description="Measure column (not for counts).")
    cells: list[str] = Field(default_factory=list, description="Dimension columns of the cells.")
    keys: Literal["public", "private"] = Field(
        "public",
        description=(
            "public: every cell of the taxonomy is published; private: the cells are chosen by "
            "private partition selection (a noisy vendor count above a threshold, costing ρ and "
            "δ) and cells not chosen are absent — for open vocabularies only."
        ),
    )
    bounds: DPBounds | Literal["choose_privately"] = Field(
        default_factory=DPBounds, description="Per-vendor clamp and L0, or choose_privately."
    )
    vendor_value: Literal["total", "average"] = Field(
        "total", description="How a vendor's rows in one cell are combined before clamping."
    )
    quantiles: list[float] = Field(
        default_factory=list, description="Quantile levels in (0, 1) for kind quantiles."
    )
    epsilon: float | None = Field(None, gt=0, description="Budget share of this statistic in ε.")
    rho: float | None = Field(None, gt=0, description="Budget share of this statistic in ρ.")
    money_minor_units: int = Field(
        1,
        ge=1,
        description="Integer scale of the measure (100: cents); noise is added on integers.",
    )
    target_margin: float | str | None = Field(
        None, description="Wanted 95% margin: absolute number, or a share like '10%' of the cell."
    )

    @field_validator("target_margin")
    @classmethod
    def _margin(cls, value: float | str | None) -> float | str | None:
        if isinstance(value, str) and not re.fullmatch(r"\d+(\.\d+)?%", value.strip()):
            raise ValueError(f"target_margin {value!r} is not a number or a percentage like '10%'")
        if isinstance(value, float | int) and value <= 0:
            raise ValueError(f"target_margin {value} must be positive")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> DPStatistic:
        where = f"statistic {self.name!r}"
        if self.epsilon is not None and self.rho is not None:
            raise ValueError(f"{where}: give its budget share as epsilon or rho, not both")
        if self.kind in NUMERIC_KINDS and not self.column:
            raise ValueError(f"{where}: kind {self.kind} needs a measure column (column: ...)")
        if self.kind == "quantiles" and (
            not self.quantiles or any(not 0 < q < 1 for q in self.quantiles)
        ):
            raise ValueError(
                f"{where}: quantiles {self.quantiles} must be a non-empty list in (0, 1)"
            )
        bounds = self.bounds if isinstance(self.bounds, DPBounds) else None
        if bounds is not None and self.kind != "count_vendors" and bounds.upper is None:
            raise ValueError(
                f"{where}: bounds.upper is missing — a {self.kind} needs a per-vendor clamp "
                "(or bounds: choose_privately)"
            )
        if (
            self.kind == "count_sales"
            and bounds is not None
            and (bounds.lower < 0 or (bounds.upper or 0) < 1)
        ):
            raise ValueError(f"{where}: count_sales bounds must be 0 <= lower, upper >= 1")
        return self


class DPBudget(_Frozen):
    """Total privacy-loss budget per vendor and per period: (ε, δ) or ρ (zCDP)."""

    epsilon: float | None = Field(None, description="Total ε per period (converted to ρ).")
    delta: float = Field(
        1e-7,
        description=(
            "Total δ per period: the (ε, δ) → ρ conversion uses delta − selection_delta, "
            "private partition selection spends selection_delta."
        ),
    )
    rho: float | None = Field(None, description="Total ρ (zero-concentrated DP) per period.")
    selection_delta: float | None = Field(
        None,
        gt=0,
        description=(
            "Part of delta set aside for private partition selection (keys: private) per period; "
            "default: half of delta when a statistic has private keys, else none."
        ),
    )
    period: str = Field(
        "year",
        description="year | quarter | month | all_time, or a fixed label like 2026 / 2026-Q1.",
    )

    @model_validator(mode="after")
    def _values(self) -> DPBudget:
        if (self.epsilon is None) == (self.rho is None):
            raise ValueError("dp.budget needs exactly one of epsilon or rho")
        if self.epsilon is not None and self.epsilon <= 0:
            raise ValueError(f"dp.budget.epsilon {self.epsilon} must be > 0 (e.g. 1.0)")
        if self.rho is not None and self.rho <= 0:
            raise ValueError(f"dp.budget.rho {self.rho} must be > 0 (e.g. 0.1)")
        if not 0 < self.delta < 1:
            raise ValueError(f"dp.budget.delta {self.delta} must be in (0, 1), e.g. 1e-7")
        if self.selection_delta is not None and self.selection_delta >= self.delta:
            raise ValueError(
                f"dp.budget.selection_delta {self.selection_delta} must be below dp.budget.delta "
                f"{self.delta} (the rest of delta converts ε to ρ)"
            )
        recurring = {"year", "quarter", "month", "all_time"}
        if self.period not in recurring and not _PERIOD_LABEL.fullmatch(self.period):
            raise ValueError(
                f"dp.budget.period {self.period!r} is not year|quarter|month|all_time "
                "or a label like 2026, 2026-Q1, 2026-03"
            )
        return self


class DPPolicy(_Frozen):
    """The ``dp:`` section: privacy unit, budget, ledger, taxonomy and statistics."""

    privacy_unit: Literal["vendor"] = Field("vendor", description="Always the vendor.")
    budget: DPBudget = Field(description="Total budget per period.")
    max_epsilon: float = Field(
        10.0, gt=0, description="Refuse any budget above this ε (warn above 5)."
    )
    mechanism: Literal["gaussian", "laplace"] = Field(
        "gaussian", description="Discrete Gaussian (zCDP) or discrete Laplace (pure ε) noise."
    )
    ledger: str | None = Field(
        None,
        description="SQLite ledger path, relative to the policy file; default next to releases.",
    )
    taxonomy: dict[str, list[str]] = Field(
        default_factory=dict, description="Public keys: the list of values per cell dimension."
    )
    statistics: list[DPStatistic] = Field(min_length=1, description="The statistics to release.")

    @model_validator(mode="after")
    def _checks(self) -> DPPolicy:
        if self.budget.epsilon is not None and self.budget.epsilon > self.max_epsilon:
            raise ValueError(
                f"dp.budget.epsilon {self.budget.epsilon} is above dp.max_epsilon "
                f"{self.max_epsilon} — lower the budget (ε above 5 protects little)"
            )
        names = [s.name for s in self.statistics]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"dp.statistics: names {duplicates} are used more than once")
        private = [s.name for s in self.statistics if s.keys == "private"]
        if self.budget.selection_delta is not None and not private:
            raise ValueError(
                "dp.budget.selection_delta is set but no statistic has keys: private — remove it "
                "(it would only lower the δ that converts ε to ρ)"
            )
        for stat in self.statistics:
            if stat.keys == "private" and not isinstance(stat.bounds, DPBounds):
                raise ValueError(
                    f"dp.statistics[{stat.name}]: keys: private needs declared bounds "
                    "(max_cells_per_vendor bounds the partition selection; choose_privately "
                    "would need the number of cells, which is not public)"
                )
            if stat.keys == "public":
                missing = [c for c in stat.cells if c not in self.taxonomy]
                if missing:
                    raise ValueError(
                        f"dp.statistics[{stat.name}]: cells {missing} have public keys but no "
                        "values in dp.taxonomy — declare them or set keys: private"
                    )
        return self

    def selection_delta(self) -> float:
        """δ per period for private partition selection: declared, else δ/2 if any keys are private.

        Private keys require a δ > 0: partition selection cannot be pure (a cell present in one
        dataset and absent from its neighbour is released with probability > 0 only in one).
        """
        if not any(s.keys == "private" for s in self.statistics):
            return 0.0
        declared = self.budget.selection_delta
        return declared if declared is not None else self.budget.delta / 2.0

    def conversion_delta(self) -> float:
        """δ at which the ledger's ρ is converted to ε (and ε budgets to ρ): delta − selection δ."""
        return self.budget.delta - self.selection_delta()

    def warnings(self) -> list[str]:
        """Plain-language warnings that do not stop a release (OpenDP's thresholds)."""
        found: list[str] = []
        if self.budget.epsilon is not None and self.budget.epsilon > EPSILON_WARNING:
            found.append(
                f"dp.budget.epsilon {self.budget.epsilon} is above {EPSILON_WARNING}: "
                "the guarantee is weak"
            )
        if self.budget.rho is not None and self.budget.rho > RHO_WARNING:
            found.append(f"dp.budget.rho {self.budget.rho} is above {RHO_WARNING}: weak guarantee")
        if self.budget.delta > 1e-6:
            found.append(f"dp.budget.delta {self.budget.delta} is above 1e-6 (OpenDP's warning)")
        return found

    def statistic(self, name: str) -> DPStatistic:
        """The declared statistic called ``name`` (KeyError naming the known ones otherwise)."""
        for stat in self.statistics:
            if stat.name == name:
                return stat
        raise KeyError(f"no dp statistic {name!r}; declared: {[s.name for s in self.statistics]}")

    def ledger_path(self, policy_dir: Path, releases_dir: Path) -> Path:
        """The SQLite ledger: ``ledger`` relative to the policy file, else next to the releases."""
        if self.ledger is None:
            return releases_dir / "dp-ledger.sqlite"
        path = Path(self.ledger)
        return path if path.is_absolute() else policy_dir / path

    def period_label(self, when: date) -> str:
        """The ledger period a release made on ``when`` spends from (e.g. '2026-Q1')."""
        period = self.budget.period
        if period == "year":
            return f"{when.year}"
        if period == "quarter":
            return f"{when.year}-Q{(when.month - 1) // 3 + 1}"
        if period == "month":
            return f"{when.year}-{when.month:02d}"
        return period
