"""Build hierarchies from the data's own values: prefixes, nested numeric bands, dates.

These are the generic builders ARX offers (masking-based / redaction, interval-based, date-based
hierarchies). Every builder ends with the fully generalised level ``*`` and produces a tree, so
the lattice search's monotonicity holds.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from craftveil.errors import DataError
from craftveil.hierarchies.model import SUPPRESSED, Hierarchy

DATE_LEVELS = ("day", "month", "quarter", "year", "decade")


def prefix_hierarchy(values: Iterable[str], name: str, keep: Sequence[int]) -> Hierarchy:
    """Redact from the right: with ``keep=(4, 3)`` the zip 12345 becomes 1234*, then 123**, then *.

    ``keep`` lists how many leading characters each level keeps, strictly decreasing.
    """
    keep = tuple(keep)
    if any(b >= a for a, b in itertools.pairwise(keep)) or any(k < 0 for k in keep):
        raise DataError(
            f"hierarchy '{name}': keep={list(keep)} must be non-negative and strictly decreasing, "
            "e.g. [4, 3, 2]"
        )
    rows = []
    for value in sorted(set(values)):
        path = [value]
        for k in keep:
            path.append(value[:k] + "*" * max(len(value) - k, 0))
        path.append(SUPPRESSED)
        rows.append(tuple(path))
    return Hierarchy(name, tuple(rows))


def _number_label(value: float) -> str:
    """The text form the engine gives a number when casting it to string (42, 3.5)."""
    return str(value)


def interval_hierarchy(
    values: Iterable[float | int], name: str, widths: Sequence[float]
) -> Hierarchy:
    """Nested numeric bands: ``widths=(5, 10, 20)`` puts 42 in 40-44, then 40-49, then 40-59.

    Each width must be a multiple of the previous one, so bands nest (a tree). Integer data gets
    ARX-style closed labels ``40-44``; other numbers get half-open labels ``[40, 45)``.
    """
    widths = tuple(widths)
    if not widths or any(w <= 0 for w in widths):
        raise DataError(f"hierarchy '{name}': widths={list(widths)} must be positive, e.g. [5, 10]")
    for a, b in itertools.pairwise(widths):
        ratio = b / a
        if not math.isclose(ratio, round(ratio)) or round(ratio) < 2:
            raise DataError(
                f"hierarchy '{name}': width {b} is not a multiple (>= 2x) of width {a} — bands "
                "must nest; use e.g. [5, 10, 20]"
            )
    distinct = sorted(set(values))
    integral = all(isinstance(v, int) for v in distinct) and all(
        float(w).is_integer() for w in widths
    )
    rows = []
    for value in distinct:
        path = [_number_label(value)]
        for width in widths:
            low = math.floor(value / width) * width
            if integral:
                path.append(f"{int(low)}-{int(low + width - 1)}")
            else:
                path.append(f"[{low:g}, {low + width:g})")
        path.append(SUPPRESSED)
        rows.append(tuple(path))
    return Hierarchy(name, tuple(rows))


def _as_date(value: date | datetime | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise DataError(f"date value {value!r} is not an ISO date (YYYY-MM-DD)") from exc


def _date_label(d: date, level: str) -> str:
    if level == "day":
        return d.isoformat()
    if level == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if level == "quarter":
        return f"{d.year:04d}-Q{(d.month - 1) // 3 + 1}"
    if level == "year":
        return f"{d.year:04d}"
    return f"{d.year // 10 * 10}s"


def date_hierarchy(
    values: Iterable[date | datetime | str],
    name: str,
    levels: Sequence[str] = ("month", "quarter", "year"),
) -> Hierarchy:
    """Calendar windows: 2024-03-17 -> 2024-03 -> 2024-Q1 -> 2024 -> *.

    Level 0 is the value as the engine prints it (ISO date text); ``levels`` are drawn from
    day, month, quarter, year, decade in that order (coarser each step).
    """
    order = [DATE_LEVELS.index(lv) if lv in DATE_LEVELS else -1 for lv in levels]
    if -1 in order or order != sorted(set(order)):
        raise DataError(
            f"hierarchy '{name}': levels={list(levels)} must be increasing among "
            f"{', '.join(DATE_LEVELS)}"
        )
    rows = []
    originals = {str(v) if isinstance(v, str) else _as_date(v).isoformat(): v for v in values}
    for text in sorted(originals):
        d = _as_date(originals[text])
        rows.append((text, *(_date_label(d, lv) for lv in levels), SUPPRESSED))
    return Hierarchy(name, tuple(rows))
