"""Step: differentially private statistics per vendor, guarded by the durable budget ledger.

The statistics are computed from the raw values of the policy's ``dp.table`` (rows kept after
``drop_rows``), never from the masked microdata. The ledger (SQLite; ``dp.ledger`` or
``dp-ledger.sqlite`` next to the release directory) reserves the budget before any noise is
drawn and refuses overspending; the noisy values are stored beside the ledger, so a re-run of the
same release (same policy name) returns the published values and spends nothing — never a fresh
draw for a statistic already published (averaging attack). For ``keys: private`` the table holds
only the cells chosen by private partition selection (absent cells are not listed at all).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from craftveil.dp import DPResult, Ledger, compute_statistics
from craftveil.errors import PolicyError, Problem
from craftveil.pipeline.context import RunContext
from craftveil.pipeline.write_step import record_output

VALUE_TYPES = {
    "value": pa.float64(),
    "noise_sd": pa.float64(),
    "margin_of_error_95": pa.float64(),
    "cv": pa.float64(),
    "reliable": pa.bool_(),
    "withheld_reason": pa.string(),
}
VALUE_COLUMNS = tuple(VALUE_TYPES)


def dp_statistics(ctx: RunContext) -> None:
    plan = ctx.plan
    section = plan.policy.dp
    if section is None:
        return
    state = ctx.tables[section.table]
    spec = plan.policy.tables[section.table]
    if spec.vendor_column is None:
        raise PolicyError(
            [
                Problem(
                    "dp.table",
                    f"table '{section.table}' has no vendor_column",
                    "DP protects vendors: set the table's vendor_column",
                )
            ]
        )
    for warning in section.warnings():
        ctx.journal.add("dp", f"Warning: {warning}.", level="warning")
    ledger_path = section.ledger_path(plan.base_dir, ctx.release_dir.parent)
    ledger_path.parent.mkdir(parents=True, exist_ok=True)
    ctx.progress("dp statistics", 0, 1)
    result = compute_statistics(
        state.kept if state.kept is not None else state.source,
        section,
        spec.vendor_column,
        ledger=Ledger(ledger_path),
        dataset=plan.policy.dataset,
        release_id=plan.policy.name,
        store_dir=ledger_path.parent / "dp-store",
        journal=ctx.journal,
    )
    _write(ctx, result)
    ctx.sections["dp"] = result.to_dict()
    ctx.progress("dp statistics", 1, 1)


def _write(ctx: RunContext, result: DPResult) -> None:
    tier_dir = ctx.workdir / "public"
    tier_dir.mkdir(exist_ok=True)
    for stat in result.statistics:
        dims = list(stat.cell_columns or (stat.values[0].cell if stat.values else []))
        data: dict[str, list[Any]] = {d: [v.cell[d] for v in stat.values] for d in dims}
        for column in VALUE_COLUMNS:
            data[column] = [getattr(v, column) for v in stat.values]
        schema = pa.schema(
            [(d, pa.string()) for d in dims] + [(c, VALUE_TYPES[c]) for c in VALUE_COLUMNS]
        )
        name = f"dp_{stat.name}"
        table = ctx.engine.memtable(pa.table(data, schema=schema), name)
        ordered = table.order_by(dims) if dims else table
        paths = {"parquet": tier_dir / f"{name}.parquet", "csv": tier_dir / f"{name}.csv"}
        ctx.engine.write(ordered, parquet=paths["parquet"], csv=paths["csv"])
        for fmt, path in paths.items():
            record_output(ctx, path, name, "public", fmt, len(stat.values))
        ctx.guarantees[name] = {
            "privacy_unit": "vendor",
            "differential_privacy": {
                "statistic": stat.name,
                "kind": stat.kind,
                "mechanism": stat.mechanism,
                "accounting": (
                    "zero-concentrated DP (rho), reported in (epsilon, delta); private partition "
                    "selection adds its delta (approximate zCDP)"
                ),
                "rho": stat.rho,
                "epsilon": stat.epsilon,
                "delta": result.delta,
                "keys": stat.keys,
                "selection": stat.selection,
                "selection_delta": stat.delta,
                "period": result.period,
                "bounds": stat.bounds,
                "max_cells_per_vendor": stat.cells_per_vendor,
                "noise_scale": stat.noise_scale,
                "withheld_rule": "cells with CV >= 100% or a noisy value <= 0 are withheld"
                + (
                    "; cells not chosen by private partition selection are absent"
                    if stat.keys == "private"
                    else ""
                ),
            },
            "tier": "public",
        }
    ctx.journal.add(
        "dp",
        f"Published {len(result.statistics)} differentially private statistic(s) per vendor: "
        f"ε = {result.epsilon:g}, δ = {result.delta:g} for period {result.period}"
        + (
            " (stored values of an earlier run of this release; no budget spent)."
            if result.from_store
            else "."
        ),
        rho_spent=result.rho_spent,
        from_store=result.from_store,
    )
