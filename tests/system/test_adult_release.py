"""UCI Adult through the whole pipeline: RISK_NOTES check values, the search's optimum, pycanon.

The check values are the field's (RISK_NOTES.md, ARX's definitions). The optimum is the one the
risk library finds on the same frequency set — which tests/unit/risk checks against an
exhaustive evaluation of every transformation — so this test checks the pipeline's wiring
(hierarchy floors, one row per unit, suppression) end to end. pycanon, an independent tool,
verifies k and l on the released CSV file.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from tests.helpers import KEY_TEXT, pycanon_verify

from craftveil.engine import make_engine
from craftveil.hierarchies import load_arx_hierarchy
from craftveil.pipeline import release
from craftveil.policy import load_policy
from craftveil.risk import frequency_set, search

QIS9 = [
    "sex",
    "age",
    "race",
    "marital-status",
    "education",
    "native-country",
    "workclass",
    "occupation",
    "salary-class",
]


def _library_optimum(policy_path: Path) -> dict[str, int]:
    policy = load_policy(policy_path)
    table_spec = policy.tables["adult"]
    assert table_spec.risk is not None
    engine = make_engine()
    path = (policy_path.parent / table_spec.path).resolve()
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    frame["vendor"] = range(len(frame))
    table = engine.memtable({c: frame[c].tolist() for c in frame.columns}, "adult")
    qis = table_spec.quasi_identifiers
    hierarchies = {
        q: load_arx_hierarchy((policy_path.parent / policy.hierarchies[q].file).resolve(), q)  # type: ignore[union-attr]
        for q in qis
    }
    sensitive = table_spec.risk.sensitive
    result = search(frequency_set(table, qis, "vendor", sensitive), hierarchies, table_spec.risk)
    engine.close()
    return result.levels


@pytest.mark.parametrize("name", ["policy.yaml", "policy_k5_s0.yaml", "policy_l5_occupation.yaml"])
def test_adult_release(
    name: str, repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRAFTVEIL_KEY", KEY_TEXT)
    policy_path = repo_root / "examples" / "adult" / name
    result = release(policy_path, tmp_path / "release")
    journal = (result.directory / "journal.json").read_text()
    claim = result.manifest["guarantees"]["adult"]
    risk_policy = load_policy(policy_path).tables["adult"].risk
    assert risk_policy is not None

    # 1. The pipeline chose the library's (exhaustively verified) optimum.
    assert claim["generalisation"]["transformation"] == _library_optimum(policy_path)
    assert claim["generalisation"]["optimal"] is True
    suppressed = claim["generalisation"]["suppressed_rows"]
    assert suppressed <= risk_policy.suppression_limit * 30162

    # 2. pycanon confirms k (and l) on the released file.
    qis = claim["k_anonymity"]["quasi_identifiers"]
    sensitive = ["occupation"] if "l_diversity" in claim else []
    verified = pycanon_verify(repo_root, result.directory / "public" / "adult.csv", qis, sensitive)
    assert verified["k"] >= 5
    if suppressed == 0 or suppressed >= 5:  # suppressed rows form one all-'*' class
        assert verified["k"] == claim["k_anonymity"]["k"]
    if sensitive:
        assert verified["l"] >= 5
        released = pd.read_csv(result.directory / "public" / "adult.csv", dtype=str)
        entropies = released.groupby(qis)["occupation"].apply(
            lambda s: float(
                -(
                    s.value_counts(normalize=True) * s.value_counts(normalize=True).map(math.log)
                ).sum()
            )
        )
        assert entropies.min() >= math.log(5) - 1e-12

    # 3. Before masking, the field's check values (9 QIs, ungeneralised) are reproduced exactly.
    if name == "policy.yaml":
        import json

        entries = [e for e in json.loads(journal) if e["step"] == "risk"]
        assert entries[0]["details"]["k_before"] == 1
        from craftveil.pipeline.run import assess

        before = assess(policy_path)["adult"]["before"]
        assert before["quasi_identifiers"] == QIS9
        assert before["classes"] == 19502
        assert before["prosecutor"]["row_level"]["average"] == 0.6465751607983555
        assert before["sample_uniqueness"]["rows"] == 0.5142895033485844
        assert before["prosecutor"]["row_level"]["highest"] == 1.0
