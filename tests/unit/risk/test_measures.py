"""Risk measures: ARX's Adult check values exactly, and the vendor twist on hand-made tables."""

from __future__ import annotations

import math

import ibis
import numpy as np
import pandas as pd
import pytest

from craftveil.hierarchies import Hierarchy
from craftveil.policy.risk import RiskPolicy
from craftveil.risk import FrequencySet, frequency_set, measure_risk
from craftveil.risk.population import population_uniqueness


def test_adult_check_values_are_reproduced_exactly(adult_fs: FrequencySet) -> None:
    # RISK_NOTES.md (ARX on Adult, 9 QIs, ungeneralised).
    report = measure_risk(adult_fs, RiskPolicy(k=5)).to_dict()
    assert report["classes"] == 19_502
    assert report["prosecutor"]["row_level"]["average"] == 0.6465751607983555
    assert report["prosecutor"]["vendor_level"]["average"] == 0.6465751607983555
    assert report["prosecutor"]["row_level"]["highest"] == 1.0
    assert report["sample_uniqueness"]["rows"] == 0.5142895033485844
    assert report["sample_uniqueness"]["vendors"] == 0.5142895033485844
    assert report["rows"] == 30_162


def test_frequency_set_is_small_and_additive(adult_fs: FrequencySet) -> None:
    assert len(adult_fs.combos) == 19_502
    assert adult_fs.n_rows == adult_fs.n_vendors == 30_162
    assert adult_fs.vendors_additive


def _table(rows: list[tuple[str, str, str]]) -> ibis.Table:
    frame = pd.DataFrame(rows, columns=["vendor", "region", "craft"])
    return ibis.memtable(frame)


def test_k_counts_distinct_vendors_not_rows() -> None:
    # vendor A has 40 rows alone in (north, pottery); B..F share (south, weaving), one row each.
    rows = [("A", "north", "pottery")] * 40 + [(v, "south", "weaving") for v in "BCDEF"]
    fs = frequency_set(_table(rows), ["region", "craft"], "vendor")
    report = measure_risk(fs, RiskPolicy(k=5, risk_threshold=0.5)).to_dict()
    assert report["k_vendors"] == 1  # class (north, pottery) has one vendor
    assert report["k_rows"] == 5  # ... though its 40 rows would pass a row-level k=5
    assert report["below_k"] == {"k": 5, "classes": 1, "vendors": 1, "rows": 40}
    inference = report["vendor_inference"]
    assert (inference["classes"], inference["vendors"], inference["rows"]) == (1, 1, 40)
    assert inference["examples"][0]["values"] == {"region": "north", "craft": "pottery"}
    vendor = report["prosecutor"]["vendor_level"]
    assert vendor["average"] == pytest.approx((1.0 + 5 * 0.2) / 6)
    assert vendor["vendors_at_risk"] == 1


def test_a_vendor_in_two_classes_takes_the_higher_risk() -> None:
    rows = [("A", "north", "pottery"), ("A", "south", "weaving")] + [
        (v, "south", "weaving") for v in "BC"
    ]
    fs = frequency_set(_table(rows), ["region", "craft"], "vendor")
    assert not fs.vendors_additive
    report = measure_risk(fs, RiskPolicy(k=2)).to_dict()
    # A: max(1/1, 1/3) = 1; B, C: 1/3 -> average (1 + 2/3) / 3
    assert report["prosecutor"]["vendor_level"]["average"] == pytest.approx((1 + 2 / 3) / 3)
    assert report["sample_uniqueness"]["vendors"] == pytest.approx(1 / 3)


def test_diversity_and_closeness_by_hand() -> None:
    frame = pd.DataFrame(
        {
            "vendor": list("ABCDEF"),
            "region": ["n", "n", "n", "s", "s", "s"],
            "material": ["clay", "clay", "wool", "wool", "wool", "wool"],
        }
    )
    fs = frequency_set(ibis.memtable(frame), ["region"], "vendor", ["material"])
    s = measure_risk(fs, RiskPolicy(k=2)).to_dict()["sensitive"]["material"]
    assert s["distinct_l"] == 1  # class s has only wool
    assert s["entropy_l"] == pytest.approx(1.0)  # 2 ** H(wool only) = 1
    # overall: clay 2/6, wool 4/6; class n: clay 2/3, wool 1/3 -> equal distance 0.5*(1/3+1/3)
    assert s["t_closeness"] == pytest.approx(1 / 3)


