"""Write the report files: report.html, report.json, privacy_notice.md, lineage.json.

Called by the run once every step is done and the manifest is built (the report is a view of the
journal, the steps' sections, the guarantees, the masking record and the manifest). Adds one
journal entry per file, before the journal itself is written.
"""

from __future__ import annotations

import json
from typing import Any

from craftveil.pipeline.context import RunContext
from craftveil.pipeline.records import build_masking_record
from craftveil.reporting.lineage import build_lineage, derived_lineage, field_lineage
from craftveil.reporting.privacy_notice import protections_for, render_privacy_notice
from craftveil.reporting.report_html import render_report_html
from craftveil.reporting.report_json import build_report_json
from craftveil.reporting.sections import ReportInput, build_sections

REPORT_FILES = ("report.html", "report.json", "privacy_notice.md", "lineage.json")


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, default=str, allow_nan=False) + "\n"


def write_reports(ctx: RunContext, manifest: dict[str, Any]) -> None:
    policy = ctx.plan.policy
    masking = build_masking_record(ctx)
    journal = ctx.journal.to_list()
    fields = field_lineage(masking, journal) + derived_lineage(
        _derived_outputs(ctx),
        _derived_sources(ctx),
        {name: list(spec.columns) for name, spec in policy.tables.items()},
        _derived_keys(ctx),
    )
    lineage = build_lineage(manifest, masking, fields)
    steps = {e["step"] for e in journal}
    notice = render_privacy_notice(policy, protections_for(policy, steps))
    inp = ReportInput(
        release_name=policy.name,
        dataset=policy.dataset,
        journal=journal,
        sections=ctx.sections,
        guarantees=ctx.guarantees,
        masking=masking,
        manifest=manifest,
        lineage_fields=fields,
    )
    sections = build_sections(inp)
    report = build_report_json(policy.name, policy.dataset, sections)
    out = ctx.workdir
    (out / "report.json").write_text(_dump(_finite(report)), encoding="utf-8")
    (out / "report.html").write_text(
        render_report_html(policy.name, policy.dataset, sections), encoding="utf-8"
    )
    (out / "privacy_notice.md").write_text(notice, encoding="utf-8")
    (out / "lineage.json").write_text(_dump(lineage), encoding="utf-8")
    ctx.journal.add(
        "report",
        "Wrote the report (report.html, report.json), the vendors' privacy notice "
        "(privacy_notice.md) and the lineage (lineage.json, OpenLineage).",
        files=list(REPORT_FILES),
    )


def _derived_sources(ctx: RunContext) -> dict[str, tuple[str, str | None, str]]:
    """Statistics tables (DP ``dp_<name>``, aggregate tables): source table and measure."""
    derived: dict[str, tuple[str, str | None, str]] = {}
    dp = ctx.plan.policy.dp
    if dp is not None:
        vendor = ctx.plan.policy.tables[dp.table].vendor_column
        derived |= {
            f"dp_{s.name}": (dp.table, s.column or vendor, f"differentially private {s.kind}")
            for s in dp.statistics
        }
    agg = ctx.plan.policy.aggregates
    if agg is not None:
        derived |= {
            t.name: (agg.table, t.measure_column, "aggregate statistics with disclosure control")
            for t in agg.tables
        }
    return derived


def _derived_keys(ctx: RunContext) -> dict[str, dict[str, str]]:
    """Aggregate tables: each dimension column (and its level column) → its source column."""
    agg = ctx.plan.policy.aggregates
    if agg is None:
        return {}
    keys: dict[str, dict[str, str]] = {}
    for t in agg.tables:
        mapping: dict[str, str] = {}
        for name in t.dimensions:
            column = agg.dimensions[name].column
            mapping[name] = column
            mapping[f"{name}__level"] = column
        keys[t.name] = mapping
    return keys


def _derived_outputs(ctx: RunContext) -> dict[str, list[str]]:
    """Columns of every Parquet output that is not a masked table (read from its schema)."""
    import pyarrow.parquet as pq

    masked = {tp.name for tp in ctx.plan.tables}
    return {
        str(o["table"]): pq.read_schema(ctx.workdir / str(o["path"])).names
        for o in ctx.outputs
        if o["format"] == "parquet" and o["table"] not in masked
    }


def _finite(value: Any) -> Any:
    """JSON has no NaN/Infinity: write them as null (with the value's meaning kept in text)."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None if value != value else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
