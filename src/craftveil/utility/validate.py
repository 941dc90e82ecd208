"""Check the ``utility:`` section against the policy's tables before any analysis runs.

Every referenced table and column must exist and be released (the analyses compare the raw
with the *released* data, so a dropped column cannot be compared). All problems are collected
and raised once, each naming its place in the policy and the fix.
"""

from __future__ import annotations

from craftveil.errors import PolicyError, Problem
from craftveil.policy.model import Policy


def _released_columns(policy: Policy, table: str) -> list[str] | None:
    spec = policy.tables.get(table)
    if spec is None or not spec.release:
        return None
    return [c for c, s in spec.columns.items() if s.action != "drop"]


def validate_utility(policy: Policy) -> str:
    """The vendor column of the fact table; PolicyError listing every problem otherwise."""
    up = policy.utility
    assert up is not None
    problems: list[Problem] = []
    released = [n for n, t in policy.tables.items() if t.release]
    fact = _released_columns(policy, up.table)
    if fact is None:
        raise PolicyError(
            [
                Problem(
                    "utility.table",
                    f"'{up.table}' is not a released table",
                    "name one of: " + ", ".join(released),
                )
            ]
        )
    vendor = up.vendor_column or policy.tables[up.table].vendor_column
    fields = {
        "time_column": up.time_column,
        "measure_column": up.measure_column,
        "price_column": up.price_column,
        "vendor_column": vendor,
    }
    for field, column in fields.items():
        if column is not None and column not in fact:
            problems.append(
                Problem(
                    f"utility.{field}",
                    f"'{column}' is not a released column of '{up.table}'",
                    "choose one of: " + ", ".join(fact),
                )
            )
    if vendor is None:
        problems.append(
            Problem(
                "utility.vendor_column",
                "the table has no vendor column",
                "name the vendor column here",
            )
        )
    for field, dim in (("group_by", up.group_by), ("category", up.category)):
        if dim is None:
            continue
        where = dim.table or up.table
        columns = _released_columns(policy, where)
        if columns is None:
            problems.append(
                Problem(
                    f"utility.{field}.table",
                    f"'{where}' is not a released table",
                    "name one of: " + ", ".join(released),
                )
            )
            continue
        if dim.column not in columns:
            problems.append(
                Problem(
                    f"utility.{field}.column",
                    f"'{dim.column}' is not a released column of '{where}'",
                    "choose one of: " + ", ".join(columns),
                )
            )
        if dim.key is not None:
            for table, cols in ((up.table, fact), (where, columns)):
                if dim.key not in cols:
                    problems.append(
                        Problem(
                            f"utility.{field}.key",
                            f"'{dim.key}' is not a released column of '{table}'",
                            "use a key released in both tables (same namespace)",
                        )
                    )
    if problems:
        raise PolicyError(problems, header="the utility: section does not fit the tables")
    assert vendor is not None
    return vendor
