"""``keep`` and ``drop``: release a column unchanged, or not at all."""

from __future__ import annotations

import ibis

from craftveil.operators.base import OperatorContext
from craftveil.policy.columns import Drop, Keep


def keep(table: ibis.Table, column: str, out: str, spec: Keep, ctx: OperatorContext) -> ibis.Table:
    return table.mutate(**{out: table[column]})


def drop(table: ibis.Table, column: str, out: str, spec: Drop, ctx: OperatorContext) -> ibis.Table:
    """Dropped columns get no output column; the step leaves them out of the release."""
    return table
