"""Hierarchies for the risk search, starting at each QI's *released* value.

The policy's own action sets the floor: a QI generalised to month, to a 3-digit zip or to level 2
of an ARX hierarchy is searched from there upwards, never below what the steward declared.
Above the floor: the rest of the declared hierarchy (ARX rows from the declared level; shorter
prefixes), month → quarter → year for date windows, and for any other QI the released value
itself and then ``*`` (released as is, or suppressed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from craftveil.errors import DataError
from craftveil.hierarchies import SUPPRESSED, Hierarchy
from craftveil.policy.columns import ColumnSpec, DateWindow, Generalize
from craftveil.risk.frequency import NULL_LABEL

_DAY = re.compile(r"^(\d{4})-(\d{2})-\d{2}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q[1-4]$")


def _month_up(value: str) -> list[str]:
    m = _MONTH.match(value)
    if not m:
        return [value, value, value]
    year, month = m.group(1), int(m.group(2))
    return [value, f"{year}-Q{(month - 1) // 3 + 1}", year]


def _window_path(value: str, window: DateWindow) -> list[str]:
    """A date label and its coarser windows up to the year (a week by its Monday's month)."""
    if window in (DateWindow.day, DateWindow.week):
        m = _DAY.match(value)
        month = f"{m.group(1)}-{m.group(2)}" if m else value
        return [value, *_month_up(month)]
    if window is DateWindow.month:
        return _month_up(value)
    if window is DateWindow.quarter:
        return [value, value[:4] if _QUARTER.match(value) else value]
    return [value]


def _prefix_path(value: str, keeps: tuple[int, ...]) -> list[str]:
    return [value] + [value[:k] + "*" * max(len(value) - k, 0) if k else "*" for k in keeps]


def _without_trailing_stars(path: list[str]) -> list[str]:
    while len(path) > 1 and path[-1] == SUPPRESSED:
        path = path[:-1]
    return path


def _uniform(name: str, paths: Mapping[str, list[str]]) -> Hierarchy:
    """Rows of equal depth ending in ``*``; missing values (NULL_LABEL) generalise only to ``*``."""
    trimmed = {v: _without_trailing_stars(p) for v, p in paths.items()}
    depth = max((len(p) for p in trimmed.values()), default=1)
    rows = []
    for _value, path in sorted(trimmed.items()):
        padded = path + [path[-1]] * (depth - len(path))
        rows.append((*padded, SUPPRESSED))
    rows.append((NULL_LABEL, *([NULL_LABEL] * (depth - 1)), SUPPRESSED))
    return Hierarchy(name=name, levels=tuple(rows))


def search_hierarchy(
    column: str,
    spec: ColumnSpec,
    values: Iterable[str],
    *,
    declared: Mapping[str, Hierarchy],
    prefixes: Mapping[str, tuple[tuple[int, ...], int | None]],
) -> Hierarchy:
    """The hierarchy of one QI's released values, for the generalisation search."""
    released = sorted({v for v in values if v != NULL_LABEL})
    path: Callable[[str], list[str]] = lambda v: [v]  # noqa: E731
    if isinstance(spec, Generalize) and spec.window is not None:
        window = spec.window
        path = lambda v: _window_path(v, window)  # noqa: E731
    elif isinstance(spec, Generalize) and spec.hierarchy is not None:
        name, level = spec.hierarchy.name, spec.hierarchy.level
        if name in prefixes:
            keeps = prefixes[name][0][level:]
            path = lambda v: _prefix_path(v, keeps)  # noqa: E731
        else:
            rows = {row[level]: list(row[level:-1]) for row in declared[name].levels}
            missing = [v for v in released if v not in rows]
            if missing:
                raise DataError(
                    f"quasi-identifier '{column}': values {missing[:5]} are not in hierarchy "
                    f"'{name}' at level {level} — extend the hierarchy file"
                )
            path = lambda v: rows[v]  # noqa: E731
    return _uniform(column, {v: path(v) for v in released})
