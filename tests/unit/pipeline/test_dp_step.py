"""The DP step inside a release: ledger-guarded, stored values on re-run, fail closed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from tests.helpers import edit_policy

from craftveil.dp import Ledger
from craftveil.errors import BudgetError
from craftveil.pipeline import release
from craftveil.pipeline.run import assess

DATASET, UNIT = "craftveil-demo-artisans", "vendor"


def _period() -> str:
    return str(dt.datetime.now(dt.UTC).year)


def test_dp_tables_and_claims_are_released(project: Path) -> None:
    result = release(project / "policy.yaml", project / "release")
    claim = result.manifest["guarantees"]["dp_units_by_channel"]["differential_privacy"]
    assert claim["epsilon"] == 0.4
    assert claim["kind"] == "sum"
    assert claim["bounds"]["upper"] == 400
    csv = (result.directory / "public" / "dp_vendors_by_channel.csv").read_text().splitlines()
    assert csv[0] == "channel,value,noise_sd,margin_of_error_95,cv,reliable,withheld_reason"
    assert [line.split(",")[0] for line in csv[1:]] == ["market", "online", "wholesale"]
    ledger = Ledger(project / "dp-ledger.sqlite")
    assert ledger.spent(DATASET, UNIT, _period()) > 0


def test_rerunning_a_release_returns_stored_values_and_spends_nothing(project: Path) -> None:
    first = release(project / "policy.yaml", project / "a")
    ledger = Ledger(project / "dp-ledger.sqlite")
    spent = ledger.spent(DATASET, UNIT, _period())
    second = release(project / "policy.yaml", project / "b")
    assert ledger.spent(DATASET, UNIT, _period()) == spent
    for name in ("dp_vendors_by_channel", "dp_sales_by_channel", "dp_units_by_channel"):
        a = (first.directory / "public" / f"{name}.csv").read_bytes()
        assert a == (second.directory / "public" / f"{name}.csv").read_bytes()
    journal = json.loads((second.directory / "journal.json").read_text())
    assert any(e["step"] == "dp" and e["details"].get("from_store") for e in journal)


def test_the_release_that_would_overspend_the_period_is_refused_and_writes_nothing(
    project: Path,
) -> None:
    release(project / "policy.yaml", project / "r0")
    ledger = Ledger(project / "dp-ledger.sqlite")
    per_release = ledger.spent(DATASET, UNIT, _period())
    total = per_release + ledger.remaining(DATASET, UNIT, _period())
    fits = int(total // per_release)  # releases of this size the period's budget allows
    assert fits >= 2
    name = "name: artisan-demo-2026q4"
    for i in range(1, fits + 1):
        edit_policy(project, name, f"{name}-{i}")
        name = f"{name}-{i}"
        if i < fits:
            release(project / "policy.yaml", project / f"r{i}")
            continue
        with pytest.raises(BudgetError) as info:
            release(project / "policy.yaml", project / f"r{i}")
        assert "requests ρ =" in str(info.value)
        assert "remain" in str(info.value)
        assert not (project / f"r{i}").exists()
    assert ledger.spent(DATASET, UNIT, _period()) <= total + 1e-15
    assert not [p for p in project.iterdir() if ".craftveil-tmp-" in p.name]


def test_assessing_risk_spends_no_budget(project: Path) -> None:
    section = assess(project / "policy.yaml")
    assert "vendors" in section
    assert not (project / "dp-ledger.sqlite").exists()
