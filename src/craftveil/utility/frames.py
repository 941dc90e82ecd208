"""The analysis frame: one engine expression per side (raw, released) with the same columns.

``period`` (start date of the period), ``grp`` and ``category`` (dimension values, looked up
through another table when the policy says so — on the released side through the pseudonymised
key, which joins across released tables), ``vendor``, ``measure`` and ``price``. Released time
values are generalised labels (``2024-03``, ``2024-Q1``, ``2024``, a Monday date); they are
turned back into the first day of their window so the raw and released series share one axis.
All of this stays an ibis expression: the engine does the per-row work.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from craftveil.errors import PolicyError, Problem
from craftveil.policy.utility import Dimension, UtilityPolicy

_UNIT = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}


def label_start(label: ir.StringValue) -> ir.DateValue:
    """First day of a generalised date label: ``2024`` / ``2024-Q2`` / ``2024-03`` / a date."""
    year = label.substr(0, 4)
    quarter_month = ((label.substr(6, 1).cast("int64") - 1) * 3 + 1).cast("string").lpad(2, "0")
    text = ibis.cases(
        (label.length() == 4, year + "-01-01"),
        (label.contains("-Q"), year + "-" + quarter_month + "-01"),
        (label.length() == 7, label + "-01"),
        else_=label.substr(0, 10),
    )
    return text.cast("date")


def period_start(column: ir.Value, period: str) -> ir.DateValue:
    """The start date of ``period`` holding each value (a date, a timestamp, or a label)."""
    if column.type().is_string():
        day = label_start(column)
    elif column.type().is_timestamp():
        day = column.date()
    else:
        day = column.cast("date")
    return day.truncate(_UNIT[period])


def _numeric(table: ibis.Table, column: str, side: str, field: str) -> ir.FloatingValue:
    dtype = table[column].type()
    if not dtype.is_numeric():
        raise PolicyError(
            [
                Problem(
                    f"utility.{field}",
                    f"column '{column}' is {dtype} in the {side} table, not a number",
                    "compare a measure that is kept, rescaled or suppressed (not banded)",
                )
            ]
        )
    return table[column].cast("float64")


def _join_lookup(
    tables: dict[str, ibis.Table], frame: ibis.Table, dim: Dimension, name: str, side: str
) -> ibis.Table:
    """Add column ``name`` to ``frame``: the dimension value, looked up when it lives elsewhere."""
    if dim.table is None or dim.key is None:
        value = frame[f"__src_{dim.column}"].cast("string").fill_null("(none)")
        return frame.mutate(**{name: value})
    if dim.table not in tables:
        raise PolicyError(
            [
                Problem(
                    f"utility.{_FIELD[name]}.table",
                    f"table '{dim.table}' is not available on the {side} side",
                    "release that table (its key pseudonymised in the same namespace)",
                )
            ]
        )
    other = tables[dim.table]
    lookup = other.group_by(**{f"__k_{name}": other[dim.key].cast("string")}).aggregate(
        **{f"__v_{name}": other[dim.column].cast("string").min()}
    )
    fact_key = frame[f"__src_{dim.key}"].cast("string")
    joined = frame.left_join(lookup, fact_key == lookup[f"__k_{name}"])
    return joined.mutate(**{name: joined[f"__v_{name}"].fill_null("(none)")}).drop(
        f"__k_{name}", f"__v_{name}"
    )


_FIELD = {"grp": "group_by", "category": "category"}


def frame_sources(up: UtilityPolicy, vendor_column: str) -> dict[str, set[tuple[str, str]]]:
    """For each column of :func:`analysis_frame`, the (table, column) pairs it is built from."""

    def dimension(dim: Dimension | None) -> set[tuple[str, str]]:
        if dim is None:
            return set()
        if dim.table is None or dim.key is None:
            return {(up.table, dim.column)}
        return {(up.table, dim.key), (dim.table, dim.key), (dim.table, dim.column)}

    def fact(column: str | None) -> set[tuple[str, str]]:
        return {(up.table, column)} if column else set()

    return {
        "period": fact(up.time_column),
        "grp": dimension(up.group_by),
        "category": dimension(up.category),
        "vendor": fact(vendor_column),
        "measure": fact(up.measure_column),
        "price": fact(up.price_column),
    }


def analysis_frame(
    tables: dict[str, ibis.Table], up: UtilityPolicy, vendor_column: str, side: str
) -> ibis.Table:
    """One row per fact row: period, grp, category, vendor, measure, price (an expression)."""
    if up.table not in tables:
        raise PolicyError(
            [
                Problem(
                    "utility.table", f"table '{up.table}' is not released", "name a released table"
                )
            ]
        )
    fact = tables[up.table]
    frame = fact.select(
        period=period_start(fact[up.time_column], up.period),
        vendor=fact[vendor_column].cast("string"),
        measure=(
            _numeric(fact, up.measure_column, side, "measure_column")
            if up.measure_column
            else ibis.literal(1.0)
        ),
        price=(
            _numeric(fact, up.price_column, side, "price_column")
            if up.price_column
            else ibis.null().cast("float64")
        ),
        **{
            f"__src_{c}": fact[c]
            for c in {d.column for d in (up.group_by, up.category) if d and d.table is None}
            | {d.key for d in (up.group_by, up.category) if d and d.key}
        },
    )
    for name, dim in (("grp", up.group_by), ("category", up.category)):
        if dim is None:
            frame = frame.mutate(**{name: ibis.literal("all")})
            continue
        frame = _join_lookup(tables, frame, dim, name, side)
    return frame.select("period", "grp", "category", "vendor", "measure", "price")
