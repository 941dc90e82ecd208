"""``mask_categories``: categories → neutral labels ("blend A", "blend B", ...).

Labels are assigned in the order of the keyed hash of each category, so the label reveals nothing
about the original (no alphabetical-order leak) and is stable for the key and the set of
categories. Categories held by fewer than ``min_vendors`` distinct vendors are grouped into
``other`` first: a rare blend would single out its vendor.
"""

from __future__ import annotations

import ibis

from craftveil.operators.base import OperatorContext
from craftveil.policy.columns import MaskCategories


def letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (spreadsheet-style column letters)."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def mask_categories(
    table: ibis.Table, column: str, out: str, spec: MaskCategories, ctx: OperatorContext
) -> ibis.Table:
    source = table[column].cast("string")
    if ctx.vendor_column is not None:
        counts = (
            table.select(v=source, u=table[ctx.vendor_column])
            .filter(ibis._.v.notnull())
            .group_by("v")
            .agg(n=ibis._.u.nunique())
        )
    else:
        counts = (
            table.select(v=source).filter(ibis._.v.notnull()).group_by("v").agg(n=ibis._.count())
        )
    frame = ctx.engine.fetch(counts)
    values = [str(v) for v in frame.column("v").to_pylist()]
    held = frame.column("n").to_pylist()
    common = [v for v, n in zip(values, held, strict=True) if n >= spec.min_vendors]
    rare = [v for v, n in zip(values, held, strict=True) if n < spec.min_vendors]
    key = ctx.key.derive("mask_categories")
    order = sorted(common, key=lambda v: key.token(f"{ctx.table_name}.{column}", v, 64))
    labels = {v: f"{spec.label} {letters(i)}" for i, v in enumerate(order)}
    labels.update({v: spec.other_label for v in rare})
    ctx.notes.update(categories=len(values), labelled=len(common), grouped_as_other=len(rare))
    lookup = ctx.engine.memtable(
        {"__cv_v": list(labels), "__cv_m": list(labels.values())}, f"mask_{ctx.table_name}_{column}"
    )
    joined = table.left_join(lookup, source == lookup.__cv_v)
    return joined.mutate(**{out: joined.__cv_m}).drop("__cv_v", "__cv_m")
