"""The policy's ``risk:`` section: the re-identification requirements a release must meet.

Definitions follow ARX (Prasser et al.): k-anonymity, l-diversity (distinct, entropy, recursive
(c,l) — Machanavajjhala et al. 2007), t-closeness (Li et al. 2007), prosecutor risk, record
suppression limit. One twist: the privacy unit is the vendor, so ``k`` counts distinct vendors
per equivalence class, while ``suppression_limit`` is a share of rows (as ARX's limit is a share
of records).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class RiskPolicy(BaseModel):
    """Requirements on the quasi-identifiers and how the least-distorting safe release is found."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    k: int | None = Field(
        None, ge=1, description="Minimum number of distinct VENDORS in every equivalence class."
    )
    l: int | None = Field(  # noqa: E741 — the field's name in the literature
        None, ge=1, description="l-diversity: well-represented sensitive values per class."
    )
    l_variant: Literal["distinct", "entropy", "recursive"] = Field(
        "distinct", description="Which l-diversity: distinct, entropy, or recursive (c,l)."
    )
    c: float | None = Field(
        None, gt=0, description="The c of recursive (c,l)-diversity (needed for 'recursive')."
    )
    t: float | None = Field(
        None, gt=0, le=1, description="t-closeness: maximum earth mover's distance per class."
    )
    sensitive: list[str] = Field(
        default_factory=list, description="Sensitive attribute columns for l-diversity/t-closeness."
    )
    max_average_risk: float | None = Field(
        None, gt=0, le=1, description="Maximum average prosecutor risk (vendor level), in (0, 1]."
    )
    risk_threshold: float = Field(
        0.2, gt=0, le=1, description="A vendor/row whose prosecutor risk exceeds this is 'at risk'."
    )
    suppression_limit: float = Field(
        0.0,
        description=(
            "Largest share of ROWS that may be suppressed (all QIs set to '*'), in [0, 1). "
            "0.04 = at most 4% of rows."
        ),
    )
    objective: Literal["non_uniform_entropy", "loss", "discernibility", "aecs"] = Field(
        "non_uniform_entropy",
        description="Information-loss measure the search minimises (ARX's definitions).",
    )
    population_size: int | None = Field(
        None, ge=1, description="Size of the population the data is a sample of (vendors)."
    )
    search: Literal["optimal", "heuristic", "auto"] = Field(
        "auto", description="optimal lattice search, time-budgeted heuristic, or auto by size."
    )
    time_budget_seconds: float = Field(
        60.0, gt=0, description="Wall-clock budget for the heuristic search, in seconds."
    )
    local_recoding: bool = Field(
        False, description="Use Mondrian-style local recoding instead of full-domain levels."
    )
    max_combination_size: int = Field(
        3, ge=1, le=8, description="Largest QI subset size in the attribute-combination analysis."
    )

    @model_validator(mode="after")
    def _consistent(self) -> RiskPolicy:
        if not 0.0 <= self.suppression_limit < 1.0:
            raise ValueError(
                f"risk.suppression_limit: {self.suppression_limit} is outside [0, 1) — give a "
                "share of rows, e.g. 0.04 for 4%"
            )
        if self.l_variant == "recursive" and self.l is not None and self.c is None:
            raise ValueError("risk.c: recursive (c,l)-diversity needs c — add e.g. c: 3")
        if self.l_variant == "recursive" and self.l is not None and self.l < 2:
            raise ValueError(f"risk.l: recursive (c,l)-diversity needs l >= 2, got {self.l}")
        if (self.l is not None or self.t is not None) and not self.sensitive:
            raise ValueError(
                "risk.sensitive: l-diversity and t-closeness need sensitive columns — list them "
                "under risk.sensitive"
            )
        return self
