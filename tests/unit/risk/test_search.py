"""The optimal search on Adult (checked against exhaustive evaluation) and fail-closed errors."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import ibis
import pandas as pd
import pytest

from craftveil.errors import DataError, PolicyError, PrivacyRequirementError
from craftveil.hierarchies import Hierarchy
from craftveil.policy.risk import RiskPolicy
from craftveil.risk import (
    FrequencySet,
    apply_generalisation,
    exhaustive_search,
    frequency_set,
    measure_risk,
    search,
)

from .adult import ADULT_QIS


def _entropy_from_definition(
    raw: pd.DataFrame, hierarchies: Mapping[str, Hierarchy], levels: Mapping[str, int]
) -> float:
    """RISK_NOTES.md: sum over records and QIs of -log2(cnt(original) / cnt(generalised))."""
    total = 0.0
    for q, level in levels.items():
        original = raw[q]
        generalised = original.map(hierarchies[q].mapping(level))
        a = original.map(original.value_counts())
        b = generalised.map(generalised.value_counts())
        total += float((-(a / b).map(math.log2)).sum())
    return total


@pytest.fixture(scope="module")
def adult_raw(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(shared_data / "adult" / "arx" / "adult.csv", sep=";", dtype=str)


@pytest.mark.parametrize("limit", [0.0, 0.04])
def test_search_is_admissible_and_objective_matches_definition(
    adult_fs: FrequencySet,
    adult_hierarchies: dict[str, Hierarchy],
    adult_raw: pd.DataFrame,
    limit: float,
) -> None:
    result = search(adult_fs, adult_hierarchies, RiskPolicy(k=5, suppression_limit=limit))
    assert result.optimal
    assert result.min_vendors_per_class >= 5
    assert result.suppressed_rows <= math.floor(limit * 30_162)
    assert result.nodes_evaluated < result.lattice_size == 12_960
    expected = _entropy_from_definition(adult_raw, adult_hierarchies, result.levels)
    assert result.objective_value == pytest.approx(expected, rel=1e-12)


def test_every_direct_predecessor_of_the_optimum_fails_or_costs_more(
    adult_fs: FrequencySet, adult_hierarchies: dict[str, Hierarchy]
) -> None:
    from craftveil.risk.criteria import check_node
    from craftveil.risk.lattice import encode

    policy = RiskPolicy(k=5, suppression_limit=0.04)
    result = search(adult_fs, adult_hierarchies, policy)
    enc = encode(adult_fs, adult_hierarchies)
    node = result.node
    for q in range(len(node)):
        if node[q] == 0:
            continue
        below = (*node[:q], node[q] - 1, *node[q + 1 :])
        assert not check_node(adult_fs, enc, below, policy).admissible


@pytest.mark.slow
@pytest.mark.parametrize("limit", [0.0, 0.04])
def test_pruned_search_finds_the_exhaustive_optimum(
    adult_fs: FrequencySet, adult_hierarchies: dict[str, Hierarchy], limit: float
) -> None:
    policy = RiskPolicy(k=5, suppression_limit=limit)
    pruned = search(adult_fs, adult_hierarchies, policy)
    every = exhaustive_search(adult_fs, adult_hierarchies, policy)
    assert every.nodes_evaluated == 12_960
    assert pruned.node == every.node
    assert pruned.objective_value == every.objective_value


@pytest.mark.slow
def test_entropy_l_diversity_search_matches_exhaustive(
    adult_fs_occupation: FrequencySet, adult_hierarchies: dict[str, Hierarchy]
) -> None:
    policy = RiskPolicy(
        k=5, l=5, l_variant="entropy", sensitive=["occupation"], suppression_limit=0.04
    )
    pruned = search(adult_fs_occupation, adult_hierarchies, policy)
    every = exhaustive_search(adult_fs_occupation, adult_hierarchies, policy)
    assert pruned.node == every.node
    assert pruned.objective_value == every.objective_value


def test_apply_generalisation_releases_what_the_search_promised(
    adult_table: ibis.Table, adult_hierarchies: dict[str, Hierarchy]
) -> None:
    fs = frequency_set(adult_table, ADULT_QIS, "vendor")
    policy = RiskPolicy(k=5, suppression_limit=0.04)
    result = search(fs, adult_hierarchies, policy)
    released = apply_generalisation(adult_table, adult_hierarchies, result)
    after = measure_risk(frequency_set(released, ADULT_QIS, "vendor"), policy).to_dict()
    assert after["suppressed_rows"] == result.suppressed_rows
    assert after["k_vendors"] >= 5
    assert after["classes"] == result.classes
    assert after["rows"] + after["suppressed_rows"] == 30_162


# --- bad input and fail-closed -------------------------------------------------------------


def _small() -> tuple[ibis.Table, dict[str, Hierarchy]]:
    frame = pd.DataFrame(
        {
            "vendor": list("ABCDEF"),
            "region": ["n", "n", "s", "s", "e", "w"],
            "craft": ["pot", "pot", "weave", "weave", "pot", "bake"],
        }
    )
    hierarchies = {
        "region": Hierarchy(
            "region", (("n", "NS"), ("s", "NS"), ("e", "EW"), ("w", "EW")), source="region.csv"
        ),
        "craft": Hierarchy("craft", (("pot", "*"), ("weave", "*"), ("bake", "*"))),
    }
    return ibis.memtable(frame), hierarchies


def test_k_larger_than_vendors_fails_closed() -> None:
    table, hierarchies = _small()
    fs = frequency_set(table, ["region", "craft"], "vendor")
    with pytest.raises(PrivacyRequirementError) as err:
        search(fs, hierarchies, RiskPolicy(k=7))
    assert "k=7 is larger than the number of vendors in the data (6)" in str(err.value)
    assert err.value.what_would_help[0] == "lower risk.k to at most 6"


def test_infeasible_policy_explains_and_computes_remedies() -> None:
    table, hierarchies = _small()
    fs = frequency_set(table, ["region", "craft"], "vendor")
    # region's hierarchy stops at two values (NS: 4 vendors, EW: 2) -> k=3 fails for 2 rows.
    with pytest.raises(PrivacyRequirementError) as err:
        search(fs, hierarchies, RiskPolicy(k=3))
    text = str(err.value)
    assert "would suppress 2 of 6 rows (33.33%) but the limit allows 0" in text
    assert "k fails for 2 rows" in text
    helps = err.value.what_would_help
    assert "raise risk.suppression_limit to at least 0.3334 (suppressing 2 rows)" in helps
    assert any(h.startswith("give 'region' a coarser hierarchy") for h in helps)
    assert "drop 'region' from the quasi-identifiers (then the policy is met)" in helps
    # and the computed remedy really works:
    ok = search(fs, hierarchies, RiskPolicy(k=3, suppression_limit=0.3334))
    assert ok.suppressed_rows == 2


def test_uncovered_value_names_value_and_file() -> None:
    table, hierarchies = _small()
    frame = table.to_pandas()
    frame.loc[0, "region"] = "x"
    fs = frequency_set(ibis.memtable(frame), ["region", "craft"], "vendor")
    with pytest.raises(DataError) as err:
        search(fs, hierarchies, RiskPolicy(k=2))
    assert str(err.value).startswith(
        "region.csv: hierarchy 'region' does not cover 1 value(s) in the data: 'x'"
    )


def test_qi_without_hierarchy_is_an_error() -> None:
    table, hierarchies = _small()
    fs = frequency_set(table, ["region", "craft"], "vendor")
    with pytest.raises(DataError, match="quasi-identifier 'craft' has no hierarchy"):
        search(fs, {"region": hierarchies["region"]}, RiskPolicy(k=2))


def test_local_recoding_refuses_l_diversity() -> None:
    table, hierarchies = _small()
    frame = table.to_pandas()
    frame["material"] = ["clay", "wool", "clay", "wool", "clay", "wool"]
    fs = frequency_set(ibis.memtable(frame), ["region", "craft"], "vendor", ["material"])
    policy = RiskPolicy(k=2, l=2, sensitive=["material"], local_recoding=True)
    with pytest.raises(PolicyError, match=r"risk\.local_recoding: local recoding supports k only"):
        search(fs, hierarchies, policy)


def test_local_recoding_on_adult_is_k_anonymous_and_marked(
    adult_table: ibis.Table, adult_hierarchies: dict[str, Hierarchy], adult_fs: FrequencySet
) -> None:
    result = search(adult_fs, adult_hierarchies, RiskPolicy(k=5, local_recoding=True))
    assert result.method.startswith("LOCAL RECODING")
    assert not result.optimal
    assert result.suppressed_rows == 0
    released = apply_generalisation(adult_table, adult_hierarchies, result).to_pandas()
    assert len(released) == 30_162
    # independent check: every released QI combination holds >= 5 distinct vendors
    assert released.groupby(ADULT_QIS)["vendor"].nunique().min() >= 5
    # every released value is on its hierarchy path (a generalisation of the original)
    original = adult_table.to_pandas().set_index("vendor").loc[released["vendor"]]
    for q in ADULT_QIS:
        h = adult_hierarchies[q]
        paths = {row[0]: set(row) for row in h.levels}
        assert all(v in paths[o] for o, v in zip(original[q], released[q], strict=True)), q
    # the point of local recoding: less information loss than the full-domain optimum (0 %)
    full = search(adult_fs, adult_hierarchies, RiskPolicy(k=5))
    assert result.objective_value < full.objective_value


def test_heuristic_reports_progress(
    adult_fs: FrequencySet, adult_hierarchies: dict[str, Hierarchy]
) -> None:
    policy = RiskPolicy(k=5, suppression_limit=0.04, search="heuristic", time_budget_seconds=0.3)
    result = search(adult_fs, adult_hierarchies, policy)
    assert result.heuristic is not None
    assert result.min_vendors_per_class >= 5
    assert ("finished" in result.progress) == result.optimal
    assert "of 12960 nodes resolved" in result.progress


def test_depth_first_heuristic_for_huge_lattices(
    adult_fs: FrequencySet,
    adult_hierarchies: dict[str, Hierarchy],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from craftveil.risk import heuristic

    monkeypatch.setattr(heuristic, "NODE_TABLE_LIMIT", 10)  # pretend the lattice is too large
    policy = RiskPolicy(k=5, suppression_limit=0.04, search="heuristic", time_budget_seconds=1.0)
    result = search(adult_fs, adult_hierarchies, policy)
    assert result.heuristic == "greedy top-down depth-first descent with cost bound"
    assert not result.optimal
    assert result.min_vendors_per_class >= 5
    assert result.suppressed_rows <= math.floor(0.04 * 30_162)
    assert "nodes evaluated" in result.progress


def test_journal_records_the_guarantee(
    adult_fs: FrequencySet, adult_hierarchies: dict[str, Hierarchy]
) -> None:
    import json

    from craftveil.journal import Journal
    from craftveil.risk import record_measures, record_search

    journal = Journal()
    policy = RiskPolicy(k=5, suppression_limit=0.04, max_combination_size=1)
    record_measures(journal, measure_risk(adult_fs, policy), stage="before", table="adult")
    result = search(adult_fs, adult_hierarchies, policy)
    entry = record_search(journal, result, table="adult")
    assert [e.step for e in journal.entries] == ["risk", "risk"]
    assert "at least 5 distinct vendors; 906 rows of 906 vendors were suppressed" in entry.sentence
    guarantee = entry.details["guarantee"]
    assert guarantee["transformation"] == result.levels
    assert guarantee["min_vendors_per_class"] >= 5
    json.dumps(journal.to_list())  # plain data all the way down
