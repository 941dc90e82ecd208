"""Shared fixtures: where the real datasets live (../shared/data beside the repository)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """The real datasets: $CRAFTVEIL_SHARED_DATA or ../shared/data next to the repository."""
    env = os.environ.get("CRAFTVEIL_SHARED_DATA")
    return Path(env) if env else (REPO_ROOT.parent / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.fail(f"real datasets not found at {path}; set CRAFTVEIL_SHARED_DATA")
    return path


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


ENGINE_NAMES = ["duckdb"]  # the Spark engine joins this list when it lands


@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Every engine test runs once per engine (ibis-style conformance suite)."""
    from craftveil.engine import make_engine

    eng = make_engine(request.param)
    yield eng
    eng.close()
