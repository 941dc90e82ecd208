"""Helpers shared by several test modules (imported as ``tests.helpers``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

KEY_TEXT = "0123456789abcdef" * 4  # 64 characters; must never appear in any output


#: The demo policy's analytics with a lenient, warn-only gate: small test datasets (60–100
#: vendors) lose regional detail to the k=5 risk step, so its real gates would fail them.
TEST_UTILITY = """utility:
  table: sales
  time_column: sold_at
  measure_column: quantity
  price_column: unit_price
  group_by: {column: region, table: vendors, key: vendor_id}
  category: {column: category, table: products, key: product_id}
  forecast: {season_length: 12, holdout_periods: 3}
  gates:
    - {metric: seasonality_correlation, min: 0.5, on_fail: warn}
"""


def with_utility(policy_text: str, utility: str) -> str:
    """The policy text with its top-level `utility:` block replaced by ``utility`` (or added)."""
    lines = policy_text.splitlines(keepends=True)
    kept, skipping = [], False
    for line in lines:
        top_level = bool(line.strip()) and not line[0].isspace() and not line.startswith("#")
        if top_level:
            skipping = line.startswith("utility:")
        if not skipping:
            kept.append(line)
    text = "".join(kept)
    return text.rstrip("\n") + "\n" + utility


def edit_policy(root: Path, old: str, new: str) -> None:
    """Replace one snippet of ROOT/policy.yaml (the snippet must be there)."""
    path = root / "policy.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


PYCANON_SCRIPT = """
import json, sys
import pandas as pd
from pycanon import anonymity
path, qis, sensitive = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
data = pd.read_csv(path, dtype=str, keep_default_na=False)
out = {"k": int(anonymity.k_anonymity(data, qis))}
if sensitive:
    out["l"] = int(anonymity.l_diversity(data, qis, sensitive))
    out["entropy_l"] = float(anonymity.entropy_l_diversity(data, qis, sensitive))
print(json.dumps(out))
"""


def _pycanon_python(repo_root: Path) -> str:
    """pycanon pins old numpy/pandas/scipy: it runs from its own venv (scripts/setup-pycanon.sh)."""
    try:
        import pycanon  # noqa: F401

        return sys.executable
    except ImportError:
        venv = repo_root / "benchmarks" / ".work" / "pycanon-venv" / "bin" / "python"
        if not venv.exists():
            message = "pycanon is not installed: run scripts/setup-pycanon.sh"
            if os.environ.get("CI"):
                pytest.fail(message)  # CI must verify with the independent tool, never skip
            pytest.skip(message)
        return str(venv)


def pycanon_verify(
    repo_root: Path, path: Path, qis: list[str], sensitive: list[str]
) -> dict[str, float]:
    """k (and l, entropy l) of a released CSV according to pycanon, the independent verifier."""
    command = [_pycanon_python(repo_root), "-c", PYCANON_SCRIPT, str(path)]
    command += [json.dumps(qis), json.dumps(sensitive)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=300)
    result: dict[str, float] = json.loads(done.stdout)
    return result
