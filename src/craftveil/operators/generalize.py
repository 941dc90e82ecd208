"""``generalize``: coarsen values so fewer vendors share each combination.

- dates/timestamps → day/week/month/quarter/year windows (labels "2024-03", "2024-Q1", "2024";
  a week is labelled by its Monday);
- numbers → bands of a fixed width or explicit edges, with bottom/top coding;
- codes → a level of a declared hierarchy (ARX CSV lookup, or prefix truncation "044**");
- coordinates → the centre of a grid cell.
Values a lookup hierarchy does not cover are an error naming them, unless a fallback is declared.
"""

from __future__ import annotations

import itertools

import ibis

from craftveil.errors import DataError
from craftveil.operators.base import OperatorContext
from craftveil.operators.regions import load_region_boxes
from craftveil.policy.columns import Bands, DateWindow, Generalize


def _num_label(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def window_expr(col: ibis.Value, window: DateWindow) -> ibis.Value:
    ts = col.cast("timestamp")
    if window is DateWindow.day:
        return ts.strftime("%Y-%m-%d")
    if window is DateWindow.week:
        return ts.truncate("W").strftime("%Y-%m-%d")
    if window is DateWindow.month:
        return ts.strftime("%Y-%m")
    if window is DateWindow.quarter:
        return ts.year().cast("string") + "-Q" + ts.quarter().cast("string")
    return ts.year().cast("string")


def bands_expr(col: ibis.Value, bands: Bands) -> ibis.Value:
    x = col.cast("float64")
    branches: list[tuple[ibis.ir.BooleanValue, ibis.Value]] = []
    if bands.bottom is not None:
        branches.append((x < bands.bottom, ibis.literal(f"< {_num_label(bands.bottom)}")))
    if bands.top is not None:
        branches.append((x >= bands.top, ibis.literal(f">= {_num_label(bands.top)}")))
    if bands.edges is not None:
        edges = bands.edges
        if bands.bottom is None:
            branches.append((x < edges[0], ibis.literal(f"< {_num_label(edges[0])}")))
        for lo, hi in itertools.pairwise(edges):
            label = f"[{_num_label(lo)}, {_num_label(hi)})"
            branches.append(((x >= lo) & (x < hi), ibis.literal(label)))
        if bands.top is None:
            branches.append((x >= edges[-1], ibis.literal(f">= {_num_label(edges[-1])}")))
        return ibis.cases(*branches, else_=ibis.null("string"))
    assert bands.width is not None
    width = bands.width
    if float(width).is_integer():  # integer arithmetic: a double → integer cast is ~3× slower
        low_int = (x / width).floor().cast("int64") * int(width)
        lo_txt = low_int.cast("string")
        hi_txt = (low_int + int(width)).cast("string")
    else:
        low = (x / width).floor() * width
        lo_txt = low.round(6).cast("string")
        hi_txt = (low + width).round(6).cast("string")
    default = "[" + lo_txt + ", " + hi_txt + ")"
    if not branches:
        return default
    return ibis.cases(*branches, else_=default)


def prefix_expr(col: ibis.Value, keep: int) -> ibis.Value:
    text = col.cast("string")
    if keep == 0:
        return ibis.ifelse(text.isnull(), ibis.null("string"), ibis.literal("*"))
    stars = ibis.literal("*").repeat((text.length() - keep).clip(lower=0))
    return text.substr(0, keep) + stars


def region_expr(table: ibis.Table, spec: Generalize, ctx: OperatorContext) -> ibis.Value:
    """The region whose bounding box holds (latitude, longitude): one CASE over the boxes."""
    assert spec.regions is not None
    lookup = spec.regions
    boxes = load_region_boxes(ctx.base_dir / lookup.file)
    lat = table[lookup.latitude].cast("float64")
    lon = table[lookup.longitude].cast("float64")
    branches = [
        ((lat >= b.lat_min) & (lat <= b.lat_max) & (lon >= b.lon_min) & (lon <= b.lon_max), b.name)
        for b in boxes
    ]
    cases = ibis.cases(
        *[(cond, ibis.literal(name)) for cond, name in branches], else_=ibis.null("string")
    )
    missing_point = lat.isnull() | lon.isnull()
    outside = ctx.engine.fetch(table.filter(~missing_point & cases.isnull()).count())
    outside = outside.column(0)[0].as_py()
    if outside and spec.fallback is None:
        raise DataError(
            f"tables.{ctx.table_name}: {outside} point(s) lie in no region of {lookup.file} — "
            "add boxes that cover them, or declare `fallback:` (e.g. fallback: other)"
        )
    ctx.notes["points_outside_regions"] = int(outside or 0)
    labelled = cases if spec.fallback is None else cases.fill_null(spec.fallback)
    return ibis.ifelse(missing_point, ibis.null("string"), labelled)


def _identity_lookup(
    table: ibis.Table,
    column: str,
    out: str,
    spec: Generalize,
    ctx: OperatorContext,
    covered: set[str],
) -> ibis.Table:
    """Level 0 keeps every value: only check that the hierarchy covers them (no join)."""
    assert spec.hierarchy is not None
    source = table[column].cast("string")
    distinct = ctx.engine.fetch(table.select(v=source).filter(ibis._.v.notnull()).distinct())
    unmapped = sorted(v for v in distinct.column("v").to_pylist() if v not in covered)
    if unmapped and spec.fallback is None:
        shown = ", ".join(repr(v) for v in unmapped[:5])
        raise DataError(
            f"tables.{ctx.table_name}.columns.{column}: hierarchy '{spec.hierarchy.name}' does "
            f"not cover {shown}{' and more' if len(unmapped) > 5 else ''} — add these values to "
            "the hierarchy, or declare `fallback:` (e.g. fallback: '*') for unmapped values"
        )
    ctx.notes["unmapped_values_to_fallback"] = len(unmapped)
    if not unmapped:
        return table.mutate(**{out: source})
    assert spec.fallback is not None
    return table.mutate(**{out: ibis.ifelse(source.isin(unmapped), spec.fallback, source)})


def _lookup(
    table: ibis.Table, column: str, out: str, spec: Generalize, ctx: OperatorContext
) -> ibis.Table:
    assert spec.hierarchy is not None
    name, level = spec.hierarchy.name, spec.hierarchy.level
    if name in ctx.prefix_hierarchies:
        keeps, pad_to = ctx.prefix_hierarchies[name]
        col = table[column].cast("string")
        if pad_to is not None:
            col = col.lpad(pad_to, "0")
        return table.mutate(**{out: col if level == 0 else prefix_expr(col, keeps[level - 1])})
    hierarchy = ctx.hierarchies[name]
    if level >= hierarchy.height:
        raise DataError(
            f"tables.{ctx.table_name}.columns.{column}.hierarchy.level: level {level} does not "
            f"exist in hierarchy '{name}' (levels 0..{hierarchy.height - 1})"
        )
    if level == 0:
        return _identity_lookup(table, column, out, spec, ctx, set(hierarchy.values))
    mapping = hierarchy.mapping(level)
    lookup = ctx.engine.memtable(
        {"__cv_v": list(mapping), "__cv_g": list(mapping.values())},
        f"hier_{ctx.table_name}_{column}",
    )
    source = table[column].cast("string")
    joined = table.left_join(lookup, source == lookup.__cv_v)
    missing = joined.filter(joined[column].notnull() & joined.__cv_g.isnull())
    unmapped = ctx.engine.fetch(
        missing.select(v=missing[column].cast("string")).distinct().limit(6)
    )
    examples = [str(v) for v in unmapped.column("v").to_pylist()]
    if examples and spec.fallback is None:
        shown = ", ".join(repr(v) for v in examples[:5])
        raise DataError(
            f"tables.{ctx.table_name}.columns.{column}: hierarchy '{name}' does not cover "
            f"{shown}{' and more' if len(examples) > 5 else ''} — add these values to the "
            f"hierarchy, or declare `fallback:` (e.g. fallback: '*') for unmapped values"
        )
    ctx.notes["unmapped_values_to_fallback"] = len(examples)
    value = joined.__cv_g if spec.fallback is None else joined.__cv_g.fill_null(spec.fallback)
    value = ibis.ifelse(joined[column].isnull(), ibis.null("string"), value)
    return joined.mutate(**{out: value}).drop("__cv_v", "__cv_g")


_SHORT_WINDOWS = (DateWindow.month, DateWindow.quarter, DateWindow.year)


def generalize(
    table: ibis.Table, column: str, out: str, spec: Generalize, ctx: OperatorContext
) -> ibis.Table:
    col = table[column]
    if spec.window is not None:
        if spec.window in _SHORT_WINDOWS and col.type().is_temporal():
            # "2024-03", "2024-Q1", "2024" (≤ 7 characters) never equal a date or timestamp's
            # text (≥ 10: "YYYY-MM-DD…"), and a non-null value always has a label.
            ctx.every_value_changes = True
        return table.mutate(**{out: window_expr(col, spec.window)})
    if spec.bands is not None:
        return table.mutate(**{out: bands_expr(col, spec.bands)})
    if spec.prefix is not None:
        return table.mutate(**{out: prefix_expr(col, spec.prefix)})
    if spec.grid_degrees is not None:
        d = spec.grid_degrees
        centre = ((col.cast("float64") / d).floor() + 0.5) * d
        return table.mutate(**{out: centre.round(6)})
    if spec.regions is not None:
        return table.mutate(**{out: region_expr(table, spec, ctx)})
    return _lookup(table, column, out, spec, ctx)
