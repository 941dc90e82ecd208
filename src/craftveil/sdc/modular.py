"""Hierarchical systems: the HiTaS / τ-Argus MODULAR decomposition into non-hierarchical subtables.

De Wolf, "HiTaS: a heuristic approach to cell suppression in hierarchical tables" (Inference
Control in Statistical Databases, LNCS 2316, 2002), and the ESSnet handbook §4.4.3 (τ-Argus
"Modular"): a table whose dimensions have hierarchies is a system of *subtables*, one per
combination of one parent node per dimension (a code with children, or the total) — the
subtable holds, per dimension, that node and its direct children, so it is an ordinary
non-hierarchical table with one level of margins. The subtables are protected one at a time,
top-down (the subtables of higher hierarchy levels first), each exactly with the MILP of
milp.py, which converges fast on such small tables.

Carrying (what links the subtables; done in secondary.py): a cell shared with an
already-protected subtable keeps its status. A suppressed shared cell must stay suppressed
*and be protected* in the new subtable — HiTaS treats it as primary there. Its protection
level is a share (``CARRY_FRACTION``) of the largest level in the suppression cluster it came
from (:func:`cluster_protection`, capped at the cell's value); the default share 0 asks only
that it stay suppressed and not be alone in any relation (not exactly derivable), which was
measured to suppress fewest cells in the end. A published shared cell should stay published:
it may be suppressed only at a high cost (HiTaS forbids it; a high cost keeps every subtable
feasible). The linked-system check is done afterwards: the true attacker sees every subtable
at once, so the whole system is checked and any still-violated primary side is repaired with
the whole-system cuts, the pattern only growing.

Linked tables (several tables of one release sharing cells) are decomposed table by table;
a subtable is a set of cell ids, so a cell shared by two tables is one variable and its
status is carried between the tables' subtables like any other shared cell.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from craftveil.sdc.cells import CellSystem

Node = tuple[int, str]  # (level index, code) within one dimension
SubtableKey = tuple[str, tuple[tuple[str, Node], ...]]  # measure, (dimension, parent node)…


@dataclass
class Subtable:
    """One non-hierarchical subtable: its cells (global ids), relations (global ids), depth."""

    key: SubtableKey
    cells: np.ndarray
    relations: list[np.ndarray]
    depth: int


def is_hierarchical(system: CellSystem) -> bool:
    """True when some table has a dimension with a level between its leaves and its total."""
    return any(d.total_level > 1 for t in system.tables.values() for d in t.dimensions)


def _coordinates(system: CellSystem) -> dict[str, dict[int, dict[str, Node]]]:
    """Per table: cell id -> dimension -> (level index, code)."""
    out: dict[str, dict[int, dict[str, Node]]] = {}
    for name, layout in system.tables.items():
        frame = layout.frame[layout.frame.cell_id >= 0]
        coords: dict[int, dict[str, Node]] = {int(c): {} for c in frame.cell_id}
        for d in layout.dimensions:
            level_index = {lvl: i for i, lvl in enumerate(d.levels)}
            levels = frame[f"{d.name}__level"].map(level_index).to_numpy()
            codes = frame[d.name].astype(str).to_numpy()
            for cell, lvl, code in zip(frame.cell_id.to_numpy(), levels, codes, strict=True):
                coords[int(cell)][d.name] = (int(lvl), str(code))
        out[name] = coords
    return out


def _parents(
    system: CellSystem, coords: dict[str, dict[int, dict[str, Node]]]
) -> dict[str, dict[Node, Node]]:
    """Per dimension: node -> parent node, read off the additivity relations."""
    parent_of: dict[str, dict[Node, Node]] = defaultdict(dict)
    where = {cell: table for table, cs in coords.items() for cell in cs}
    for rel in system.relations:
        head = int(rel[0])
        table = where.get(head)
        if table is None:
            continue
        pc = coords[table][head]
        for child in rel[1:]:
            cc = coords[table].get(int(child))
            if cc is None:
                continue
            for dim, node in cc.items():
                if pc[dim] != node:
                    parent_of[dim][node] = pc[dim]
    return parent_of


def subtables(system: CellSystem) -> list[Subtable]:
    """All non-hierarchical subtables of all tables, ordered top-down (depth, then key).

    Depth = Σ over dimensions of how many levels the subtable's parent node lies below the
    total, so every subtable comes after the subtables whose interior holds its margins.
    """
    coords = _coordinates(system)
    parent_of = _parents(system, coords)
    has_children: dict[str, set[Node]] = {d: set(m.values()) for d, m in parent_of.items()}
    measure = system.cells["measure_column"].to_dict()
    members: dict[SubtableKey, set[int]] = defaultdict(set)
    for name, layout in system.tables.items():
        dims = [d.name for d in layout.dimensions]
        for cell, cc in coords[name].items():
            options = []
            for d in dims:
                node = cc[d]
                cands = []
                if node in has_children.get(d, set()):
                    cands.append(node)  # the cell is the subtable's margin in d
                if node in parent_of.get(d, {}):
                    cands.append(parent_of[d][node])  # the cell is a child in d
                options.append(cands)
            for combo in itertools.product(*options):
                key = (str(measure[cell]), tuple(sorted(zip(dims, combo, strict=True))))
                members[key].add(cell)
    cell_keys: dict[int, set[SubtableKey]] = defaultdict(set)
    for key, cs in members.items():
        for c in cs:
            cell_keys[c].add(key)
    rels: dict[SubtableKey, list[np.ndarray]] = defaultdict(list)
    for rel in system.relations:
        common = set.intersection(*(cell_keys.get(int(c), set()) for c in rel))
        for key in common:
            rels[key].append(rel)
    total_level = {
        d.name: d.total_level for layout in system.tables.values() for d in layout.dimensions
    }
    out = [
        Subtable(
            key=key,
            cells=np.array(sorted(cs), dtype=np.int64),
            relations=rels[key],
            depth=sum(total_level[d] - node[0] for d, node in key[1]),
        )
        for key, cs in members.items()
        if rels[key]
    ]
    out.sort(key=lambda s: (s.depth, s.key))
    return out


def cluster_protection(
    relations: list[np.ndarray],
    suppressed: np.ndarray,
    protected: np.ndarray,
    protection: np.ndarray,
    cells: np.ndarray,
) -> np.ndarray:
    """Per cell of ``cells``: the largest protection of a protected cell in its cluster.

    A cluster is a connected set of suppressed cells, two cells being adjacent when they share
    a relation (of the subtable just protected). Global ids in, one level per entry of
    ``cells`` out (0 for a cell outside every cluster with a protected cell).
    """
    local = {int(c): i for i, c in enumerate(cells)}
    rows: list[int] = []
    cols: list[int] = []
    for r, rel in enumerate(relations):
        for c in rel:
            if suppressed[c]:
                rows.append(r)
                cols.append(local[int(c)])
    if not rows:
        return np.zeros(len(cells))
    incidence = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(relations), len(cells))
    )
    adjacency = incidence.T @ incidence
    _, label = sparse.csgraph.connected_components(adjacency, directed=False)
    level = np.where(protected[cells] & suppressed[cells], protection[cells], 0.0)
    best = np.zeros(label.max() + 1)
    np.maximum.at(best, label, level)
    return np.where(suppressed[cells], best[label], 0.0)
