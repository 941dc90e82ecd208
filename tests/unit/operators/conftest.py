"""Helpers for operator tests: run one operator on a small table in a real engine."""

from __future__ import annotations

from typing import Any

import pytest

from craftveil.engine.base import Engine
from craftveil.keys import SecretKey
from craftveil.operators import OPERATORS, OperatorContext
from craftveil.policy.columns import ColumnSpec

KEY = SecretKey(b"k" * 32)


@pytest.fixture
def apply_op(engine: Engine):  # type: ignore[no-untyped-def]
    contexts: list[OperatorContext] = []  # each run's context, for what the operator reported

    def run(
        data: dict[str, list[Any]],
        column: str,
        spec: ColumnSpec,
        *,
        vendor_column: str | None = "vendor",
        hierarchies: dict[str, Any] | None = None,
        prefixes: dict[str, Any] | None = None,
        release_name: str = "r1",
        table_name: str = "t",
    ) -> tuple[list[Any], dict[str, Any]]:
        rows = len(next(iter(data.values())))
        data = {**data, "__row": list(range(rows))}
        table = engine.memtable(data, "input")
        ctx = OperatorContext(
            engine=engine,
            key=KEY,
            release_name=release_name,
            table_name=table_name,
            vendor_column=vendor_column,
            hierarchies=hierarchies or {},
            prefix_hierarchies=prefixes or {},
        )
        out = OPERATORS[spec.action](table, column, "out", spec, ctx)
        contexts.append(ctx)
        frame = out.order_by("__row").to_pyarrow()
        return frame.column("out").to_pylist(), ctx.notes

    run.contexts = contexts  # type: ignore[attr-defined]
    return run
