"""Step: the policy's analytics on the raw and the released data, compared; gates enforced.

Runs after masking (and after the risk, aggregate and DP steps when present), before anything
is written: a failed gate raises UtilityGateError and the release directory never appears.
"""

from __future__ import annotations

from typing import Any

import ibis

from craftveil.errors import CraftveilError
from craftveil.pipeline.context import RunContext
from craftveil.pipeline.mask_step import OUT
from craftveil.utility.compare import compare, parts_reading, summarise_side
from craftveil.utility.gates import describe, enforce, evaluate_gates
from craftveil.utility.information_loss import information_loss
from craftveil.utility.summaries import PARTS, Summaries
from craftveil.utility.validate import validate_utility


def measure_utility(ctx: RunContext) -> None:
    policy = ctx.plan.policy
    up = policy.utility
    if up is None:
        return
    vendor = validate_utility(policy)
    raw = {n: s.source for n, s in ctx.tables.items()}
    released = {n: s.released for n, s in ctx.tables.items() if s.released is not None}
    loss = information_loss(
        {n: (s.rows_out or 0, s.columns) for n, s in ctx.tables.items() if s.released is not None},
        ctx.sections.get("risk"),
    )
    ctx.progress("measuring utility", 0, 1)
    raw_side = summarise_side(raw, up, vendor, "raw")  # once: every comparison reads it
    released_side = summarise_side(released, up, vendor, "released")
    link = _vendor_link(ctx, up.table, vendor)
    result = compare(up, raw_side, released_side, loss, link)
    result["impact_by_choice"] = impact_by_choice(ctx, raw, raw_side, vendor, loss)
    verdicts = evaluate_gates(list(up.gates), result["metrics"])
    result["gates"] = verdicts
    ctx.sections["utility"] = result
    s, sh = result["seasonality"], result["shares"]
    corr = "n/a" if s["correlation"] is None else f"{s['correlation']:.3f}"
    ctx.journal.add(
        "utility",
        f"Analytics on '{up.table}' compared raw vs released: seasonality correlation {corr}, "
        f"peak period {'kept' if s['peak_preserved'] else 'moved'}, largest share error "
        f"{sh['max_error_pp']:.2f} pp.",
        table=up.table,
        metrics=result["metrics"],
    )
    for v in verdicts:
        verdict = (
            "passed" if v["passed"] else ("WARNING: failed" if v["on_fail"] == "warn" else "failed")
        )
        ctx.journal.add("utility", f"Utility gate {verdict}: {describe(v)}.", gate=v)
    ctx.progress("measuring utility", 1, 1)
    enforce(verdicts)


def _vendor_link(ctx: RunContext, table: str, vendor: str) -> dict[str, str] | None:
    """Raw vendor id → released vendor id, from the mask step's row-aligned table."""
    state = ctx.tables.get(table)
    spec = ctx.plan.policy.tables[table].columns.get(vendor)
    if state is None or state.wide is None or spec is None or spec.action == "drop":
        return None
    pairs = (
        state.wide.select(raw=state.wide[vendor].cast("string"), rel=state.wide[OUT + vendor])
        .distinct()
        .to_pyarrow()
    )
    raw_ids = pairs.column("raw").to_pylist()
    released_ids = pairs.column("rel").to_pylist()
    return {str(a): str(b) for a, b in zip(raw_ids, released_ids, strict=True) if b is not None}


def impact_by_choice(
    ctx: RunContext,
    raw: dict[str, ibis.Table],
    raw_side: Summaries,
    vendor: str,
    loss: dict[str, Any],
) -> list[dict[str, Any]]:
    """Each masking choice alone: the analytics on the raw data with only that column released.

    The mask step keeps every original beside its masked value row by row, so one column can be
    swapped while everything else stays raw. Rows removed by ``drop_rows`` are gone in every
    variant; the risk step's generalisation is not attributed per column (its effect is in the
    release-level metrics).
    """
    up = ctx.plan.policy.utility
    assert up is not None
    used = {(up.table, c) for c in (up.time_column, up.measure_column, up.price_column) if c}
    for dim in (up.group_by, up.category):
        if dim is not None:
            used.add((dim.table or up.table, dim.column))
    impacts: list[dict[str, Any]] = []
    for table, column in sorted(used):
        state = ctx.tables.get(table)
        spec = ctx.plan.policy.tables[table].columns.get(column)
        if state is None or state.wide is None or spec is None or spec.action in ("keep", "drop"):
            continue
        wide = state.wide
        columns = ctx.plan.policy.tables[table].columns
        variant = wide.select(*[wide[OUT + c].name(c) if c == column else wide[c] for c in columns])
        entry: dict[str, Any] = {"table": table, "column": column, "action": spec.action}
        # Without dropped rows the variant holds the raw rows: parts that do not read the
        # swapped column are the raw side's, exactly, and are not computed again.
        same_rows = not state.rows_dropped
        parts = parts_reading(up, vendor, table, column) if same_rows else PARTS
        try:
            variant_side = summarise_side(
                {**raw, table: variant}, up, vendor, "released",
                parts=parts, reuse=raw_side if same_rows else None,
            )  # fmt: skip
            entry["metrics"] = compare(up, raw_side, variant_side, loss)["metrics"]
        except CraftveilError as exc:
            entry["not_comparable"] = str(exc).splitlines()[-1].strip()
        impacts.append(entry)
    return impacts


def check_utility(ctx: RunContext) -> None:
    """Early step: the utility section fits the tables (before any data is read)."""
    if ctx.plan.policy.utility is not None:
        validate_utility(ctx.plan.policy)