def test_entropy_l_of_a_mixed_class() -> None:
    frame = pd.DataFrame(
        {"vendor": list("ABC"), "region": ["n"] * 3, "material": ["clay", "clay", "wool"]}
    )
    fs = frequency_set(ibis.memtable(frame), ["region"], "vendor", ["material"])
    s = measure_risk(fs, RiskPolicy(k=1)).to_dict()["sensitive"]["material"]
    h = -(2 / 3) * math.log2(2 / 3) - (1 / 3) * math.log2(1 / 3)
    assert s["entropy_l"] == pytest.approx(2**h)


def test_zayatz_on_a_census_equals_sample_uniqueness(adult_fs: FrequencySet) -> None:
    # With N = n every sample unique is a population unique: Zayatz must give c1 / n.
    sizes = adult_fs.combo_vendors
    result = population_uniqueness(sizes, int(sizes.sum()))
    assert result["zayatz"] == pytest.approx(0.5142895033485844, rel=1e-12)


def test_dankar_uses_pitman_for_small_sampling_fractions(adult_fs: FrequencySet) -> None:
    result = population_uniqueness(adult_fs.combo_vendors, 1_000_000)
    assert result["dankar_model"] == "pitman"
    # population uniqueness lies below the sample's (0.514): classes fill up in a population
    assert 0 < result["pitman"] < 0.5142895033485844
    assert result["dankar"] == result["pitman"]


def test_combination_analysis_counts_unique_vendors(adult_fs: FrequencySet) -> None:
    report = measure_risk(adult_fs, RiskPolicy(k=5, max_combination_size=1)).to_dict()
    found = report["combinations"]["combinations"]
    combos = {tuple(c["attributes"]): c["unique_vendors"] for c in found}
    # sex alone never singles anyone out; age does for ages held by one person only.
    assert combos[("sex",)] == 0
    ages = pd.Series(np.repeat(adult_fs.values[1][adult_fs.combos[:, 1]], adult_fs.combo_rows))
    assert combos[("age",)] == int((ages.value_counts() == 1).sum())


def test_hierarchical_t_closeness_by_hand() -> None:
    # a, b under X; c under Y; height 2. Overall q = (1/2, 1/4, 1/4).
    # class n = {a, a}: move 1/4 a->b (cost 1/2) and 1/4 a->c (cost 1) = 0.375 (Li et al. 2007).
    frame = pd.DataFrame(
        {"vendor": list("ABCD"), "region": ["n", "n", "s", "s"], "material": list("aabc")}
    )
    fs = frequency_set(ibis.memtable(frame), ["region"], "vendor", ["material"])
    tree = Hierarchy("material", (("a", "X", "*"), ("b", "X", "*"), ("c", "Y", "*")))
    region = Hierarchy("region", (("n", "*"), ("s", "*")))
    report = measure_risk(fs, RiskPolicy(k=1), hierarchies={"material": tree, "region": region})
    s = report.to_dict()["sensitive"]["material"]
    assert s["t_closeness_distance"] == "hierarchical"
    assert s["t_closeness"] == pytest.approx(0.375)
    # without the hierarchy: equal distance 0.5 * (|1 - 1/2| + 1/4 + 1/4) = 0.5
    plain = measure_risk(fs, RiskPolicy(k=1)).to_dict()["sensitive"]["material"]
    assert plain["t_closeness_distance"] == "equal"
    assert plain["t_closeness"] == pytest.approx(0.5)


def test_ordered_t_closeness_for_numbers() -> None:
    # values 1, 2, 3; class x = {1, 1}, class y = {2, 3}; q = (1/2, 1/4, 1/4)
    # class x: p = (1, 0, 0): cumulative differences 1/2, 1/4, 0 -> (1/2 + 1/4) / 2 = 0.375
    frame = pd.DataFrame(
        {"vendor": list("ABCD"), "region": ["x", "x", "y", "y"], "price": ["1", "1", "2", "3"]}
    )
    fs = frequency_set(ibis.memtable(frame), ["region"], "vendor", ["price"])
    s = measure_risk(fs, RiskPolicy(k=1)).to_dict()["sensitive"]["price"]
    assert s["t_closeness_distance"] == "ordered"
    assert s["t_closeness"] == pytest.approx(0.375)
