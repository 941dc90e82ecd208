"""The policy's ``aggregates:`` section: tables of statistics with disclosure control.

What the steward declares (issue 4; SDC_RULES.md): dimensions with hierarchies, the sensitivity
rules applied to per-vendor sums (the vendor is the "holding" of the ESSnet handbook and
τ-Argus), the tables with their measures and tier, and how confidence intervals are computed.
Declaration only: nothing here touches data. Every check names the field, the bad value and
the fix.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Hierarchy(_Frozen):
    """Levels above a dimension's leaf codes, leaf first excluded; the grand total is implicit.

    Exactly one source of the parent codes: ``mapping`` (leaf code -> its ancestors, lowest
    first), ``csv`` (an ARX-style hierarchy file: one row per leaf, columns leaf;level1;...),
    or ``prefix_lengths`` (ancestor = the first *n* characters of the leaf code, as for postal
    codes or NACE-like classifications).
    """

    levels: list[str] = Field(
        min_length=1, description="Names of the levels above the leaf, lowest first."
    )
    mapping: dict[str, list[str]] | None = Field(
        None, description="Leaf code -> ancestor codes, one per level, lowest first."
    )
    csv: str | None = Field(
        None,
        description="ARX-style CSV (relative to the policy): leaf;level1;level2… per row.",
    )
    csv_delimiter: str = Field(";", description="Field separator of the hierarchy CSV.")
    prefix_lengths: list[int] | None = Field(
        None, description="For each level, how many leading characters of the leaf code."
    )

    @model_validator(mode="after")
    def _one_source(self) -> Hierarchy:
        given = [n for n in ("mapping", "csv", "prefix_lengths") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError(
                "hierarchy: needs exactly one of mapping, csv, prefix_lengths; "
                f"got {given or 'none'}"
                " — declare one source of the parent codes"
            )
        if self.mapping is not None:
            for leaf, ancestors in self.mapping.items():
                if len(ancestors) != len(self.levels):
                    raise ValueError(
                        f"hierarchy.mapping.{leaf}: {len(ancestors)} ancestors for "
                        f"{len(self.levels)} levels {self.levels} — give one code per level"
                    )
        if self.prefix_lengths is not None:
            if len(self.prefix_lengths) != len(self.levels):
                raise ValueError(
                    f"hierarchy.prefix_lengths: {self.prefix_lengths} has "
                    f"{len(self.prefix_lengths)} entries for levels {self.levels}"
                    " — give one length per level"
                )
            if any(n < 1 for n in self.prefix_lengths):
                raise ValueError(
                    f"hierarchy.prefix_lengths: {self.prefix_lengths} — lengths must be >= 1"
                )
        return self


class ScaleBands(_Frozen):
    """Vendor scale band (small/medium/large) by the vendor's annual volume of a measure."""

    volume_column: str = Field(description="Column summed per vendor and year (e.g. quantity).")
    year_column: str = Field(description="Date/timestamp column that gives the year.")
    medium_from: float = Field(description="Annual volume from which a vendor is 'medium'.")
    large_from: float = Field(description="Annual volume from which a vendor is 'large'.")

    @model_validator(mode="after")
    def _ordered(self) -> ScaleBands:
        if not self.medium_from < self.large_from:
            raise ValueError(
                f"scale_bands: medium_from={self.medium_from} must be below "
                f"large_from={self.large_from} — swap or correct the thresholds"
            )
        return self


class Dimension(_Frozen):
    """One classifying variable of the tables, with an optional hierarchy."""

    column: str = Field(description="Source column (for derive: quarter, the date column).")
    derive: Literal["quarter", "vendor_scale_band"] | None = Field(
        None,
        description="Derived dimension: 'quarter' (levels quarter > year from a date column) or "
        "'vendor_scale_band' (small/medium/large by annual volume, see scale_bands).",
    )
    hierarchy: Hierarchy | None = Field(None, description="Levels above the leaf codes.")
    scale_bands: ScaleBands | None = Field(
        None, description="Thresholds for derive: vendor_scale_band."
    )
    total_label: str = Field("Total", description="Code of the grand-total level.")

    @model_validator(mode="after")
    def _consistent(self) -> Dimension:
        if self.derive == "vendor_scale_band" and self.scale_bands is None:
            raise ValueError(
                "derive: vendor_scale_band needs scale_bands — declare volume_column, "
                "year_column, medium_from and large_from"
            )
        if self.derive is not None and self.hierarchy is not None:
            raise ValueError(
                f"derive: {self.derive} builds its own levels — "
                "remove hierarchy from this dimension"
            )
        return self


