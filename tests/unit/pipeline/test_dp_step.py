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


BAKERY = Path(__file__).resolve().parents[3] / "examples" / "bakery" / "policy.yaml"
BAKERY_CSV = "../../../shared/data/bakery_breadbasket/BreadBasket_DMS.csv"
PRIVATE_ITEMS = """
dp:
  table: sales
  budget: {epsilon: 1.0, delta: 1.0e-7, period: all_time}
  statistics:
    - name: baskets_by_item
      kind: count_vendors
      cells: [Item]
      keys: private            # the menu is an open vocabulary: no taxonomy
      bounds: {max_cells_per_vendor: 3}
"""


@pytest.fixture
def private_bakery(shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp/policy.yaml: the bakery example on the real CSV plus a keys: private dp section."""
    from tests.helpers import KEY_TEXT

    monkeypatch.setenv("CRAFTVEIL_KEY", KEY_TEXT)
    csv = shared_data / "bakery_breadbasket" / "BreadBasket_DMS.csv"
    text = BAKERY.read_text(encoding="utf-8").replace(BAKERY_CSV, str(csv))
    permitted = "permitted_analyses: [microdata]"
    assert permitted in text
    text = text.replace(permitted, "permitted_analyses: [microdata, 'dp:baskets_by_item']")
    (tmp_path / "policy.yaml").write_text(text + PRIVATE_ITEMS, encoding="utf-8")
    return tmp_path


def test_dp_plan_command_shows_the_selection(private_bakery: Path) -> None:
    from typer.testing import CliRunner

    from craftveil.cli.app import app
    from craftveil.dp import budget
    from craftveil.dp.selection import plan_selection
    from craftveil.pipeline.run import load_policy

    section = load_policy(private_bakery / "policy.yaml").dp
    assert section is not None
    rho = budget.allocate(section).per_statistic["baskets_by_item"]
    expected = plan_selection(3, rho, 5e-8)  # L0 = 3, δ = half of 1e-7
    runner = CliRunner()
    for extra in ([], ["--with-data"]):
        result = runner.invoke(app, ["dp", "plan", *extra, str(private_bakery / "policy.yaml")])
        assert result.exit_code == 0, result.output
        text = " ".join(result.output.split())
        assert "cells chosen privately (keys: private): selection costs ρ =" in text
        assert f"a cell needs about {expected.threshold} vendors" in text
        assert ("would probably be absent" in text) == bool(extra)
    assert not (private_bakery / "dp-ledger.sqlite").exists()  # planning spends nothing


def test_private_keys_on_the_bakery_items_end_to_end(
    private_bakery: Path, shared_data: Path
) -> None:
    """Baskets per item with privately selected items: only items with enough baskets appear."""
    import pandas as pd

    tmp_path = private_bakery
    csv = shared_data / "bakery_breadbasket" / "BreadBasket_DMS.csv"
    first = release(tmp_path / "policy.yaml", tmp_path / "a")

    raw = pd.read_csv(csv)
    baskets = raw.groupby("Item")["Transaction"].nunique()  # ≥ the bounded count (L0 = 3)
    published = pd.read_csv(first.directory / "public" / "dp_baskets_by_item.csv")
    claim = first.manifest["guarantees"]["dp_baskets_by_item"]["differential_privacy"]
    selection = claim["selection"]
    assert claim["keys"] == "private"
    assert claim["delta"] == pytest.approx(1e-7)
    assert claim["selection_delta"] == pytest.approx(5e-8)
    scale, threshold = selection["noise_scale"], selection["threshold"]
    items = set(published["Item"])
    assert items <= set(baskets.index)  # never an item that is not sold
    assert selection["selected_cells"] == len(published)
    # the busiest items are far above the threshold; items with few baskets far below it
    # (5 σ: a leak has probability < 1e-6 per item; the ~28 items with < 7 baskets: < 1e-4)
    assert {"Coffee", "Bread", "Tea"} <= items
    rare = set(baskets[baskets + 5 * scale < threshold].index)
    assert rare
    assert not rare & items
    for item, value in zip(published["Item"], published["value"], strict=True):
        if pd.notna(value):
            assert value <= baskets[item] + 6 * scale  # bounding only lowers the true count

    ledger = Ledger(tmp_path / "dp-ledger.sqlite")
    spent = ledger.spent("bread-basket-bakery", UNIT, "all_time")
    spent_delta = ledger.spent_delta("bread-basket-bakery", UNIT, "all_time")
    assert spent_delta == pytest.approx(5e-8)
    second = release(tmp_path / "policy.yaml", tmp_path / "b")  # same release: stored values
    assert (second.directory / "public" / "dp_baskets_by_item.csv").read_bytes() == (
        first.directory / "public" / "dp_baskets_by_item.csv"
    ).read_bytes()
    assert ledger.spent("bread-basket-bakery", UNIT, "all_time") == spent
    assert ledger.spent_delta("bread-basket-bakery", UNIT, "all_time") == spent_delta
