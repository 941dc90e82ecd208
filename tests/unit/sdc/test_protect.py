"""The whole chain: output frames, fail-closed behaviour, audit summaries, intervals."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from craftveil.errors import PrivacyRequirementError
from craftveil.journal import Journal
from craftveil.sdc import protect

from .helpers import memtable, microdata1, two_way_policy


def test_frames_have_status_and_blank_suppressed_values(shared_data: Path) -> None:
    policy = two_way_policy({"dominance": [2, 75]}, measures=["vendors", "sales", "total", "share"])
    journal = Journal()
    result = protect(memtable(microdata1(shared_data)), policy, "vendor", journal=journal)
    frame = result.tables["t"]
    assert set(frame.status) == {"published", "primary", "secondary"}
    assert len(frame) == 15
    hidden = frame.status.isin(["primary", "secondary"])
    assert frame.loc[hidden, ["vendors", "sales", "total", "share"]].isna().all().all()
    grand = frame[(frame.region == "Total") & (frame.gender == "Total")].iloc[0]
    assert (grand.total, grand.vendors, grand.sales) == (1284, 100, 100)
    assert journal.by_step("aggregates")[0].details["passed"] is True


def test_public_summary_hides_rule_parameters(shared_data: Path) -> None:
    policy = two_way_policy({"p_percent": 70})
    result = protect(memtable(microdata1(shared_data)), policy, "vendor")
    public = result.audit_public
    assert set(public) == {
        "cells",
        "primary_cells",
        "secondary_cells",
        "audited_cells",
        "passed",
        "method",
    }
    assert "70" not in str(public)
    full = result.audit_full
    assert {row["upper_protection"] for row in full["intervals"]} >= {121.0}
    assert full["unsafe_by"] == {"p_percent": 2}


def test_fails_closed_when_the_audit_fails(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the suppression step ever returned an unsafe pattern, nothing may be released."""
    module = importlib.import_module("craftveil.sdc.protect")  # the module, not the function

    def no_secondaries(system, **_: object):  # type: ignore[no-untyped-def]
        return system, None

    monkeypatch.setattr(module, "secondary_suppression", no_secondaries)
    policy = two_way_policy({"dominance": [2, 75]})
    with pytest.raises(PrivacyRequirementError, match="fails the attacker-interval audit"):
        module.protect(memtable(microdata1(shared_data)), policy, "vendor")


def test_analytic_interval_of_a_total() -> None:
    """Var(T) = n/(n−1)·Σ(y − ȳ)² over all n vendors (0 outside the cell), normal 95 %."""
    frame = pd.DataFrame(
        {
            "region": ["A", "A", "A", "B", "B", "B"],
            "gender": "m",
            "val": [10.0, 20.0, 30.0, 5.0, 6.0, 7.0],
            "vendor": ["a", "b", "c", "d", "e", "f"],
        }
    )
    policy = two_way_policy({"min_vendors": 1}, measures=["total"]).model_copy(
        update={"confidence": None}
    )
    from craftveil.policy.aggregates import AggregatesPolicy

    policy = AggregatesPolicy.model_validate(
        {**policy.model_dump(), "confidence": {"method": "analytic", "level": 0.95}}
    )
    result = protect(memtable(frame), policy, "vendor")
    row = result.tables["t"].query("region == 'A' and gender == 'm'").iloc[0]
    y = np.array([10, 20, 30, 0, 0, 0], dtype=float)
    se = np.sqrt(6 / 5 * ((y - y.mean()) ** 2).sum())
    assert row.total_ci_low == pytest.approx(60 - 1.959964 * se, rel=1e-5)
    assert row.total_ci_high == pytest.approx(60 + 1.959964 * se, rel=1e-5)


def test_bootstrap_is_seeded_and_covers_the_estimate(shared_data: Path) -> None:
    from craftveil.policy.aggregates import AggregatesPolicy

    base = two_way_policy({"min_vendors": 3}, measures=["total", "share"])
    policy = AggregatesPolicy.model_validate(
        {
            **base.model_dump(),
            "confidence": {"method": "cluster_bootstrap", "replicates": 100, "seed": 11},
        }
    )
    data = memtable(microdata1(shared_data))
    first = protect(data, policy, "vendor").tables["t"]
    second = protect(data, policy, "vendor").tables["t"]
    pd.testing.assert_frame_equal(first, second)
    published = first[first.status == "published"]
    assert (published.total_ci_low <= published.total).all()
    assert (published.total_ci_high >= published.total).all()
    assert published.total_ci_high.gt(published.total_ci_low).all()


def test_mean_per_vendor_per_quarter_and_median_band() -> None:
    """X / (N vendors × distinct quarters): 60 / (3 × 2) = 10; median 20 → band [20, 30)."""
    from craftveil.policy.aggregates import AggregatesPolicy

    frame = pd.DataFrame(
        {
            "region": "A",
            "gender": "m",
            "val": [10.0, 20.0, 30.0],
            "vendor": ["a", "b", "c"],
            "sold_at": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-05-20"]),
        }
    )
    base = two_way_policy({"min_vendors": 1}).model_dump()
    base["tables"][0].update(
        measures=["total", "mean_per_vendor_per_quarter", "median_band"],
        quarter_column="sold_at",
        quantile_column="val",
        band_width=10,
        quantile_min_vendors=3,
    )
    result = protect(memtable(frame), AggregatesPolicy.model_validate(base), "vendor")
    row = result.tables["t"].query("region == 'A' and gender == 'm'").iloc[0]
    assert row.mean_per_vendor_per_quarter == pytest.approx(10.0)
    assert row.median_band == "[20, 30)"
