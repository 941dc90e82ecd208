"""Every examples/sdc_reference policy section validates, runs the whole chain and passes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from craftveil.pipeline import release
from craftveil.policy import load_policy

EXAMPLES = sorted(
    (Path(__file__).resolve().parents[3] / "examples" / "sdc_reference").glob("*.yaml")
)


def test_there_is_one_example_per_rule_and_dataset() -> None:
    names = {p.stem for p in EXAMPLES}
    assert {
        "microdata1_frequency",
        "microdata1_dominance",
        "microdata1_p_percent",
        "microdata1_pq",
        "magnitude1_holdings",
        "microdata2_three_dimensions",
    } <= names


def _column_facets(node: object) -> list[dict[str, dict[str, list[dict[str, str]]]]]:
    """Every OpenLineage columnLineage facet's `fields` in a lineage document."""
    found = []
    if isinstance(node, dict):
        if "columnLineage" in node:
            found.append(node["columnLineage"]["fields"])
        for value in node.values():
            found += _column_facets(value)
    elif isinstance(node, list):
        for value in node:
            found += _column_facets(value)
    return found


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_releases_and_passes_the_audit(
    path: Path, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each example is a whole policy: `craftveil release` writes its tables and audit claims."""
    monkeypatch.setenv("CRAFTVEIL_KEY", "k" * 40)
    policy = load_policy(path)
    assert policy.aggregates is not None
    result = release(path, tmp_path / "release")
    for table in policy.aggregates.tables:
        claim = result.manifest["guarantees"][table.name]["aggregates"]
        assert claim["audit"]["passed"] is True
        assert claim["audit"]["primary_cells"] > 0
        assert claim["cells_by_status"]["primary"] == claim["audit"]["primary_cells"]
        out = pd.read_parquet(result.directory / table.tier / f"{table.name}.parquet")
        hidden = out.status.isin(["primary", "secondary"])
        assert hidden.any()
        assert out.loc[hidden, "total"].isna().all()
        assert out.loc[~hidden & (out.status == "published"), "total"].notna().all()
        # lineage: every column of the aggregate table traces back to its source column
        lineage = json.loads((result.directory / "lineage.json").read_text())
        facets = _column_facets(lineage)
        fields = next(f for f in facets if set(out.columns) <= set(f))
        for dim in table.dimensions:
            source = policy.aggregates.dimensions[dim].column
            assert fields[dim]["inputFields"][0]["field"] == source
        assert fields["total"]["inputFields"][0]["field"] == table.measure_column
        public = json.dumps(result.manifest["guarantees"][table.name])
        for rule_word in ("p_percent", "dominance", "upl", "protection_level"):
            assert rule_word not in public.lower()  # rule parameters stay confidential
