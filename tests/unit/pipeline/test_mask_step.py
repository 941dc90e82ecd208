"""The mask step: exact masking statistics; the row-aligned wide table computed only on demand."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import yaml

from craftveil.pipeline import release
from craftveil.pipeline.context import RunContext
from craftveil.pipeline.mask_step import OUT
from craftveil.pipeline.run import STEPS


def _operators_only(project: Path) -> Path:
    """The demo policy without its risk, aggregate, DP and utility sections."""
    policy = yaml.safe_load((project / "policy.yaml").read_text())
    for key in ("utility", "dp", "aggregates"):
        policy.pop(key, None)
    for table in policy["tables"].values():
        table.pop("risk", None)
    path = project / "operators.yaml"
    path.write_text(yaml.safe_dump(policy, sort_keys=False))
    return path


def test_masking_statistics_match_a_recount_from_the_files(project: Path) -> None:
    result = release(_operators_only(project), project / "release")
    raw = pacsv.read_csv(
        project / "data" / "sales.csv",
        convert_options=pacsv.ConvertOptions(column_types={"vendor_id": "string"}),
    ).to_pydict()
    out = pq.read_table(result.directory / "public" / "sales.parquet").to_pydict()
    columns = json.loads((result.directory / "masking.json").read_text())["tables"]["sales"]
    columns = columns["columns"]

    def distinct(values: list[object]) -> int:
        return len({v for v in values if v is not None})

    wholesale_prices = sum(
        c == "wholesale" and p is not None
        for c, p in zip(raw["channel"], raw["unit_price"], strict=True)
    )
    for name, changed, nulled in (
        ("vendor_id", sum(v is not None for v in raw["vendor_id"]), 0),  # each becomes a token
        ("sold_at", sum(v is not None for v in raw["sold_at"]), 0),  # a month label each
        ("channel", 0, 0),  # kept
        ("unit_price", wholesale_prices, wholesale_prices),  # suppressed when wholesale
    ):
        assert columns[name]["distinct_before"] == distinct(raw[name]), name
        assert columns[name]["distinct_after"] == distinct(out[name]), name
        assert (columns[name]["changed"], columns[name]["nulled"]) == (changed, nulled), name
    assert "distinct_before" not in columns["sale_id"]  # dropped: no effect to measure


def test_wide_table_is_row_aligned_and_computed_once_on_first_use(project: Path) -> None:
    seen: dict[str, object] = {}

    def inspect(ctx: RunContext) -> None:
        state = ctx.tables["sales"]
        seen["before"] = state._wide
        wide = state.wide
        assert wide is not None
        assert state.wide is wide  # computed once, then reused
        pairs = wide.select(raw=wide.channel, rel=wide[OUT + "channel"]).to_pyarrow().to_pylist()
        seen["aligned"] = all(p["raw"] == p["rel"] for p in pairs)  # `keep`: row by row equal
        seen["rows"] = len(pairs)

    steps = [s for s in STEPS if s[0] in {"governance", "load", "mask"}]
    release(_operators_only(project), project / "release", steps=(*steps, ("inspect", inspect)))
    assert seen == {"before": None, "aligned": True, "rows": 3_000}


def test_a_masking_only_release_imports_no_analysis_library(project: Path) -> None:
    """OpenDP, scipy, statsmodels, Altair and the analysis steps load only when the policy needs
    them (pandas is not checked: DuckDB's Python bridge imports it to scan any Python object)."""
    policy = _operators_only(project)
    code = (
        "import sys; from craftveil.pipeline import release; "
        f"release({str(policy)!r}, {str(project / 'release')!r}); "
        "print(sorted(m for m in ('opendp', 'scipy', 'statsmodels', 'altair', 'craftveil.dp', "
        "'craftveil.risk', 'craftveil.utility', 'craftveil.sdc') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
