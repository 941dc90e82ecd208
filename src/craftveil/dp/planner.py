"""``plan``: what the budget buys, before anything is spent (``craftveil dp plan policy.yaml``).

Calibration needs no data, so the margin of error of every declared statistic is known from the
policy alone — and so is the reverse, the ε a statistic would need for a target margin (the
question users of every DP library ask; DP_NOTES.md, "Choosing ε"). Which cells would be withheld
(CV ≥ 100 %) depends on the cell sizes: pass public or previous sizes, or let the planner compute
them from the data. The latter is NOT differentially private: it reads the raw data, and its
output is for the steward's eyes only — never publish it.

Cell sizes are a table per statistic with the cell columns plus ``vendors`` (vendors per cell) and
``total`` (sales rows for count_sales, the measure's total for sum and mean, in major units).

For ``keys: private`` the plan also states what the private partition selection costs (its ρ
and δ), its threshold, and the vendor count a cell needs to survive it (about the threshold for
even odds, threshold + 1.645 σ for 95 %) — data-independent, like the margins. With cell sizes it
also counts the cells whose vendor count is below the threshold (likely not published).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import ibis
import pandas as pd

from craftveil.dp import budget, mechanisms
from craftveil.dp.bounding import IntegerBounds, bound_all, integer_bounds, new_salt
from craftveil.dp.calibration import calibrate
from craftveil.dp.checks import (
    check_keys_and_vendors,
    check_schema,
    check_supported,
    placeholder_bounds,
)
from craftveil.dp.noise import Z_95, public_cells
from craftveil.dp.selection import SELECTION_SHARE, SelectionPlan, plan_selection
from craftveil.policy.dp import DPBounds, DPPolicy, DPStatistic

_USELESS_WITHHELD_SHARE = 0.5


@dataclass(frozen=True)
class StatisticPlan:
    """The accuracy one declared statistic would have, and what a target margin would cost.

    ``margin_of_error_95`` is for a typical cell (the median of the known cell sizes; for counts
    and sums it is the same in every cell). ``epsilon_for_target`` / ``rho_for_target``: what
    this statistic alone would need for ``target_margin``, as (ε at the policy's δ) and ρ.
    ``withheld_cells`` needs cell sizes; those computed from the data are not DP.
    """

    name: str
    kind: str
    rho: float
    epsilon: float
    noise_scale: float | None
    noise_sd: float | None
    margin_of_error_95: float | None
    reference_size: float | None
    target_margin: float | None
    epsilon_for_target: float | None
    rho_for_target: float | None
    cells: int
    withheld_cells: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    selection: dict[str, float] | None = None
    """keys: private — rho, delta, noise_scale, threshold, vendors_for_even_odds, vendors_for_95."""
    cells_below_threshold: int | None = None
    """keys: private, with cell sizes — cells with fewer vendors than the threshold (not DP)."""


@dataclass(frozen=True)
class PlanReport:
    """The plan of every statistic, the budget, and where the cell sizes came from."""

    total_rho: float
    epsilon: float
    delta: float
    sizes_from: str
    statistics: list[StatisticPlan]
    warnings: list[str]

    def to_text(self) -> str:
        """A plain-text table for the CLI."""
        lines = [
            f"Budget: ρ = {self.total_rho:.4g} (ε = {self.epsilon:.3g} at δ = {self.delta:g}) "
            f"per period; cell sizes: {self.sizes_from}.",
        ]
        for s in self.statistics:
            margin = "n/a" if s.margin_of_error_95 is None else f"±{s.margin_of_error_95:,.4g}"
            line = f"- {s.name} ({s.kind}): ε = {s.epsilon:.3g}, 95% margin {margin}"
            if s.epsilon_for_target is not None and s.target_margin is not None:
                line += f"; ε for ±{s.target_margin:,.4g}: {s.epsilon_for_target:.3g}"
            if s.selection is None:
                line += f"; {len(s.withheld_cells)} of {s.cells} cells would be withheld"
            lines.append(line)
            if s.selection is not None:
                sel = s.selection
                text = (
                    f"    cells chosen privately (keys: private): selection costs "
                    f"ρ = {sel['rho']:.4g}, δ = {sel['delta']:.3g}; a cell needs about "
                    f"{sel['vendors_for_even_odds']:.0f} vendors to be published half of the "
                    f"time, {sel['vendors_for_95']:.0f} for 95 %"
                )
                if s.cells_below_threshold is not None:
                    text += (
                        f"; {s.cells_below_threshold} of {s.cells} cells in the data have fewer "
                        "and would probably be absent"
                    )
                lines.append(text)
            lines += [f"    warning: {w}" for w in s.warnings]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def plan(
    policy: DPPolicy,
    *,
    cell_sizes: Mapping[str, pd.DataFrame] | None = None,
    source: ibis.Table | None = None,
    vendor_column: str | None = None,
) -> PlanReport:
    """Margins per statistic, ε for target margins, expected withheld cells and warnings."""
    check_supported(policy)
    allocation = budget.allocate(policy)
    sizes = dict(cell_sizes or {})
    sizes_from = "given" if sizes else "unknown"
    if source is not None and vendor_column is not None:
        check_schema(source, policy, vendor_column)
        salt = new_salt(None)
        checked = [placeholder_bounds(s) for s in policy.statistics]
        everything = bound_all(source, checked, vendor_column, salt)
        check_keys_and_vendors(everything, policy)
        for stat in policy.statistics:
            if stat.name not in sizes and isinstance(stat.bounds, DPBounds):
                cells = everything.statistics[stat.name].cells
                if stat.kind in {"sum", "mean"}:
                    cells = cells.assign(total=cells["total"] / stat.money_minor_units)
                sizes[stat.name] = cells
        sizes_from = "computed from the data (NOT differentially private: steward only)"
    plans = [
        _plan_statistic(
            policy,
            s,
            allocation.per_statistic[s.name],
            sizes.get(s.name),
            allocation.per_statistic_delta.get(s.name, 0.0),
        )
        for s in policy.statistics
    ]
    return PlanReport(
        allocation.total_rho,
        allocation.epsilon(allocation.total_rho),
        allocation.delta,
        sizes_from,
        plans,
        policy.warnings(),
    )


def _cell_sd(
    stat: DPStatistic, limits: IntegerBounds, rho: float, mechanism: mechanisms.Mechanism
) -> Callable[[float, float], float]:
    """SD of the published value for a cell of (vendors, total) — in the statistic's units."""
    unit = stat.money_minor_units if stat.kind in {"sum", "mean"} else 1
    if stat.kind == "mean":
        sum_sd = calibrate(mechanism, limits.sensitivity, limits.cells_per_vendor, rho / 2).noise_sd
        count_sd = calibrate(mechanism, 1, limits.cells_per_vendor, rho / 2).noise_sd

        def mean_sd(vendors: float, total: float) -> float:
            if vendors <= 0:
                return math.inf
            mean = total * unit / vendors
            return math.sqrt(sum_sd**2 + mean**2 * count_sd**2) / vendors / unit

        return mean_sd
    sd = calibrate(mechanism, limits.sensitivity, limits.cells_per_vendor, rho).noise_sd / unit
    return lambda vendors, total: sd


def _cell_value(stat: DPStatistic, vendors: float, total: float) -> float:
    if stat.kind == "count_vendors":
        return vendors
    if stat.kind == "mean":
        return total / vendors if vendors > 0 else 0.0
    return total


def _typical(stat: DPStatistic, merged: pd.DataFrame) -> tuple[float, float] | None:
    """Median vendors and median total over the cells that have any vendor."""
    present = merged[merged["vendors"] > 0]
    if present.empty:
        return None
    return float(present["vendors"].median()), float(present["total"].median())


def _selection(
    stat: DPStatistic, rho: float, delta: float
) -> tuple[SelectionPlan | None, float, mechanisms.Mechanism | None]:
    """The selection's calibration, the ρ left for the values, and a forced mechanism."""
    if stat.keys != "private" or not isinstance(stat.bounds, DPBounds):
        return None, rho, None
    cells_per_vendor = integer_bounds(stat).cells_per_vendor
    if stat.kind == "count_vendors":  # the threshold's own noisy counts are the values
        return plan_selection(cells_per_vendor, rho, delta), rho, "gaussian"
    selection_rho = rho * SELECTION_SHARE
    return plan_selection(cells_per_vendor, selection_rho, delta), rho - selection_rho, None


def _selection_summary(selection: SelectionPlan) -> dict[str, float]:
    return {
        "rho": selection.rho,
        "delta": selection.delta,
        "noise_scale": selection.noise_scale,
        "threshold": float(selection.threshold),
        "vendors_for_even_odds": selection.vendors_for_even_odds,
        "vendors_for_95": selection.vendors_for_95,
    }


def _plan_statistic(
    policy: DPPolicy,
    stat: DPStatistic,
    share: float,
    sizes: pd.DataFrame | None,
    delta: float = 0.0,
) -> StatisticPlan:
    epsilon = mechanisms.rho_to_epsilon(share, policy.conversion_delta())
    selection, rho, forced = _selection(stat, share, delta)
    mechanism = forced or policy.mechanism
    if stat.keys == "private":
        known = sizes[sizes["vendors"] > 0] if sizes is not None else None
        cells = known[stat.cells] if known is not None else pd.DataFrame(columns=stat.cells)
    else:
        cells = public_cells(policy, stat)
    unknown = None
    if stat.kind in {"median", "quantiles"}:
        unknown = "no data-free margin for a private quantile"
    elif not isinstance(stat.bounds, DPBounds):
        unknown = "bounds are chosen privately at release time: no margin before that"
    summary = None if selection is None else _selection_summary(selection)
    if unknown is not None:
        return StatisticPlan(
            stat.name, stat.kind, share, epsilon, None, None, None, None, None, None, None,
            len(cells), warnings=[unknown], selection=summary,
        )  # fmt: skip
    limits = integer_bounds(stat)
    cell_sd = _cell_sd(stat, limits, rho, mechanism)
    warnings: list[str] = []
    withheld: list[dict[str, str]] = []
    typical: tuple[float, float] | None = None
    below: int | None = None
    if sizes is not None:
        merged = (
            cells.merge(sizes, on=stat.cells, how="left") if stat.cells else sizes.head(1)
        ).fillna({"vendors": 0, "total": 0})
        if selection is not None:  # cells below the threshold are (probably) absent, not withheld
            below = int((merged["vendors"] < selection.threshold).sum())
            merged = merged[merged["vendors"] >= selection.threshold]
        for _, row in merged.iterrows():
            value = _cell_value(stat, row["vendors"], row["total"])
            if value <= 0 or cell_sd(row["vendors"], row["total"]) / value >= 1.0:
                withheld.append({c: str(row[c]) for c in stat.cells})
        if merged.shape[0] and len(withheld) >= _USELESS_WITHHELD_SHARE * len(merged):
            warnings.append(
                f"{len(withheld)} of {len(merged)} cells would be withheld (CV ≥ 100 %): "
                "coarser cells, fewer statistics or more budget would help"
            )
        typical = _typical(stat, merged)
    reference = None if typical is None else _cell_value(stat, *typical)
    scale: float | None = None
    if stat.kind == "mean":
        sd = cell_sd(*typical) if typical is not None else None
    else:
        cal = calibrate(mechanism, limits.sensitivity, limits.cells_per_vendor, rho)
        sd, scale = cell_sd(0.0, 0.0), cal.scale
    margin = None if sd is None else _margin(mechanism, stat, limits, rho, typical)
    if margin is not None and reference is not None and margin >= reference:
        warnings.append(
            f"the 95% margin ±{margin:,.4g} is as large as a typical cell ({reference:,.4g}): "
            "this statistic would be useless at this budget"
        )
    if stat.kind == "mean" and typical is None:
        warnings.append("a mean's margin depends on the cell sizes: give them to plan it")
    target = _target(stat, reference, warnings)
    rho_needed = None
    if target is not None and (stat.kind != "mean" or typical is not None):
        # the values get ``rho`` of the statistic's ``share`` (the rest chooses private cells)
        rho_needed = _rho_for_margin(stat, mechanism, limits, target, typical) * share / rho
    epsilon_needed = (
        None
        if rho_needed is None
        else mechanisms.rho_to_epsilon(rho_needed, policy.conversion_delta())
    )
    return StatisticPlan(
        stat.name,
        stat.kind,
        share,
        epsilon,
        scale,
        sd,
        margin,
        reference,
        target,
        epsilon_needed,
        rho_needed,
        len(cells),
        withheld,
        warnings,
        summary,
        below,
    )


def _margin(
    mechanism: mechanisms.Mechanism,
    stat: DPStatistic,
    limits: IntegerBounds,
    rho: float,
    typical: tuple[float, float] | None,
) -> float:
    """95 % margin: OpenDP's accuracy function, or 1.96·SD (delta method) for a mean."""
    if stat.kind == "mean":
        if typical is None:
            return math.inf
        return Z_95 * _cell_sd(stat, limits, rho, mechanism)(*typical)
    unit = stat.money_minor_units if stat.kind == "sum" else 1
    cal = calibrate(mechanism, limits.sensitivity, limits.cells_per_vendor, rho)
    return cal.margin_of_error_95 / unit


def _target(stat: DPStatistic, reference: float | None, warnings: list[str]) -> float | None:
    if stat.target_margin is None:
        return None
    if isinstance(stat.target_margin, str):
        share = float(stat.target_margin.strip().rstrip("%")) / 100.0
        if reference is None:
            warnings.append(
                f"target_margin {stat.target_margin} is relative: give cell sizes to plan it"
            )
            return None
        return share * reference
    return float(stat.target_margin)


def _rho_for_margin(
    stat: DPStatistic,
    mechanism: mechanisms.Mechanism,
    limits: IntegerBounds,
    target: float,
    typical: tuple[float, float] | None,
) -> float:
    """Smallest ρ whose 95 % margin, as the release would calibrate it, is at most ``target``.

    A first guess inverts OpenDP's accuracy function (margin → scale) and applies its privacy
    map (scale → loss per cell, times L0); a log-bisection around it on the cached calibration
    then makes the answer exact for the integer margins we publish (a mean always bisects).
    """
    low, high = 1e-9, 1e4
    if stat.kind != "mean":
        unit = stat.money_minor_units if stat.kind == "sum" else 1
        scale = mechanisms.scale_for_margin(mechanism, target * unit)
        loss = limits.cells_per_vendor * mechanisms.noise_privacy_loss(
            mechanism, scale, limits.sensitivity
        )
        guess = loss if mechanism == "gaussian" else loss**2 / 2.0
        low, high = guess / 4.0, guess * 4.0
    if _margin(mechanism, stat, limits, high, typical) > target:
        return high if stat.kind != "mean" else math.inf
    for _ in range(40):
        middle = math.sqrt(low * high)
        if _margin(mechanism, stat, limits, middle, typical) <= target:
            high = middle
        else:
            low = middle
    return high
