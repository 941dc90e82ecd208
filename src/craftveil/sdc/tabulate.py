"""Tabulation: every table with all margins, from per-vendor sums computed in the engine.

The engine does the row work (ARCHITECTURE.md): for each *cell family* (which dimensions are
at which hierarchy level) one group-by sums each vendor's rows inside each cell FIRST — the
vendor is the "holding" of τ-Argus and the ESSnet handbook, so the sensitivity rules see
per-vendor contributions, never rows — then a second group-by gives the cell statistics (N
vendors, X, row count, smallest contribution) and a window keeps the m largest contributions
x1..xm the rules need. Only these small per-cell tables come back to Python.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import ibis
import ibis.expr.datatypes as dt
import numpy as np
import pandas as pd

from craftveil.errors import DataError
from craftveil.policy.aggregates import AggregatesPolicy
from craftveil.sdc.cells import (
    CellSystem,
    TableLayout,
    canonical_key,
    dedupe_relations,
    table_relations,
)
from craftveil.sdc.dimensions import DimensionLevels, add_dimension_columns

Family = tuple[tuple[str, int], ...]  # (dimension, level index) of the non-total dimensions
QUANTILE_MEASURES = {"median_band", "quartile_bands"}
# measures are summed in fixed point with 6 decimals (each row rounded to 1e-6 first); squares
# (for the sampling variance only) of per-vendor sums rounded to 1e-3
EXACT = dt.Decimal(38, 6)
EXACT_SQUARE = dt.Decimal(38, 3)


def _vendor_base(
    table: ibis.Table, dims: dict[str, DimensionLevels], measure: str, vendor_column: str
) -> ibis.Table:
    """Each vendor's exact sum and row count per finest cell of every dimension (one query).

    Every family's per-vendor contributions are sums of these (a coarser cell's contribution is
    the sum of the vendor's finer ones, exact in fixed point), so the source rows are read and
    the hierarchy joins run once per measure instead of twice per family. Never larger than
    the source: one row per (vendor, finest cell) present.
    """
    codes = [c for d in dims.values() for c in d.columns[: d.total_level]]
    return (
        table.group_by([*codes, vendor_column])
        .agg(__value=table[measure].cast(EXACT).sum(), __rows=table.count())
        .cache()
    )


def _family_stats(
    source: ibis.Table,
    base: ibis.Table,
    family: Family,
    dims: dict[str, DimensionLevels],
    vendor_column: str,
    top_count: int,
    rank_absolute: bool,
    keep_contributions: bool,
    quantile_column: str | None,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Per cell of one family: N, X, rows, min contribution, top contributions (engine).

    ``base`` is :func:`_vendor_base` of the table's measure; ``source`` (the rows) is read only for
    quantiles.
    """
    code_cols = {d: dims[d].columns[j] for d, j in family}
    # fixed-point sums: exact in any order, so a parallel engine gives the same totals (and so
    # the same protection levels and suppression pattern) on every run; floating-point sums
    # differ in the last bits with the threads' order
    grouped = base.group_by([*code_cols.values(), vendor_column]).agg(
        __value=base.__value.sum(), __rows=base.__rows.sum()
    )
    keys = list(code_cols.values())
    coarse = grouped.__value.cast(EXACT_SQUARE)
    metrics = {
        "vendors": grouped.count(),
        "value": grouped.__value.sum().cast("float64"),
        "shadow_value": grouped.__value.abs().sum().cast("float64"),
        "rows": grouped.__rows.sum(),
        "min_contribution": grouped.__value.min().cast("float64"),
        "sum_squares": (coarse * coarse).sum().cast("float64"),
    }
    stats_expr = grouped.group_by(keys).agg(**metrics) if keys else grouped.aggregate(**metrics)
    stats = stats_expr.to_pandas()
    rank_value = (grouped.__value.abs() if rank_absolute else grouped.__value).cast("float64")
    window = ibis.window(group_by=keys or None, order_by=[ibis.desc(rank_value)])
    ranked = grouped.mutate(__rank=ibis.row_number().over(window), __rv=rank_value)
    top = ranked.filter(ranked.__rank < top_count).select(*keys, "__rank", "__rv").to_pandas()
    if keys:
        wide = top.pivot_table(index=keys, columns="__rank", values="__rv", aggfunc="sum")
        wide = wide.reindex(columns=range(top_count)).fillna(0.0)
        wide.columns = [f"top_{i + 1}" for i in range(top_count)]
        stats = stats.merge(wide.reset_index(), on=keys, how="left")
    else:
        vals = np.zeros(top_count)
        for r, v in zip(top["__rank"], top["__rv"], strict=True):
            vals[int(r)] = v
        for i in range(top_count):
            stats[f"top_{i + 1}"] = vals[i]
    if quantile_column is not None:
        qcol = source[quantile_column]
        qmetrics = {
            "q25": qcol.quantile(0.25),
            "q50": qcol.quantile(0.5),
            "q75": qcol.quantile(0.75),
        }
        qexpr = source.group_by(keys).agg(**qmetrics) if keys else source.aggregate(**qmetrics)
        quant = qexpr.to_pandas()
        stats = (
            stats.merge(quant, on=keys, how="left")
            if keys
            else stats.assign(**{c: quant[c].iloc[0] for c in qmetrics})
        )
    stats = stats.rename(columns={c: d for d, c in code_cols.items()})
    contributions = None
    if keep_contributions:
        contributions = grouped.select(
            *keys, vendor_column, grouped.__value.cast("float64").name("__value")
        ).to_pandas()
        contributions = contributions.rename(columns={c: d for d, c in code_cols.items()})
    return stats, contributions


