"""Checks of the data against the ``dp:`` section, run before any budget is reserved.

Fail closed and early: every problem is collected and raised once (pandera's lazy validation),
so a bad release spends nothing and writes nothing. The checks look at the raw data (column
types, the distinct cell keys, the number of vendors); their outcome is not published.
"""

from __future__ import annotations

from collections.abc import Mapping

import ibis

from craftveil.dp.bounding import Bounded
from craftveil.errors import PolicyError, PrivacyRequirementError, Problem
from craftveil.policy.dp import NUMERIC_KINDS, DPBounds, DPPolicy, DPStatistic

_MAX_KEYS_SHOWN = 5


def check_supported(policy: DPPolicy) -> None:
    """Refuse declarations this version cannot run (a median or quantile without bounds)."""
    quantiles = [
        s.name
        for s in policy.statistics
        if s.kind in {"median", "quantiles"} and not isinstance(s.bounds, DPBounds)
    ]
    if quantiles:
        raise PrivacyRequirementError(
            f"dp statistics {quantiles}: a median or quantile needs declared bounds "
            "(its candidates span them)",
            what_would_help=["declare bounds: {lower, upper, max_cells_per_vendor}"],
        )


def placeholder_bounds(statistic: DPStatistic) -> DPStatistic:
    """The statistic with stand-in bounds, to check keys before any budget is spent."""
    if isinstance(statistic.bounds, DPBounds):
        return statistic
    return statistic.model_copy(update={"bounds": DPBounds(lower=0, upper=1)})


def check_schema(source: ibis.Table, policy: DPPolicy, vendor_column: str) -> None:
    """Columns exist and measures are numeric (PolicyError listing every problem)."""
    schema = source.schema()
    problems: list[Problem] = []
    if vendor_column not in schema:
        raise PolicyError(
            [Problem("dp", f"vendor column {vendor_column!r} is not in the data", "fix its name")]
        )
    for stat in policy.statistics:
        where = f"dp.statistics[{stat.name}]"
        for cell in stat.cells:
            if cell not in schema:
                problems.append(Problem(f"{where}.cells", f"column {cell!r} is not in the data"))
        if stat.kind in NUMERIC_KINDS and stat.column is not None:
            if stat.column not in schema:
                problems.append(Problem(f"{where}.column", f"{stat.column!r} is not in the data"))
            elif not schema[stat.column].is_numeric():
                problems.append(
                    Problem(
                        f"{where}.column",
                        f"{stat.column!r} has type {schema[stat.column]}, not a number",
                        "choose a numeric measure or convert the column first",
                    )
                )
    if problems:
        raise PolicyError(problems, header="the dp statistics do not fit the data:")


def check_keys_and_vendors(bounded: Bounded, policy: DPPolicy) -> int:
    """Cell keys are in the taxonomy and δ < 1/vendors; returns the number of vendors."""
    problems = _key_problems(bounded.observed_keys, policy)
    if problems:
        raise PolicyError(problems, header="cell keys outside the declared taxonomy:")
    vendors = bounded.vendors
    if vendors == 0:
        raise PolicyError([Problem("dp", "the data holds no vendor", "check the source")])
    if policy.budget.delta >= 1.0 / vendors:
        raise PolicyError(
            [
                Problem(
                    "dp.budget.delta",
                    f"{policy.budget.delta} is not below 1/number of vendors (1/{vendors})",
                    f"use δ well below {1.0 / vendors:.2g}, e.g. 1e-7",
                )
            ]
        )
    return vendors


def _key_problems(observed: Mapping[str, set[str | None]], policy: DPPolicy) -> list[Problem]:
    problems: list[Problem] = []
    dimensions = sorted({c for s in policy.statistics if s.keys == "public" for c in s.cells})
    for dimension in dimensions:
        allowed = set(policy.taxonomy[dimension])
        values = ["(missing)" if v is None else v for v in observed.get(dimension, set())]
        unknown = sorted(v for v in values if v not in allowed)
        if unknown:
            shown = ", ".join(repr(v) for v in unknown[:_MAX_KEYS_SHOWN])
            more = (
                f" and {len(unknown) - _MAX_KEYS_SHOWN} more"
                if len(unknown) > _MAX_KEYS_SHOWN
                else ""
            )
            problems.append(
                Problem(
                    f"dp.taxonomy.{dimension}",
                    f"values {shown}{more} occur in the data but are not declared",
                    "add them to the taxonomy or map/filter them before the dp step",
                )
            )
    return problems
