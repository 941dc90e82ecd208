"""Step: apply each column's operator, drop declared rows, and measure the effect per column.

Nothing is materialised here: the operators build one lazy expression with every original beside
its output, and one aggregate query over it gives the exact distinct values before/after, the
values changed or nulled, and the rows released. The writer sorts and writes the outputs once.
"""

from __future__ import annotations

from typing import Any

import ibis

from craftveil.engine.base import Engine
from craftveil.errors import DataError
from craftveil.hierarchies import load_arx_hierarchy
from craftveil.operators import OPERATORS, OperatorContext
from craftveil.operators.base import KnownEffect
from craftveil.operators.suppress import condition_expr
from craftveil.pipeline.context import RunContext
from craftveil.policy.model import TableSpec

OUT = "__out__"


def _measure(
    engine: Engine,
    wide: ibis.Table,
    spec: TableSpec,
    released: list[str],
    known: dict[str, KnownEffect],
    all_changed: set[str],
) -> tuple[dict[str, dict[str, Any]], int]:
    """Exact per-column effect and the number of released rows, in one aggregate query."""
    aggs: dict[str, ibis.Value] = {"rows": wide.count()}
    for i, name in enumerate(released):
        orig = wide[name]
        if name in known:  # every non-null value replaced, none nulled: count them
            aggs[f"c{i}"] = orig.count()
            continue
        aggs[f"b{i}"] = orig.nunique()
        if spec.columns[name].action == "keep":
            continue  # the output is the original: same values, nothing changed or nulled
        new = wide[OUT + name]
        aggs[f"a{i}"] = new.nunique()
        if name in all_changed:  # the operator guarantees it: no row-by-row comparison
            aggs[f"c{i}"] = orig.count()
            continue
        if orig.type() == new.type():
            same = orig.identical_to(new)
        else:  # compared as text, as a reviewer reads them
            same = orig.cast("string").identical_to(new.cast("string"))
        aggs[f"c{i}"] = (~same).cast("int64").sum()
        aggs[f"n{i}"] = (new.isnull() & orig.notnull()).cast("int64").sum()
    row = engine.fetch(wide.aggregate(**aggs)).to_pylist()[0]
    stats: dict[str, dict[str, Any]] = {name: {} for name in spec.columns}
    for i, name in enumerate(released):
        effect = known.get(name)
        before = effect.distinct_before if effect else int(row[f"b{i}"] or 0)
        after = effect.distinct_after if effect else int(row.get(f"a{i}", before) or 0)
        stats[name] = {
            "distinct_before": before,
            "distinct_after": after,
            "changed": int(row.get(f"c{i}", 0) or 0),
            "nulled": int(row.get(f"n{i}", 0) or 0),
        }
    return stats, int(row["rows"])


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
            drops = table.aggregate(
                **{
                    f"d{j}": condition_expr(table, rf.where).cast("int64").sum()
                    for j, rf in enumerate(spec.drop_rows)
                }
            )
            counts = ctx.engine.fetch(drops).to_pylist()[0]
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
            _require_vendor(ctx.engine, table, spec.vendor_column, tp.name, str(tp.source.path))
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
        known: dict[str, KnownEffect] = {}
        all_changed: set[str] = set()
        for cname, cspec in spec.columns.items():
            octx.notes, octx.known_effect, octx.every_value_changes = {}, None, False
            table = OPERATORS[cspec.action](table, cname, OUT + cname, cspec, octx)
            notes[cname] = dict(octx.notes)
            if octx.known_effect is not None:
                known[cname] = octx.known_effect
            if octx.every_value_changes:
                all_changed.add(cname)
        stats, rows_out = _measure(ctx.engine, table, spec, released, known, all_changed)
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
        state.wide_expr = table
        state.engine = ctx.engine
        state.released = table.select(**{c: table[OUT + c] for c in released})
        state.rows_out = rows_out


def _require_vendor(engine: Engine, table: ibis.Table, vendor: str, name: str, path: str) -> None:
    """Every released row must belong to a vendor, or no guarantee can be stated for it."""
    nulls = int(engine.fetch(table[vendor].isnull().cast("int64").sum()).column(0)[0].as_py() or 0)
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
