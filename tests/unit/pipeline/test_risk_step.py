"""The risk step: k counted in distinct vendors, checked on the released files; fail closed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from tests.helpers import edit_policy

from craftveil.errors import PrivacyRequirementError
from craftveil.hierarchies import SUPPRESSED
from craftveil.pipeline import release
from craftveil.pipeline.risk_hierarchies import search_hierarchy
from craftveil.policy.columns import Generalize, Keep


def _min_vendors_per_class(frame: pd.DataFrame, qis: list[str], vendor: str) -> int:
    """Independent check: distinct vendors per combination of released QIs, suppressed excluded."""
    kept = frame[~(frame[qis].astype(str) == SUPPRESSED).all(axis=1)]
    return int(kept.groupby(qis, dropna=False)[vendor].nunique().min())


def test_vendor_table_meets_k_and_the_claim_checks_out(project: Path) -> None:
    result = release(project / "policy.yaml", project / "release")
    claim = result.manifest["guarantees"]["vendors"]
    k = claim["k_anonymity"]["k"]
    assert k >= 5
    qis = claim["k_anonymity"]["quasi_identifiers"]
    released = pd.read_parquet(result.directory / "public" / "vendors.parquet")
    assert _min_vendors_per_class(released, qis, "vendor_id") == k
    suppressed = (released[qis].astype(str) == SUPPRESSED).all(axis=1).sum()
    assert suppressed == claim["generalisation"]["suppressed_rows"]
    assert suppressed <= 0.05 * len(released)
    masking = (result.directory / "masking.json").read_text()
    assert '"rows_in": 60' in masking


def test_k_in_a_table_with_many_rows_per_vendor_counts_vendors(project: Path) -> None:
    text = (project / "policy.yaml").read_text()
    text = text.replace(
        "  sales:\n    path: data/sales.csv\n    vendor_column: vendor_id\n",
        "  sales:\n    path: data/sales.csv\n    vendor_column: vendor_id\n"
        "    risk: {k: 4, suppression_limit: 0.2}\n",
    )
    (project / "policy.yaml").write_text(text)
    result = release(project / "policy.yaml", project / "release")
    claim = result.manifest["guarantees"]["sales"]["k_anonymity"]
    released = pd.read_parquet(result.directory / "public" / "sales.parquet")
    vendors_per_class = _min_vendors_per_class(released, ["sold_at", "channel"], "vendor_id")
    assert vendors_per_class == claim["k"] >= 4
    assert claim["k_rows"] > claim["k"]  # rows per class exceed vendors per class


def test_unreachable_k_fails_closed_with_what_would_help(project: Path) -> None:
    edit_policy(project, "      k: 5 ", "      k: 500 ")
    with pytest.raises(PrivacyRequirementError) as info:
        release(project / "policy.yaml", project / "release")
    text = str(info.value)
    assert "What would make it possible" in text
    assert sorted(p.name for p in project.iterdir()) == ["data", "policy.yaml", "secret.key"]


def _gen(**kw: object) -> Generalize:
    return Generalize.model_validate(
        {"role": "quasi_identifier", "action": "generalize", "why": "x", **kw}
    )


def test_search_hierarchy_for_month_windows() -> None:
    h = search_hierarchy(
        "t", _gen(window="month"), ["2024-03", "2024-11"], declared={}, prefixes={}
    )
    assert h.mapping(1)["2024-03"] == "2024-Q1"
    assert h.mapping(2)["2024-11"] == "2024"
    assert h.mapping(h.height - 1)["2024-11"] == SUPPRESSED


def test_search_hierarchy_continues_a_prefix_hierarchy_from_the_declared_level() -> None:
    spec = _gen(hierarchy={"name": "zip", "level": 1})
    h = search_hierarchy(
        "zip", spec, ["044**", "902**"], declared={}, prefixes={"zip": ((3, 1, 0), 5)}
    )
    assert [h.mapping(i)["044**"] for i in range(h.height)] == ["044**", "0****", "*"]


def test_search_hierarchy_for_kept_values_is_value_then_star() -> None:
    spec = Keep.model_validate({"role": "quasi_identifier", "action": "keep", "why": "x"})
    h = search_hierarchy("craft", spec, ["pottery", "glass"], declared={}, prefixes={})
    assert h.height == 2
    assert h.mapping(1) == {"glass": "*", "pottery": "*", h.levels[-1][0]: "*"}
