"""Dimension levels as engine columns: leaf codes, hierarchy ancestors, derived dimensions.

Each dimension becomes one text column per level (leaf first, then the hierarchy's levels),
computed as Ibis expressions so the engine does the row work. The grand total is implicit.
Hierarchies come from the policy (mapping, an ARX-style CSV, or code prefixes); derived
dimensions are quarter > year from a date column and the vendor scale band (small / medium /
large by the vendor's volume in the year of the row).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import ibis

from craftveil.errors import DataError, PolicyError, Problem
from craftveil.policy.aggregates import Dimension, Hierarchy


@dataclass(frozen=True)
class DimensionLevels:
    """The level names of one dimension (leaf first, total last) and their engine columns."""

    name: str
    levels: tuple[str, ...]
    columns: tuple[str, ...]
    total_label: str

    @property
    def total_level(self) -> int:
        return len(self.levels) - 1


def _read_hierarchy_csv(
    hierarchy: Hierarchy, base_dir: Path, location: str
) -> dict[str, list[str]]:
    assert hierarchy.csv is not None
    path = (base_dir / hierarchy.csv).resolve()
    if not path.is_file():
        raise PolicyError(
            [Problem(f"{location}.hierarchy.csv", f"file {path} not found", "fix the path")]
        )
    mapping: dict[str, list[str]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.reader(handle, delimiter=hierarchy.csv_delimiter), 1):
            if not row:
                continue
            if len(row) < len(hierarchy.levels) + 1:
                raise DataError(
                    f"{path}:{number}: {len(row)} fields, need a leaf and "
                    f"{len(hierarchy.levels)} levels {hierarchy.levels}; add the missing codes"
                )
            mapping[row[0]] = row[1 : len(hierarchy.levels) + 1]
    return mapping


def add_dimension_columns(
    source: ibis.Table,
    name: str,
    dimension: Dimension,
    vendor_column: str,
    base_dir: Path,
) -> tuple[ibis.Table, DimensionLevels]:
    """Add one text column per level of ``dimension``; check every leaf code has ancestors."""
    location = f"aggregates.dimensions.{name}"
    if dimension.column not in source.columns:
        raise PolicyError(
            [
                Problem(
                    f"{location}.column",
                    f"column {dimension.column!r} is not in the source",
                    f"use one of {[c for c in source.columns if not c.startswith('__')]}",
                )
            ]
        )
    prefix = f"__dim_{name}__"
    col = source[dimension.column]
    if dimension.derive == "quarter":
        year = col.year().cast("string")
        quarter = year + "-Q" + col.quarter().cast("string")
        out = source.mutate(**{f"{prefix}quarter": quarter, f"{prefix}year": year})
        levels: tuple[str, ...] = ("quarter", "year")
    elif dimension.derive == "vendor_scale_band":
        bands = dimension.scale_bands
        assert bands is not None
        year_expr = source[bands.year_column].year()
        keyed = source.mutate(__year=year_expr)
        per_vendor = keyed.group_by([vendor_column, "__year"]).agg(
            __volume=keyed[bands.volume_column].sum()
        )
        band = ibis.cases(
            (per_vendor.__volume >= bands.large_from, "large"),
            (per_vendor.__volume >= bands.medium_from, "medium"),
            else_="small",
        )
        per_vendor = per_vendor.mutate(**{f"{prefix}band": band}).drop("__volume")
        out = keyed.join(per_vendor, [vendor_column, "__year"]).drop("__year")
        levels = ("band",)
    else:
        out = source.mutate(**{f"{prefix}leaf": col.cast("string")})
        levels = ("leaf",)
        if dimension.hierarchy is not None:
            out, extra = _add_hierarchy(
                out, f"{prefix}leaf", prefix, dimension.hierarchy, base_dir, location
            )
            levels = levels + extra
    null_count = int(out[f"{prefix}{levels[0]}"].isnull().sum().to_pyarrow().as_py())
    if null_count:
        raise DataError(
            f"{location}: {null_count} rows have no value in column {dimension.column!r}; "
            "filter or fill them before tabulating (a cell needs a code on every dimension)"
        )
    columns = tuple(f"{prefix}{level}" for level in levels)
    return out, DimensionLevels(name, (*levels, "total"), columns, dimension.total_label)


def _add_hierarchy(
    table: ibis.Table,
    leaf_column: str,
    prefix: str,
    hierarchy: Hierarchy,
    base_dir: Path,
    location: str,
) -> tuple[ibis.Table, tuple[str, ...]]:
    leaf = table[leaf_column]
    if hierarchy.prefix_lengths is not None:
        exprs = {
            f"{prefix}{level}": leaf.substr(0, n)
            for level, n in zip(hierarchy.levels, hierarchy.prefix_lengths, strict=True)
        }
        return table.mutate(**exprs), tuple(hierarchy.levels)
    mapping = (
        hierarchy.mapping
        if hierarchy.mapping is not None
        else _read_hierarchy_csv(hierarchy, base_dir, location)
    )
    present = table.select(leaf_column).distinct().to_pandas()[leaf_column].dropna()
    missing = sorted(set(present) - set(mapping))
    if missing:
        raise DataError(
            f"{location}.hierarchy: {len(missing)} code(s) of the data are missing from the "
            f"hierarchy: {missing[:10]}; add them to the hierarchy (every leaf needs its "
            f"ancestors at levels {hierarchy.levels})"
        )
    exprs = {}
    for i, level in enumerate(hierarchy.levels):
        level_map = {code: ancestors[i] for code, ancestors in mapping.items()}
        exprs[f"{prefix}{level}"] = leaf.substitute(level_map)
    return table.mutate(**exprs), tuple(hierarchy.levels)
