"""Tabulation: all margins at every hierarchy level, additivity, per-vendor sums, bad input."""

from __future__ import annotations

from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest

from craftveil.errors import DataError
from craftveil.policy.aggregates import AggregatesPolicy
from craftveil.sdc import build_tables

from .helpers import memtable, reference


def _microdata2_policy() -> AggregatesPolicy:
    return AggregatesPolicy.model_validate(
        {
            "dimensions": {
                "region": {
                    "column": "region",
                    "hierarchy": {"levels": ["country"], "mapping": {"R1": ["N"], "R2": ["N"]}},
                },
                "gender": {"column": "gender"},
                "economy": {
                    "column": "ecoOld",
                    "hierarchy": {"levels": ["section"], "prefix_lengths": [1]},
                },
            },
            "rules": {"min_vendors": 3},
            "tables": [
                {
                    "name": "t",
                    "dimensions": ["region", "gender", "economy"],
                    "measure_column": "numVal",
                }
            ],
        }
    )


def test_microdata2_three_dimensions_with_hierarchies(shared_data: Path) -> None:
    frame = reference(shared_data, "microdata2")
    frame["vendor"] = [f"u{i}" for i in range(len(frame))]
    system = build_tables(memtable(frame), _microdata2_policy(), "vendor")
    layout = system.tables["t"].frame
    # levels: region (leaf, country, total) × gender (leaf, total) × economy (leaf, section, total)
    regions, genders, econ = frame.region.nunique(), frame.gender.nunique(), frame.ecoOld.nunique()
    sections = frame.ecoOld.str[0].nunique()
    assert len(layout) == (regions + 1 + 1) * (genders + 1) * (econ + sections + 1)
    # every cell equals the pandas sum over the rows it covers
    merged = layout[layout.cell_id >= 0].merge(system.cells, left_on="cell_id", right_index=True)
    for _, cell in merged.sample(25, random_state=1).iterrows():
        sub = frame
        if cell.region__level == "leaf":
            sub = sub[sub.region == cell.region]
        if cell.gender__level == "leaf":
            sub = sub[sub.gender == cell.gender]
        if cell.economy__level == "leaf":
            sub = sub[sub.ecoOld == cell.economy]
        elif cell.economy__level == "section":
            sub = sub[sub.ecoOld.str[0] == cell.economy]
        assert cell.value == pytest.approx(sub.numVal.sum())
        assert cell.vendors == sub.vendor.nunique()
    # the additivity relations hold on the data: M·x = 0
    matrix = system.relation_matrix()
    assert matrix.shape[0] > 0
    assert np.abs(matrix @ system.cells["value"].to_numpy(dtype=float)).max() < 1e-9


def test_contributions_are_per_vendor_not_per_row() -> None:
    frame = pd.DataFrame(
        {"region": "A", "gender": "m", "val": [5, 7, 3, 1], "vendor": ["v1", "v1", "v2", "v3"]}
    )
    policy = AggregatesPolicy.model_validate(
        {
            "dimensions": {"region": {"column": "region"}},
            "rules": {"p_percent": 10},
            "tables": [{"name": "t", "dimensions": ["region"], "measure_column": "val"}],
        }
    )
    system = build_tables(memtable(frame.sample(frac=1, random_state=3)), policy, "vendor")
    cell = system.cells.iloc[0]
    assert (cell.vendors, cell.rows, cell.top_1, cell.top_2) == (3, 4, 12.0, 3.0)


def test_value_missing_from_hierarchy_is_a_clear_error(shared_data: Path) -> None:
    frame = reference(shared_data, "microdata1").assign(vendor=lambda f: f.index.astype(str))
    policy = AggregatesPolicy.model_validate(
        {
            "dimensions": {
                "region": {
                    "column": "region",
                    "hierarchy": {
                        "levels": ["zone"],
                        "mapping": {"A": ["Z1"], "B": ["Z1"], "C": ["Z2"]},
                    },
                }
            },
            "rules": {"min_vendors": 3},
            "tables": [{"name": "t", "dimensions": ["region"], "measure_column": "val"}],
        }
    )
    with pytest.raises(
        DataError,
        match=r"1 code\(s\) of the data are missing from the "
        r"hierarchy: \['D'\]",
    ):
        build_tables(memtable(frame), policy, "vendor")


