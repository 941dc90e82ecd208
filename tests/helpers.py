"""Helpers shared by several test modules (imported as ``tests.helpers``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

KEY_TEXT = "0123456789abcdef" * 4  # 64 characters; must never appear in any output


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