class Rules(_Frozen):
    """Primary sensitivity rules on per-vendor contributions (ESSnet handbook ch. 4, τ-Argus).

    A cell is unsafe when ANY declared rule flags it. Parameters should stay confidential:
    the public audit summary never prints them.
    """

    min_vendors: int | None = Field(
        None, description="Frequency rule: unsafe when fewer than n distinct vendors (N < n)."
    )
    frequency_safety_range: float = Field(
        10.0,
        description="Protection level of a frequency-unsafe cell, percent of its value "
        "(τ-Argus 'safety range'; the field has no theory for it).",
    )
    dominance: tuple[int, float] | None = Field(
        None, description="(n, k): unsafe when the n largest vendors exceed k% of the cell."
    )
    p_percent: float | None = Field(None, description="p%: unsafe when X - x1 - x2 < (p/100)·x1.")
    pq: tuple[float, float] | None = Field(
        None, description="(p, q): unsafe when X - x1 - x2 < (p/q)·x1."
    )
    intruders: int = Field(
        1, description="Coalition size c for p% and (p,q): X - x1 - … - x(c+1) is compared."
    )
    zero: bool = Field(False, description="Zero rule: a cell whose contributions are all 0.")
    shadow_rule_for_negatives: Literal["error", "absolute_value"] = Field(
        "error",
        description="Negative contributions under dominance/p%/pq: 'error' stops, "
        "'absolute_value' applies the rules to |x| (τ-Argus shadow variable).",
    )

    @field_validator("min_vendors")
    @classmethod
    def _n_positive(cls, v: int | None) -> int | None:
        if v is not None and v < 1:
            raise ValueError(f"rules.min_vendors: {v} — n must be >= 1")
        return v

    @field_validator("dominance")
    @classmethod
    def _nk(cls, v: tuple[int, float] | None) -> tuple[int, float] | None:
        if v is not None:
            n, k = v
            if n < 1:
                raise ValueError(f"rules.dominance: n={n} — n must be >= 1")
            if not 0 < k < 100:
                raise ValueError(f"rules.dominance: k={k} — k must be in (0, 100)")
        return v

    @field_validator("p_percent")
    @classmethod
    def _p(cls, v: float | None) -> float | None:
        if v is not None and v <= 0:
            raise ValueError(f"rules.p_percent: {v} — p must be > 0")
        return v

    @field_validator("pq")
    @classmethod
    def _pq(cls, v: tuple[float, float] | None) -> tuple[float, float] | None:
        if v is not None:
            p, q = v
            if p <= 0:
                raise ValueError(f"rules.pq: p={p} — p must be > 0")
            if not p < q <= 100:
                raise ValueError(f"rules.pq: q={q} — q must satisfy p < q <= 100")
        return v

    @field_validator("frequency_safety_range")
    @classmethod
    def _range(cls, v: float) -> float:
        if not 0 < v <= 100:
            raise ValueError(f"rules.frequency_safety_range: {v} — must be in (0, 100]")
        return v

    @field_validator("intruders")
    @classmethod
    def _c(cls, v: int) -> int:
        if v < 1:
            raise ValueError(f"rules.intruders: {v} — the coalition size must be >= 1")
        return v

    @model_validator(mode="after")
    def _some_rule(self) -> Rules:
        if (
            self.min_vendors is None
            and self.dominance is None
            and self.p_percent is None
            and self.pq is None
            and not self.zero
        ):
            raise ValueError(
                "rules: no rule declared — declare min_vendors, dominance, p_percent or pq"
            )
        return self

    @property
    def contributions_needed(self) -> int:
        """How many largest contributions x1..xm the rules read."""
        m = 2 + (self.intruders - 1)
        if self.dominance is not None:
            m = max(m, self.dominance[0])
        return m


Measure = Literal[
    "vendors",
    "sales",
    "total",
    "mean_per_vendor_per_quarter",
    "median_band",
    "quartile_bands",
    "share",
]


class Table(_Frozen):
    """One published table: its dimensions (all margins are added), measures and tier."""

    name: str = Field(min_length=1, description="Table name (file name of the output).")
    dimensions: list[str] = Field(min_length=1, description="Dimension names, in order.")
    measures: list[Measure] = Field(
        default_factory=lambda: list[Measure](["vendors", "total"]),
        description="Statistics per cell.",
    )
    measure_column: str = Field(description="Numeric column the magnitude rules apply to.")
    quantile_column: str | None = Field(
        None, description="Column of median_band/quartile_bands (e.g. unit price)."
    )
    band_width: float = Field(
        10.0, gt=0, description="Width of the published quantile bands (e.g. 10 currency units)."
    )
    quantile_min_vendors: int = Field(
        5, ge=1, description="Quantile bands are published only with at least this many vendors."
    )
    quarter_column: str | None = Field(
        None, description="Date column for mean_per_vendor_per_quarter (distinct quarters)."
    )
    tier: Literal["public", "restricted"] = Field("public", description="Access tier.")


class Confidence(_Frozen):
    """How confidence intervals are computed for published totals, means, shares."""

    method: Literal["analytic", "cluster_bootstrap"] = Field(
        "cluster_bootstrap",
        description="'analytic' (normal approximation over vendor totals) or "
        "'cluster_bootstrap' (resample vendors; a vendor's rows are not independent).",
    )
    level: float = Field(0.95, description="Confidence level, in (0, 1).")
    replicates: int = Field(200, ge=20, description="Bootstrap replicates.")
    seed: int = Field(0, description="Seed of the bootstrap (reproducible releases).")

    @field_validator("level")
    @classmethod
    def _level(cls, v: float) -> float:
        if not 0 < v < 1:
            raise ValueError(f"confidence.level: {v} — must be in (0, 1), e.g. 0.95")
        return v


class AggregatesPolicy(_Frozen):
    """The ``aggregates:`` section: dimensions, rules, tables, confidence."""

    dimensions: dict[str, Dimension] = Field(description="Dimension name -> definition.")
    rules: Rules = Field(description="Primary sensitivity rules.")
    tables: list[Table] = Field(min_length=1, description="Tables to publish.")
    confidence: Confidence | None = Field(
        None, description="Confidence intervals (omit when data are a full census, unmasked)."
    )

    @model_validator(mode="after")
    def _tables_use_declared_dimensions(self) -> AggregatesPolicy:
        problems = []
        names = set()
        for i, t in enumerate(self.tables):
            if t.name in names:
                problems.append(f"tables[{i}].name: {t.name!r} is used twice — rename one")
            names.add(t.name)
            for d in t.dimensions:
                if d not in self.dimensions:
                    problems.append(
                        f"tables[{i}].dimensions: {d!r} is not declared — declare it under "
                        f"dimensions (declared: {sorted(self.dimensions)})"
                    )
        if problems:
            raise ValueError("; ".join(problems))
        return self
