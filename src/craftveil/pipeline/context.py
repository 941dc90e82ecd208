"""The mutable state of one release run, passed from step to step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis

from craftveil.engine.base import Engine
from craftveil.journal import Journal
from craftveil.keys import SecretKey
from craftveil.pipeline.plan import Plan

ProgressFn = Callable[[str, int, int], None]


def _no_progress(step: str, done: int, total: int) -> None:
    return None


@dataclass
class TableState:
    """A source table as it moves through the run.

    The mask step leaves ``released`` and ``wide`` as lazy engine expressions: the writer sorts
    and writes the released rows in one pass, and ``wide`` is computed only if a later step asks
    for it (the utility step does; a release without ``utility:`` never pays for it).
    """

    name: str
    source: ibis.Table
    rows_in: int
    input_sha256: str
    kept: ibis.Table | None = None  # source rows after the policy's drop_rows
    released: ibis.Table | None = None  # unordered until written; then the written file
    rows_out: int | None = None
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)
    rows_dropped: list[dict[str, Any]] = field(default_factory=list)
    wide_expr: ibis.Table | None = None  # kept rows: every original beside its masked value
    engine: Engine | None = None  # computes ``wide`` on first use
    _wide: ibis.Table | None = field(default=None, repr=False)

    @property
    def wide(self) -> ibis.Table | None:
        """Kept rows with every original beside its masked value (computed once, on first use)."""
        if self._wide is None and self.wide_expr is not None:
            assert self.engine is not None
            self._wide = self.engine.materialize(self.wide_expr, f"wide_{self.name}")
        return self._wide


@dataclass
class RunContext:
    plan: Plan
    engine: Engine
    key: SecretKey
    workdir: Path
    release_dir: Path = Path(".")  # where the release will be moved (ledgers sit beside it)
    journal: Journal = field(default_factory=Journal)
    tables: dict[str, TableState] = field(default_factory=dict)
    guarantees: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: list[dict[str, Any]] = field(default_factory=list)
    sections: dict[str, Any] = field(default_factory=dict)
    progress: ProgressFn = _no_progress