def test_table_with_no_cells_is_a_clear_error() -> None:
    empty = ibis.memtable(
        pd.DataFrame(
            {
                "region": pd.Series([], dtype=str),
                "val": pd.Series([], dtype=float),
                "vendor": pd.Series([], dtype=str),
            }
        )
    )
    policy = AggregatesPolicy.model_validate(
        {
            "dimensions": {"region": {"column": "region"}},
            "rules": {"min_vendors": 3},
            "tables": [{"name": "t", "dimensions": ["region"], "measure_column": "val"}],
        }
    )
    with pytest.raises(
        DataError, match="the source has no rows, so every table would have no cells"
    ):
        build_tables(empty, policy, "vendor")


def test_undeclared_dimension_is_a_policy_error() -> None:
    with pytest.raises(ValueError, match=r"tables\[0\].dimensions: 'quarter' is not declared"):
        AggregatesPolicy.model_validate(
            {
                "dimensions": {"region": {"column": "region"}},
                "rules": {"min_vendors": 3},
                "tables": [
                    {"name": "t", "dimensions": ["region", "quarter"], "measure_column": "v"}
                ],
            }
        )


def test_derived_quarter_and_scale_band() -> None:
    frame = pd.DataFrame(
        {
            "sold_at": pd.to_datetime(["2023-01-10", "2023-05-02", "2023-05-03", "2024-11-30"]),
            "qty": [10.0, 200.0, 5.0, 1.0],
            "vendor": ["a", "b", "a", "a"],
        }
    )
    policy = AggregatesPolicy.model_validate(
        {
            "dimensions": {
                "quarter": {"column": "sold_at", "derive": "quarter"},
                "scale": {
                    "column": "qty",
                    "derive": "vendor_scale_band",
                    "scale_bands": {
                        "volume_column": "qty",
                        "year_column": "sold_at",
                        "medium_from": 12,
                        "large_from": 100,
                    },
                },
            },
            "rules": {"min_vendors": 1},
            "tables": [{"name": "t", "dimensions": ["quarter", "scale"], "measure_column": "qty"}],
        }
    )
    system = build_tables(memtable(frame), policy, "vendor")
    layout = system.tables["t"].frame
    cells = layout[layout.cell_id >= 0].merge(system.cells, left_on="cell_id", right_index=True)
    by_key = {(q, s): v for q, s, v in zip(cells.quarter, cells.scale, cells.value, strict=True)}
    # vendor a sold 15 in 2023 (medium) and 1 in 2024 (small); b sold 200 in 2023 (large)
    assert by_key[("2023-Q1", "medium")] == 10.0
    assert by_key[("2023-Q2", "large")] == 200.0
    assert by_key[("2023-Q2", "medium")] == 5.0
    assert by_key[("2024-Q4", "small")] == 1.0
    assert by_key[("2023", "Total")] == 215.0
    assert by_key[("Total", "Total")] == 216.0


def test_arx_style_csv_hierarchy(shared_data: Path, tmp_path: Path) -> None:
    """leaf;zone rows, read relative to the policy directory (base_dir)."""
    (tmp_path / "regions.csv").write_text("A;north\nB;north\nC;south\nD;south\n", encoding="utf-8")
    frame = reference(shared_data, "microdata1").assign(vendor=lambda f: f.index.astype(str))
    policy = AggregatesPolicy.model_validate(
        {
            "dimensions": {
                "region": {
                    "column": "region",
                    "hierarchy": {"levels": ["zone"], "csv": "regions.csv"},
                }
            },
            "rules": {"min_vendors": 3},
            "tables": [{"name": "t", "dimensions": ["region"], "measure_column": "val"}],
        }
    )
    system = build_tables(memtable(frame), policy, "vendor", base_dir=tmp_path)
    layout = system.tables["t"].frame
    cells = layout.merge(system.cells, left_on="cell_id", right_index=True)
    north = cells[(cells.region == "north") & (cells.region__level == "zone")].iloc[0]
    assert north.value == frame[frame.region.isin(["A", "B"])].val.sum()
    assert len(layout) == 4 + 2 + 1
