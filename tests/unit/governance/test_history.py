"""Release history: figures of earlier releases of one dataset and their trend."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from craftveil.cli.app import app
from craftveil.errors import DataError
from craftveil.governance.history import release_history, trend
from craftveil.pipeline import release

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "bakery" / "policy.yaml"
DATA_PATH = "../../../shared/data/bakery_breadbasket/BreadBasket_DMS.csv"


@pytest.fixture
def two_releases(shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    monkeypatch.setenv("CRAFTVEIL_KEY", "ab" * 32)
    csv = str(shared_data / "bakery_breadbasket" / "BreadBasket_DMS.csv")
    text = EXAMPLE.read_text().replace(DATA_PATH, csv)
    (tmp_path / "policy.yaml").write_text(text)
    first = release(
        tmp_path / "policy.yaml",
        tmp_path / "2026-11",
        created_at=dt.datetime(2026, 11, 5, tzinfo=dt.UTC),
    )
    coarser = (
        text.replace(
            "Item: {role: other, action: keep,",
            "Item: {role: other, action: mask_categories, label: item, min_vendors: 300,",
        )
        .replace("max: 1.0}", "max: 1.0, on_fail: warn}")
        .replace("min: 0.95}", "min: 0.95, on_fail: warn}")
    )
    (tmp_path / "policy.yaml").write_text(coarser)
    second = release(
        tmp_path / "policy.yaml",
        tmp_path / "2026-12",
        created_at=dt.datetime(2026, 12, 5, tzinfo=dt.UTC),
    )
    return [second.directory, first.directory]  # deliberately out of order


def test_history_orders_releases_and_computes_the_trend(two_releases: list[Path]) -> None:
    releases = release_history(two_releases)
    assert [r.created_at[:10] for r in releases] == ["2026-11-05", "2026-12-05"]
    first, second = (
        json.loads((d / "report.json").read_text()) for d in (two_releases[1], two_releases[0])
    )
    metric = "regional_share_max_error_pp"

    def value(report: dict) -> float:  # type: ignore[type-arg]
        utility = next(s for s in report["sections"] if s["id"] == "utility")
        return float(utility["data"]["metrics"][metric])

    changes = trend(releases)
    assert changes[f"utility.{metric}"] == pytest.approx(value(second) - value(first))
    assert changes[f"utility.{metric}"] > 0  # masked items: shares no longer comparable


def test_history_refuses_releases_of_another_dataset(
    two_releases: list[Path], tmp_path: Path
) -> None:
    other = tmp_path / "other"
    shutil.copytree(two_releases[0], other)
    manifest = json.loads((other / "manifest.json").read_text())
    manifest["dataset"] = "olist-marketplace"
    (other / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DataError) as info:
        release_history([two_releases[0], other])
    assert f"{other} (dataset 'olist-marketplace')" in str(info.value)
    assert "give releases of one dataset only" in str(info.value)
    with pytest.raises(DataError, match=r"no manifest\.json"):
        release_history([tmp_path])


def test_history_command(two_releases: list[Path]) -> None:
    result = CliRunner().invoke(app, ["history", *map(str, two_releases)])
    assert result.exit_code == 0, result.output
    assert "Dataset bread-basket-bakery: 2 release(s)" in result.output
    assert "trend" in result.output
