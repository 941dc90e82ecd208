"""A generated dataset with the demo policy (risk step included) and a utility section."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.helpers import KEY_TEXT, TEST_UTILITY, with_utility

from craftveil.cli.demo import demo_policy_text
from craftveil.datagen import GeneratorConfig, generate


@pytest.fixture(scope="session")
def report_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report-data")
    generate(root / "data", GeneratorConfig(n_sales=4_000, n_vendors=80, seed=5))
    return root


def _project(report_dataset: Path, root: Path, with_dp: bool) -> Path:
    shutil.copytree(report_dataset, root)
    text = demo_policy_text()
    if not with_dp:  # DP noise differs between runs by design: reproducibility tests go without
        text = text.split("\ndp:")[0].rstrip() + "\n"
    (root / "policy.yaml").write_text(with_utility(text, TEST_UTILITY), encoding="utf-8")
    (root / "secret.key").write_text(KEY_TEXT + "\n", encoding="utf-8")
    return root


@pytest.fixture
def report_project(report_dataset: Path, tmp_path: Path) -> Path:
    """The demo policy without its dp: section (deterministic), plus utility."""
    return _project(report_dataset, tmp_path / "project", with_dp=False)


@pytest.fixture
def report_project_dp(report_dataset: Path, tmp_path: Path) -> Path:
    """The demo policy as shipped (dp: section included when it has one), plus utility."""
    return _project(report_dataset, tmp_path / "project", with_dp=True)