def _parent_maps(
    source: ibis.Table, dims: dict[str, DimensionLevels]
) -> tuple[dict[str, dict[tuple[int, str], str]], dict[str, list[list[str]]]]:
    """Per dimension: level-j code -> level-(j+1) code, and the codes present at each level."""
    parent_of: dict[str, dict[tuple[int, str], str]] = {}
    codes: dict[str, list[list[str]]] = {}
    for name, d in dims.items():
        distinct = source.select(*d.columns).distinct().to_pandas().astype(str)
        up: dict[tuple[int, str], str] = {}
        for j in range(d.total_level):
            col = d.columns[j]
            parent = distinct[d.columns[j + 1]] if j + 1 < d.total_level else None
            pairs = (
                distinct[[col]]
                .assign(__p=parent if parent is not None else d.total_label)
                .drop_duplicates()
            )
            clash = pairs[pairs.duplicated(col, keep=False)]
            if not clash.empty:
                raise DataError(
                    f"aggregates.dimensions.{name}: code {clash[col].iloc[0]!r} at level "
                    f"{d.levels[j]!r} has two parents {sorted(clash['__p'].unique())[:2]}; "
                    "a hierarchy must give each code exactly one parent"
                )
            up.update({(j, c): p for c, p in zip(pairs[col], pairs["__p"], strict=True)})
        parent_of[name] = up
        codes[name] = [sorted(distinct[c].unique()) for c in d.columns] + [[d.total_label]]
    return parent_of, codes


