"""The linked cell system: every cell of every table at every hierarchy level, and how they add up.

A cell is identified by its *canonical key*: the measure column plus the (dimension, level,
code) of each dimension not at its grand total. Two tables that share a margin (region × Total
in a region × product table and in a region × quarter table) therefore share one cell — this
is what links the tables into one system, as the ESSnet handbook asks ("protect all linked
tables together"). Additivity relations (parent = Σ children, one per dimension step and per
combination of the other coordinates) are kept as rows of a sparse matrix.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from craftveil.sdc.dimensions import DimensionLevels


@dataclass
class TableLayout:
    """One published table: its dimensions and one row per cell (codes, levels, cell id).

    ``frame`` has, per dimension ``d``, the code column ``d`` and the level-name column
    ``d__level``, plus ``cell_id`` (-1 for an empty cell: a code combination without any
    contribution, published as 'empty' and known to be 0).
    """

    name: str
    dimensions: tuple[DimensionLevels, ...]
    measure_column: str
    frame: pd.DataFrame


@dataclass
class CellSystem:
    """All non-empty cells (index = cell id) with their statistics, tables and relations.

    ``cells`` columns: key, measure_column, value (X), vendors (N), rows, min_contribution,
    top_1..top_m (largest per-vendor contributions, 0 when fewer vendors), plus, after the
    primary step, status, sensitivity, upper/lower protection levels.
    ``relations``: each array is [parent, child, child, …] with parent = Σ children.
    ``vendor_contributions``: optional long table (cell_id, vendor, value) for the bootstrap.
    """

    cells: pd.DataFrame
    tables: dict[str, TableLayout]
    relations: list[np.ndarray]
    top_count: int
    vendor_count: int = 0
    vendor_contributions: pd.DataFrame | None = None
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.cells)

    def relation_matrix(self) -> sparse.csr_matrix:
        """Rows: relations; +1 on the parent, −1 on each child (so M·x = 0)."""
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        for i, rel in enumerate(self.relations):
            rows.append(np.full(len(rel), i))
            cols.append(rel)
            v = -np.ones(len(rel))
            v[0] = 1.0
            vals.append(v)
        if not rows:
            return sparse.csr_matrix((0, self.size))
        return sparse.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(len(self.relations), self.size),
        )


def canonical_key(measure: str, parts: list[tuple[str, str, str]]) -> str:
    """Key of a cell: measure + sorted dimension@level=code of the non-total dimensions."""
    inner = "|".join(f"{d}@{lvl}={code}" for d, lvl, code in sorted(parts))
    return f"{measure}|{inner}" if inner else f"{measure}|Total"


def table_relations(
    layout: TableLayout, parent_of: dict[str, dict[tuple[int, str], str]]
) -> list[np.ndarray]:
    """Additivity relations of one table: for each dimension step level j → j+1.

    ``parent_of[d][(j, code)]`` is the code at level j+1 of a level-j code of dimension d.
    """
    frame = layout.frame[layout.frame.cell_id >= 0]
    dims = layout.dimensions
    level_index = {d.name: {lvl: i for i, lvl in enumerate(d.levels)} for d in dims}
    key_cols = [c for d in dims for c in (d.name, f"{d.name}__level")]
    indexed = frame.set_index(key_cols)["cell_id"]
    out: list[np.ndarray] = []
    for d in dims:
        lvl_idx = frame[f"{d.name}__level"].map(level_index[d.name])
        for j in range(d.total_level):
            children = frame[lvl_idx == j].copy()
            if children.empty:
                continue
            up = parent_of[d.name]
            children[d.name] = [up[(j, c)] for c in children[d.name]]
            children[f"{d.name}__level"] = d.levels[j + 1]
            keys = pd.MultiIndex.from_frame(children[key_cols])
            parent_ids = indexed.reindex(keys).to_numpy()
            grouped = pd.DataFrame({"parent": parent_ids, "child": children["cell_id"].to_numpy()})
            for parent, group in grouped.groupby("parent", sort=False):
                head = np.array([parent], dtype=np.int64)
                out.append(np.concatenate((head, group["child"].to_numpy(dtype=np.int64))))
    return out


def dedupe_relations(relations: list[np.ndarray]) -> list[np.ndarray]:
    """Drop relations that two tables share (same parent, same children)."""
    seen: set[tuple[int, ...]] = set()
    out = []
    for rel in relations:
        key = (int(rel[0]), *sorted(int(c) for c in rel[1:]))
        if key not in seen:
            seen.add(key)
            out.append(rel.astype(np.int64))
    return out
