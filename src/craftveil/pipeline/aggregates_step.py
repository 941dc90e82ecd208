"""Step: aggregate tables with tabular disclosure control, over all tables as one system.

Computed from the raw values of the policy's ``aggregates.table`` (rows kept after
``drop_rows``), with the vendor as the holding: contributions are summed per vendor before the
sensitivity rules apply (SDC_RULES.md). The whole chain — tabulate, primary and complementary
suppression over every published table and hierarchy level, the attacker-interval audit —
runs in :func:`craftveil.sdc.protect`, which fails closed when the audit does not pass. The
public claims carry the audit's verdict and counts, never the rule parameters (the ESSnet
handbook advises keeping them confidential); the full audit goes to the restricted tier only.
"""

from __future__ import annotations

import json

import ibis
import pyarrow as pa

from craftveil.errors import PolicyError, Problem
from craftveil.pipeline.context import RunContext
from craftveil.pipeline.write_step import neutralise_formulas, record_output

ROW_VENDOR = "__craftveil_row_vendor"


def protect_aggregates(ctx: RunContext) -> None:
    plan = ctx.plan
    section = plan.policy.aggregates
    if section is None:
        return
    spec = plan.policy.tables[section.table]
    state = ctx.tables[section.table]
    source = state.kept if state.kept is not None else state.source
    vendor = spec.vendor_column
    if spec.rows_are_vendors:
        vendor = ROW_VENDOR
        source = source.mutate(**{vendor: ibis.row_number()})
    elif vendor is None:
        raise PolicyError(
            [
                Problem(
                    "aggregates.table",
                    f"table '{section.table}' has no vendor_column: the rules apply to "
                    "per-vendor sums",
                    "set its vendor_column, or rows_are_vendors: true",
                )
            ]
        )
    clash = {t.name for t in section.tables} & (set(plan.policy.tables) | set(ctx.guarantees))
    if clash:
        raise PolicyError(
            [
                Problem(
                    "aggregates.tables",
                    f"names {sorted(clash)} are already used",
                    "give the aggregate tables names of their own",
                )
            ]
        )
    from craftveil.sdc import protect  # scipy/HiGHS load only when a policy asks for tables

    ctx.progress("aggregates", 0, 1)
    result = protect(source, section, vendor, base_dir=plan.base_dir, journal=ctx.journal)
    for name, frame in result.tables.items():
        tier = result.tiers[name]
        _write(ctx, name, tier, pa.Table.from_pandas(frame, preserve_index=False))
        statuses = frame["status"].value_counts().to_dict() if "status" in frame else {}
        ctx.guarantees[name] = {
            "privacy_unit": "vendor",
            "tier": tier,
            "aggregates": {
                "sentence": (
                    "Cells are protected by sensitivity rules on per-vendor contributions and "
                    "complementary suppression across all published tables; an audit of every "
                    "suppressed cell's feasible interval passed."
                ),
                "cells_by_status": {str(k): int(v) for k, v in statuses.items()},
                "audit": result.audit_public,
            },
        }
    if "restricted" in result.tiers.values():
        restricted = ctx.workdir / "restricted"
        restricted.mkdir(exist_ok=True)
        audit_path = restricted / "aggregates_audit.json"
        audit_path.write_text(json.dumps(result.audit_full, indent=2, default=str) + "\n")
        record_output(ctx, audit_path, "aggregates_audit", "restricted", "json", None)
    ctx.sections["aggregates"] = {"audit": result.audit_public, "notes": result.notes}
    ctx.journal.add(
        "aggregates",
        f"Published {len(result.tables)} aggregate table(s); the suppression audit passed.",
        tables=sorted(result.tables),
        notes=result.notes,
    )
    ctx.progress("aggregates", 1, 1)


def _write(ctx: RunContext, name: str, tier: str, data: pa.Table) -> None:
    directory = ctx.workdir / tier
    directory.mkdir(exist_ok=True)
    table = ctx.engine.memtable(data, f"agg_{name}")
    parquet, csv = directory / f"{name}.parquet", directory / f"{name}.csv"
    ctx.engine.write(table, parquet=parquet, csv=None)
    ctx.engine.write(neutralise_formulas(table), parquet=None, csv=csv)
    for path, fmt in ((parquet, "parquet"), (csv, "csv")):
        record_output(ctx, path, name, tier, fmt, data.num_rows)