def build_tables(
    source: ibis.Table,
    policy: AggregatesPolicy,
    vendor_column: str,
    *,
    base_dir: Path | None = None,
    keep_contributions: bool = False,
) -> CellSystem:
    """Tabulate every declared table at every hierarchy level as one linked cell system."""
    base = base_dir or Path()
    if vendor_column not in source.columns:
        raise DataError(f"vendor column {vendor_column!r} is not in the source; name the vendor id")
    if int(source.count().to_pyarrow().as_py()) == 0:
        raise DataError("aggregates: the source has no rows, so every table would have no cells")
    used = sorted({d for t in policy.tables for d in t.dimensions})
    dims: dict[str, DimensionLevels] = {}
    table = source
    for name in used:
        table, dims[name] = add_dimension_columns(
            table, name, policy.dimensions[name], vendor_column, base
        )
    for t in policy.tables:
        if t.measure_column not in source.columns:
            raise DataError(
                f"aggregates.tables.{t.name}.measure_column: {t.measure_column!r} is not in "
                f"the source; use one of {list(source.columns)}"
            )
    parent_of, codes = _parent_maps(table, dims)
    rules = policy.rules
    top_count = rules.contributions_needed
    absolute = rules.shadow_rule_for_negatives == "absolute_value"

    families: dict[tuple[str, str | None, Family], pd.DataFrame] = {}
    contributions: list[pd.DataFrame] = []
    key_to_id: dict[str, int] = {}
    cell_rows: list[pd.DataFrame] = []
    layouts: dict[str, TableLayout] = {}
    relations: list[np.ndarray] = []
    bases: dict[str, ibis.Table] = {}
    for t in policy.tables:
        tdims = tuple(dims[d] for d in t.dimensions)
        frames = []
        for combo in itertools.product(*(range(len(d.levels)) for d in tdims)):
            family: Family = tuple(
                (d.name, j) for d, j in zip(tdims, combo, strict=True) if j < d.total_level
            )
            quantile_column = t.quantile_column if QUANTILE_MEASURES & set(t.measures) else None
            fkey = (t.measure_column, quantile_column, family)
            if fkey not in families:
                if t.measure_column not in bases:
                    bases[t.measure_column] = _vendor_base(
                        table, dims, t.measure_column, vendor_column
                    )
                stats, contrib = _family_stats(
                    table,
                    bases[t.measure_column],
                    family,
                    dims,
                    vendor_column,
                    top_count,
                    absolute,
                    keep_contributions
                    and not any(k[0] == t.measure_column and k[2] == family for k in families),
                    quantile_column,
                )
                if family:  # cell ids in key order, not the engine's group-by order
                    stats = stats.sort_values(
                        [d for d, _ in family], key=lambda c: c.astype(str), kind="stable"
                    ).reset_index(drop=True)
                stats["key"] = (
                    [
                        canonical_key(
                            t.measure_column,
                            [
                                (d, dims[d].levels[j], str(code))
                                for (d, j), code in zip(family, codes_of_cell, strict=True)
                            ],
                        )
                        for codes_of_cell in zip(*(stats[d] for d, _ in family), strict=True)
                    ]
                    if family
                    else [canonical_key(t.measure_column, [])] * len(stats)
                )
                new = stats[[k not in key_to_id for k in stats.key]].copy()
                new["cell_id"] = range(len(key_to_id), len(key_to_id) + len(new))
                key_to_id.update(zip(new.key, new.cell_id, strict=True))
                new["measure_column"] = t.measure_column
                new = new.drop(columns=[c for c in ("q25", "q50", "q75") if c in new])
                cell_rows.append(new.drop(columns=[d for d, _ in family]))
                stats["cell_id"] = stats.key.map(key_to_id)
                families[fkey] = stats
                if contrib is not None:
                    contrib["cell_id"] = (
                        contrib.merge(
                            stats[[d for d, _ in family] + ["cell_id"]],
                            on=[d for d, _ in family],
                            how="left",
                        )["cell_id"].to_numpy()
                        if family
                        else int(stats.cell_id.iloc[0])
                    )
                    contributions.append(
                        contrib[["cell_id", vendor_column, "__value"]].rename(
                            columns={vendor_column: "vendor", "__value": "value"}
                        )
                    )
            stats = families[fkey]
            grid = pd.DataFrame(
                list(
                    itertools.product(
                        *(codes[d.name][j] for d, j in zip(tdims, combo, strict=True))
                    )
                ),
                columns=[d.name for d in tdims],
            )
            for d, j in zip(tdims, combo, strict=True):
                grid[f"{d.name}__level"] = d.levels[j]
            fam_cols = [d for d, _ in family]
            extra = [c for c in ("q25", "q50", "q75") if c in stats]
            if fam_cols:
                grid = grid.merge(
                    stats[[*fam_cols, "cell_id", *extra]].astype({c: str for c in fam_cols}),
                    on=fam_cols,
                    how="left",
                )
            else:
                grid["cell_id"] = int(stats.cell_id.iloc[0]) if len(stats) else -1
                for c in extra:
                    grid[c] = stats[c].iloc[0]
            frames.append(grid)
        frame = pd.concat(frames, ignore_index=True)
        frame["cell_id"] = frame["cell_id"].fillna(-1).astype(np.int64)
        layout = TableLayout(t.name, tdims, t.measure_column, frame)
        layouts[t.name] = layout
        relations.extend(table_relations(layout, parent_of))

    for base in bases.values():
        base.release()
    cells = pd.concat(cell_rows, ignore_index=True).set_index("cell_id").sort_index()
    vendor_count = int(table.select(vendor_column).distinct().count().to_pyarrow().as_py())
    return CellSystem(
        cells=cells,
        tables=layouts,
        relations=dedupe_relations(relations),
        top_count=top_count,
        vendor_count=vendor_count,
        vendor_contributions=pd.concat(contributions, ignore_index=True) if contributions else None,
    )
