"""A small generated artisanal dataset with the demo policy, copied fresh for each test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.helpers import KEY_TEXT

from craftveil.cli.demo import demo_policy_text
from craftveil.datagen import GeneratorConfig, generate


@pytest.fixture(scope="session")
def small_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("small")
    generate(root / "data", GeneratorConfig(n_sales=3_000, n_vendors=60, seed=11))
    return root


@pytest.fixture
def project(small_dataset: Path, tmp_path: Path) -> Path:
    """A directory with data/, policy.yaml and secret.key, like `craftveil demo` writes."""
    root = tmp_path / "project"
    shutil.copytree(small_dataset, root)
    # 60 vendors are too few for the demo's utility gates once k=5 is enforced (that failure is
    # tested in tests/unit/utility); here the gates only warn, so the other steps can be tested.
    text = demo_policy_text().replace("}\n    - {metric", ", on_fail: warn}\n    - {metric")
    text = text.replace("max: 0.10}\n", "max: 0.10, on_fail: warn}\n")
    assert text.count("on_fail: warn") == 3
    (root / "policy.yaml").write_text(text, encoding="utf-8")
    (root / "secret.key").write_text(KEY_TEXT + "\n", encoding="utf-8")
    return root
