"""Modular (HiTaS-style) suppression on hierarchical systems: decomposition, carry, safety.

Independent checks: the subtable decomposition against its definition (one subtable per
combination of parent nodes, each a non-hierarchical table whose relations lie inside it), the
true-attacker audit of the final pattern on the whole linked system, the carried status of
shared cells seen in the subproblems the solver receives, and the exact method's optimum (a
lower bound on any valid pattern's size).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from craftveil.errors import PolicyError
from craftveil.policy.aggregates import AggregatesPolicy
from craftveil.sdc import audit, build_tables, primary_suppression, secondary_suppression
from craftveil.sdc import secondary as secondary_module
from craftveil.sdc.cells import CellSystem
from craftveil.sdc.milp import Problem, Solution
from craftveil.sdc.modular import cluster_protection, is_hierarchical, subtables
from craftveil.sdc.secondary import choose_method, prune_derivable

from .helpers import memtable, reference

STATES = {f"S{i}": f"R{i // 3}" for i in range(6)}  # 6 states in 2 regions
TYPES = {f"T{i}": f"C{i // 2}" for i in range(4)}  # 4 product types in 2 categories


def _sales(seed: int = 11, vendors: int = 40, rows: int = 600) -> pd.DataFrame:
    """Vendors in one state each, selling 1–2 product types, skewed sizes (some cells unsafe)."""
    rng = np.random.default_rng(seed)
    state = rng.choice(sorted(STATES), vendors)
    kinds = rng.choice(sorted(TYPES), (vendors, 2))
    scale = rng.lognormal(0.0, 1.5, vendors)
    who = rng.choice(vendors, rows, p=scale / scale.sum())
    slot = rng.integers(0, 2, rows)
    return pd.DataFrame(
        {
            "vendor": [f"V{v}" for v in who],
            "state": state[who],
            "ptype": kinds[who, slot],
            "amount": np.round(rng.lognormal(3.0, 0.7, rows) * (1 + scale[who]), 2),
        }
    )


def _policy(tables: list[dict[str, Any]] | None = None) -> AggregatesPolicy:
    return AggregatesPolicy.model_validate(
        {
            "dimensions": {
                "location": {
                    "column": "state",
                    "hierarchy": {
                        "levels": ["region"],
                        "mapping": {s: [r] for s, r in STATES.items()},
                    },
                },
                "product": {
                    "column": "ptype",
                    "hierarchy": {
                        "levels": ["category"],
                        "mapping": {t: [c] for t, c in TYPES.items()},
                    },
                },
            },
            "rules": {"min_vendors": 3, "p_percent": 15},
            "tables": tables
            or [{"name": "t", "dimensions": ["location", "product"], "measure_column": "amount"}],
        }
    )


def _system(policy: AggregatesPolicy | None = None, seed: int = 11) -> CellSystem:
    policy = policy or _policy()
    system = build_tables(memtable(_sales(seed)), policy, "vendor")
    primary_suppression(system, policy.rules)
    return system


def test_decomposition_is_one_non_hierarchical_subtable_per_parent_combination() -> None:
    system = _system()
    assert is_hierarchical(system)
    subs = subtables(system)
    # parent nodes: Total + 2 regions, Total + 2 categories
    assert len(subs) == 3 * 3
    assert [s.depth for s in subs] == sorted(s.depth for s in subs)
    assert subs[0].depth == 0
    assert {dict(subs[0].key[1])["location"][0], dict(subs[0].key[1])["product"][0]} == {2}
    frame = system.tables["t"].frame.set_index("cell_id")
    covered: set[tuple[int, ...]] = set()
    for sub in subs:
        cells = set(sub.cells.tolist())
        nodes = dict(sub.key[1])
        for rel in sub.relations:
            assert set(rel.tolist()) <= cells
            covered.add(tuple(rel.tolist()))
        # a non-hierarchical table: per dimension, the node and codes one level below it
        for cell in cells:
            row = frame.loc[cell]
            for dim, (level, code) in nodes.items():
                names = system.tables["t"].dimensions
                levels = next(d.levels for d in names if d.name == dim)
                cell_level = levels.index(row[f"{dim}__level"])
                assert cell_level in (level, level - 1)
                if cell_level == level:
                    assert row[dim] == code
    assert covered == {tuple(r.tolist()) for r in system.relations}


def test_modular_pattern_passes_the_audit_on_the_whole_linked_system() -> None:
    system = _system()
    primaries = int((system.cells.status == "primary").sum())
    assert primaries > 0
    _, report = secondary_suppression(system, method="modular")
    assert report.method == "modular"
    assert report.subtables > 0
    result = audit(system)
    assert result.passed
    # every primary is audited on the whole system and reaches both protection levels
    assert len(result.intervals) == primaries
    iv = result.intervals
    assert (iv.x_max >= iv.value + iv.upper_protection - 1e-6 * iv.value.clip(lower=1)).all()
    assert (iv.x_min <= iv.value - iv.lower_protection + 1e-6 * iv.value.clip(lower=1)).all()


def _record_solves(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Problem, Solution]]:
    calls: list[tuple[Problem, Solution]] = []
    real_solve = secondary_module.solve

    def recording(problem: Problem, **kwargs: Any) -> Solution:
        solution = real_solve(problem, **kwargs)
        calls.append((problem, solution))
        return solution

    monkeypatch.setattr(secondary_module, "solve", recording)
    return calls


@pytest.mark.parametrize("fraction", [0.0, 1.0])
def test_shared_cells_are_carried_top_down(
    monkeypatch: pytest.MonkeyPatch, fraction: float
) -> None:
    """Cells suppressed by an earlier subtable are fixed and protected in every later one."""
    system = _system()
    primary = (system.cells.status == "primary").to_numpy()
    value = system.cells.value.to_numpy(dtype=float)
    monkeypatch.setattr(secondary_module, "CARRY_FRACTION", fraction)
    calls = _record_solves(monkeypatch)
    secondary_suppression(system, method="modular")
    sub_calls = [(p, s) for p, s in calls if p.ids is not None]
    assert len(sub_calls) >= 2
    assert calls[-1][0].ids is None  # the last call repairs the whole linked system
    suppressed = primary.copy()
    carried = 0
    for problem, solution in sub_calls:
        ids = problem.ids
        assert ids is not None
        # every cell suppressed so far is fixed and must be protected here
        assert (problem.fixed == suppressed[ids]).all()
        assert (problem.protected == suppressed[ids]).all()
        secondary_here = suppressed[ids] & ~primary[ids]
        carried += int(secondary_here.sum())
        levels = problem.upper_protection[secondary_here]
        assert (levels <= fraction * value[ids][secondary_here] + 1e-9).all()
        if fraction > 0:
            assert (levels > 0).all()
            assert (problem.lower_protection[secondary_here] > 0).all()
        else:
            assert (levels == 0).all()
        suppressed[ids] |= solution.suppressed
    assert carried > 0
    # the repair starts from the modular pattern: it can only add cells
    assert (calls[-1][0].fixed >= suppressed).all()
    assert audit(system).passed


def test_exact_is_a_lower_bound_and_both_pass() -> None:
    """The exact MILP (run to optimality) suppresses no more than modular; both are safe."""
    exact = _system()
    secondary_suppression(exact, method="exact", exact_rounds=10_000)
    modular = _system()
    secondary_suppression(modular, method="modular")
    assert audit(exact).passed
    assert audit(modular).passed
    n_exact = int((exact.cells.status == "secondary").sum())
    n_modular = int((modular.cells.status == "secondary").sum())
    assert 0 < n_exact <= n_modular
    # cell ids follow the engine's group-by order, so compare the cells by their keys
    primary_keys = [set(s.cells.key[s.cells.status == "primary"]) for s in (exact, modular)]
    assert primary_keys[0] == primary_keys[1]


def test_linked_hierarchical_tables_are_one_system() -> None:
    """location × product and location alone share the location margins: one status each."""
    policy = _policy(
        [
            {"name": "t", "dimensions": ["location", "product"], "measure_column": "amount"},
            {"name": "l", "dimensions": ["location"], "measure_column": "amount"},
        ]
    )
    system = _system(policy)
    shared = system.tables["l"].frame.cell_id
    assert set(shared[shared >= 0]) <= set(system.tables["t"].frame.cell_id)
    _, report = secondary_suppression(system, method="modular")
    assert report.method == "modular"
    assert audit(system).passed


def test_auto_picks_exact_for_flat_or_small_and_modular_for_large_hierarchies(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = reference(shared_data, "microdata1").assign(vendor=lambda f: f.index.astype(str))
    flat_policy = AggregatesPolicy.model_validate(
        {
            "dimensions": {"region": {"column": "region"}, "gender": {"column": "gender"}},
            "rules": {"min_vendors": 3},
            "tables": [{"name": "t", "dimensions": ["region", "gender"], "measure_column": "val"}],
        }
    )
    flat = build_tables(memtable(frame), flat_policy, "vendor")
    hier = _system()
    assert not is_hierarchical(flat)
    assert choose_method(flat) == "exact"
    assert choose_method(hier) == "exact"  # hierarchical but small
    monkeypatch.setattr(secondary_module, "MODULAR_MIN_CELLS", 10)
    assert choose_method(hier) == "modular"
    assert choose_method(flat) == "exact"
    assert choose_method(hier, "exact") == "exact"
    _, report = secondary_suppression(hier)
    assert report.method == "modular"


def test_microdata2_three_dimensions_modular_passes(shared_data: Path) -> None:
    """Real reference data: region > country × gender × economy > section, modular + audit."""
    frame = reference(shared_data, "microdata2")
    frame["vendor"] = [f"u{i}" for i in range(len(frame))]
    policy = AggregatesPolicy.model_validate(
        {
            "dimensions": {
                "region": {
                    "column": "region",
                    "hierarchy": {
                        "levels": ["country"],
                        "mapping": {r: ["N"] for r in frame.region.unique()},
                    },
                },
                "gender": {"column": "gender"},
                "economy": {
                    "column": "ecoOld",
                    "hierarchy": {"levels": ["section"], "prefix_lengths": [1]},
                },
            },
            "rules": {"min_vendors": 3, "p_percent": 30},
            "tables": [
                {
                    "name": "t",
                    "dimensions": ["region", "gender", "economy"],
                    "measure_column": "numVal",
                }
            ],
        }
    )
    system = build_tables(memtable(frame), policy, "vendor")
    primary_suppression(system, policy.rules)
    assert (system.cells.status == "primary").any()
    _, report = secondary_suppression(system, method="modular")
    assert report.method == "modular"
    assert audit(system).passed


def test_cluster_protection_is_the_largest_level_of_the_connected_suppressions() -> None:
    # two relations 0 = 1 + 2 and 3 = 4 + 5; a third 6 = 2 + 7 links cell 2 to 6 and 7
    relations = [np.array([0, 1, 2]), np.array([3, 4, 5]), np.array([6, 2, 7])]
    suppressed = np.array([False, True, True, False, True, True, True, True])
    protected = np.array([False, True, False, False, False, True, False, False])
    protection = np.array([0, 5.0, 0, 0, 0, 9.0, 0, 0])
    cells = np.arange(8)
    level = cluster_protection(relations, suppressed, protected, protection, cells)
    # cluster {1, 2, 6, 7} holds cell 1 (5); cluster {4, 5} holds cell 5 (9)
    assert level.tolist() == [0, 5, 5, 0, 9, 9, 5, 5]


def test_pruning_publishes_only_exactly_derivable_secondaries() -> None:
    """A secondary alone in a relation is known exactly: publishing it changes no interval."""
    system = _system()
    secondary_suppression(system, method="exact")
    primary = (system.cells.status == "primary").to_numpy()
    pattern = system.cells.status.isin(["primary", "secondary"]).to_numpy()
    before = audit(system, pattern).intervals
    # add, for some published cell, a useless suppression: alone in one of its relations
    candidates = [
        int(c)
        for rel in system.relations
        if not pattern[rel].any()
        for c in rel[:1]
        if all(pattern[r].sum() == 0 for r in system.relations if c in r)
    ]
    assert candidates
    padded = pattern.copy()
    padded[candidates[0]] = True
    pruned = prune_derivable(system, padded, primary)
    assert pruned == 1  # secondary_suppression already published every derivable cell
    assert (padded == pattern).all()
    after = audit(system, padded).intervals
    pd.testing.assert_frame_equal(
        before[["x_min", "x_max"]], after[["x_min", "x_max"]], check_exact=False, rtol=1e-6
    )


def _all_subtable_cells(system: CellSystem) -> set[int]:
    return set(itertools.chain.from_iterable(s.cells.tolist() for s in subtables(system)))


def test_every_cell_lies_in_some_subtable() -> None:
    system = _system()
    assert _all_subtable_cells(system) == set(system.cells.index.tolist())


@pytest.mark.parametrize("method", ["modular", "exact"])
def test_pattern_does_not_depend_on_row_order(method: secondary_module.Method) -> None:
    """Re-running a release must publish the same cells: two different patterns of one table
    could be combined by an attacker. Cell ids follow the cells' keys (not the engine's group-by
    order) and the MILP rounds stop at node limits (not wall-clock limits)."""
    policy = _policy()
    patterns = []
    for order_seed in (None, 1, 2):
        frame = _sales()
        if order_seed is not None:
            frame = frame.sample(frac=1.0, random_state=order_seed).reset_index(drop=True)
        system = build_tables(memtable(frame), policy, "vendor")
        primary_suppression(system, policy.rules)
        _, report = secondary_suppression(system, method=method)
        assert report.timed_out_rounds == 0
        cells = system.cells
        assert list(cells.index) == list(range(len(cells)))
        patterns.append(dict(zip(cells["key"], cells["status"], strict=True)))
    assert "secondary" in patterns[0].values()
    assert patterns[0] == patterns[1] == patterns[2]
    ids = build_tables(memtable(_sales()), policy, "vendor").cells["key"].tolist()
    assert (
        ids
        == build_tables(memtable(_sales().iloc[::-1].reset_index(drop=True)), policy, "vendor")
        .cells["key"]
        .tolist()
    )


def test_waves_hold_cell_disjoint_subtables_after_their_dependencies() -> None:
    system = _system()
    subs = subtables(system)
    waves = secondary_module._waves(subs, system.size)
    assert sorted(i for w in waves for i in w) == list(range(len(subs)))
    assert any(len(w) > 1 for w in waves)  # something to run at once
    wave_of = {i: k for k, w in enumerate(waves) for i in w}
    for i, j in itertools.combinations(range(len(subs)), 2):  # i before j in top-down order
        if np.intersect1d(subs[i].cells, subs[j].cells).size:
            assert wave_of[i] < wave_of[j]


def test_pattern_does_not_depend_on_the_number_of_threads() -> None:
    one, two = _system(), _system()
    secondary_suppression(one, method="modular", threads=1)
    secondary_suppression(two, method="modular", threads=2)
    assert (one.cells.status == "secondary").sum() > 0
    pd.testing.assert_series_equal(one.cells.status, two.cells.status)


def test_a_dimension_column_not_in_the_source_names_only_source_columns() -> None:
    raw = _policy().model_dump()
    raw["dimensions"]["product"]["column"] = "ptyp"
    with pytest.raises(PolicyError) as info:
        build_tables(memtable(_sales()), AggregatesPolicy.model_validate(raw), "vendor")
    (problem,) = info.value.problems
    assert problem.location == "aggregates.dimensions.product.column"
    assert "'ptyp' is not in the source" in str(problem)
    # the columns the earlier dimension added are internal: not offered as a fix
    assert "ptype" in problem.fix
    assert "__" not in problem.fix
