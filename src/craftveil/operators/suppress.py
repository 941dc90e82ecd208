"""``suppress``: set a column to null, everywhere or on rows matching a condition."""

from __future__ import annotations

import ibis

from craftveil.operators.base import OperatorContext
from craftveil.policy.columns import Condition, Suppress


def condition_expr(table: ibis.Table, cond: Condition) -> ibis.ir.BooleanValue:
    """The engine expression for a policy condition (null-safe: unknown → false)."""
    col = table[cond.column]
    if cond.is_null is not None:
        return col.isnull() if cond.is_null else col.notnull()
    if cond.equals is not None:
        expr = col.cast("string") == str(cond.equals)
    elif cond.one_of is not None:
        expr = col.cast("string").isin([str(v) for v in cond.one_of])
    elif cond.less_than is not None:
        expr = col.cast("float64") < cond.less_than
    else:
        assert cond.greater_than is not None
        expr = col.cast("float64") > cond.greater_than
    return expr.fill_null(False)


def suppress(
    table: ibis.Table, column: str, out: str, spec: Suppress, ctx: OperatorContext
) -> ibis.Table:
    col = table[column]
    null = ibis.null(col.type())
    if spec.when is None:
        return table.mutate(**{out: null})
    return table.mutate(**{out: ibis.ifelse(condition_expr(table, spec.when), null, col)})
