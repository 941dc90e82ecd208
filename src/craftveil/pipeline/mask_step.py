"""Step: apply each column's operator, drop declared rows, and measure the effect per column.

The originals stay beside the outputs in one materialised wide table, so distinct values
before/after and the share of values changed or nulled come from one aggregate query.
"""

from __future__ import annotations

from typing import Any

import ibis

from craftveil.errors import DataError
from craftveil.hierarchies import load_arx_hierarchy
from craftveil.operators import OPERATORS, OperatorContext
from craftveil.operators.suppress import condition_expr
from craftveil.pipeline.context import RunContext
from craftveil.policy.model import TableSpec

OUT = "__out__"


def _measure(wide: ibis.Table, spec: TableSpec, released: list[str]) -> dict[str, dict[str, Any]]:
    aggs: dict[str, ibis.Value] = {}
    for i, name in enumerate(spec.columns):
        orig = wide[name]
        if name in released:
            aggs[f"b{i}"] = orig.nunique()
            new = wide[OUT + name]
            aggs[f"a{i}"] = new.nunique()
            changed = ~orig.cast("string").identical_to(new.cast("string"))
            aggs[f"c{i}"] = changed.cast("int64").sum()
            aggs[f"n{i}"] = (new.isnull() & orig.notnull()).cast("int64").sum()
    row = wide.aggregate(**aggs).to_pyarrow().to_pylist()[0]
    stats: dict[str, dict[str, Any]] = {}
    for i, name in enumerate(spec.columns):
        entry: dict[str, Any] = {}
        if name in released:
            entry["distinct_before"] = int(row[f"b{i}"] or 0)
            entry["distinct_after"] = int(row[f"a{i}"] or 0)
            entry["changed"] = int(row[f"c{i}"] or 0)
            entry["nulled"] = int(row[f"n{i}"] or 0)
        stats[name] = entry
    return stats


def mask_tables(ctx: RunContext) -> None:
    plan = ctx.plan
    hierarchies = {n: load_arx_hierarchy(p, n) for n, p in plan.hierarchy_files.items()}
    released_tables = [tp for tp in plan.tables if tp.spec.release]
    token_cache: dict[tuple[str, str, int], dict[str, str]] = {}  # one HMAC per value and namespace
    for i, tp in enumerate(released_tables):
        ctx.progress(f"masking {tp.name}", i, len(released_tables))
        state = ctx.tables[tp.name]
        spec = tp.spec
        table = state.source
        if spec.drop_rows:
            counts = (
                table.aggregate(
                    **{
                        f"d{j}": condition_expr(table, rf.where).cast("int64").sum()
                        for j, rf in enumerate(spec.drop_rows)
                    }
                )
                .to_pyarrow()
                .to_pylist()[0]
            )
            for j, rf in enumerate(spec.drop_rows):
                state.rows_dropped.append(
                    {
                        "reason": rf.why,
                        "condition": rf.where.model_dump(exclude_none=True),
                        "rows": int(counts[f"d{j}"] or 0),
                    }
                )
                table = table.filter(~condition_expr(table, rf.where))
        state.kept = table
        if spec.vendor_column:
            _require_vendor(table, spec.vendor_column, tp.name, str(tp.source.path))
        octx = OperatorContext(
            engine=ctx.engine,
            key=ctx.key,
            release_name=plan.policy.name,
            table_name=tp.name,
            vendor_column=spec.vendor_column,
            hierarchies=hierarchies,
            prefix_hierarchies=plan.prefix_hierarchies,
            token_cache=token_cache,
            base_dir=plan.base_dir,
        )
        released = [c for c, s in spec.columns.items() if s.action != "drop"]
        notes: dict[str, dict[str, Any]] = {}
        for cname, cspec in spec.columns.items():
            octx.notes = {}
            table = OPERATORS[cspec.action](table, cname, OUT + cname, cspec, octx)
            notes[cname] = dict(octx.notes)
        # Sorted by the released values once, here: the writers then keep this order (output
        # bytes are reproducible and row order says nothing about the source's order).
        ordered = table.order_by([table[OUT + c] for c in released])
        wide = ctx.engine.materialize(ordered, f"wide_{tp.name}")
        stats = _measure(wide, spec, released)
        rows_out = int(wide.count().to_pyarrow().as_py())
        for cname, cspec in spec.columns.items():
            record: dict[str, Any] = {
                "role": cspec.role.value,
                "action": cspec.action,
                "why": cspec.why,
            }
            record["parameters"] = cspec.model_dump(
                exclude={"role", "why", "action", "type"}, exclude_none=True, mode="json"
            )
            record.update(stats[cname])
            record.update(notes[cname])
            state.columns[cname] = record
            ctx.journal.add("mask", _sentence(cname, record), table=tp.name, column=cname, **record)
        out = wide.select(**{c: wide[OUT + c] for c in released})
        state.wide = wide
        state.released = out
        state.released_in_order = True
        state.rows_out = rows_out


def _require_vendor(table: ibis.Table, vendor: str, name: str, path: str) -> None:
    """Every released row must belong to a vendor, or no guarantee can be stated for it."""
    nulls = int(table[vendor].isnull().cast("int64").sum().to_pyarrow().as_py() or 0)
    if nulls:
        raise DataError(
            f"{path}: column '{vendor}' (the vendor) is empty in {nulls} row(s) of table "
            f"'{name}' — every released row must belong to a vendor; fix the data, or add to "
            f"tables.{name}.drop_rows: - where: {{column: {vendor}, is_null: true}}"
        )


def _sentence(column: str, rec: dict[str, Any]) -> str:
    action = rec["action"]
    if action == "drop":
        return f"Dropped column '{column}': {rec['why']}"
    return (
        f"Column '{column}': {action} ({rec.get('distinct_before', 0):,} distinct values before, "
        f"{rec.get('distinct_after', 0):,} after): {rec['why']}"
    )
