"""Shared builders for the sdc tests: the reference data as Ibis tables and small policies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import pandas as pd

from craftveil.policy.aggregates import AggregatesPolicy


def reference(shared_data: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(shared_data / "sdc_reference" / f"{name}.csv")


def microdata1(shared_data: Path) -> pd.DataFrame:
    """sdcTable's microdata1: one row per contributing unit, so each row is its own vendor."""
    frame = reference(shared_data, "microdata1")
    frame["vendor"] = [f"u{i}" for i in range(len(frame))]
    return frame


def two_way_policy(rules: dict[str, Any], **table: Any) -> AggregatesPolicy:
    return AggregatesPolicy.model_validate(
        {
            "dimensions": {"region": {"column": "region"}, "gender": {"column": "gender"}},
            "rules": rules,
            "tables": [
                {"name": "t", "dimensions": ["region", "gender"], "measure_column": "val", **table}
            ],
        }
    )


def memtable(frame: pd.DataFrame) -> ibis.Table:
    return ibis.memtable(frame)


def cell_frame(system: Any, table: str = "t") -> pd.DataFrame:
    """The table's cells with their statistics (one row per non-empty cell)."""
    layout = system.tables[table].frame
    layout = layout[layout.cell_id >= 0]
    return layout.merge(system.cells, left_on="cell_id", right_index=True)
