"""The bakery example policy, pointed at the real data, in a fresh directory per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.helpers import KEY_TEXT

from craftveil.cli.demo import demo_policy_text
from craftveil.datagen import GeneratorConfig, generate

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "bakery" / "policy.yaml"
DATA_PATH = "../../../shared/data/bakery_breadbasket/BreadBasket_DMS.csv"


@pytest.fixture
def bakery(shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp/policy.yaml: the bakery example reading the real CSV; the key in CRAFTVEIL_KEY."""
    text = EXAMPLE.read_text(encoding="utf-8")
    assert DATA_PATH in text
    csv = shared_data / "bakery_breadbasket" / "BreadBasket_DMS.csv"
    (tmp_path / "policy.yaml").write_text(text.replace(DATA_PATH, str(csv)), encoding="utf-8")
    monkeypatch.setenv("CRAFTVEIL_KEY", KEY_TEXT)
    return tmp_path


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    generate(root / "data", GeneratorConfig(n_sales=3_000, n_vendors=60, seed=11))
    return root


@pytest.fixture
def project(small_demo: Path, tmp_path: Path) -> Path:
    """The generated dataset with the demo policy and a key file (like `craftveil demo`)."""
    root = tmp_path / "project"
    shutil.copytree(small_demo, root)
    (root / "policy.yaml").write_text(demo_policy_text(), encoding="utf-8")
    (root / "secret.key").write_text(KEY_TEXT + "\n", encoding="utf-8")
    return root


@pytest.fixture
def bakery_policy_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")
