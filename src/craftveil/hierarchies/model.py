"""The generalisation hierarchy of one quasi-identifier, as ARX models it.

A hierarchy lists, for every original value, the value it becomes at each level: level 0 is the
original value, the last level is fully generalised (usually ``*``). This is exactly one row of an
ARX hierarchy CSV (Prasser & Kohlmayer, "Putting statistical disclosure control into practice:
the ARX data anonymization tool", 2015). A hierarchy must be *functional*: values that are equal
at one level stay equal at every coarser level; otherwise generalising could split a class and the
monotonicity the lattice search relies on would not hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from craftveil.errors import DataError

SUPPRESSED = "*"


@dataclass(frozen=True)
class Hierarchy:
    """One QI's hierarchy: ``levels[i]`` is the path of the i-th original value.

    ``levels[i][0]`` is the original value and ``levels[i][j]`` its generalisation at level ``j``
    (the rows of the ARX CSV). Every row has the same length, :attr:`height`.
    """

    name: str
    levels: tuple[tuple[str, ...], ...]
    source: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        where = self.source or f"hierarchy '{self.name}'"
        if not self.levels:
            raise DataError(f"{where}: the hierarchy has no rows — give one row per original value")
        depth = len(self.levels[0])
        seen: set[str] = set()
        for number, row in enumerate(self.levels, start=1):
            if len(row) != depth:
                raise DataError(
                    f"{where}, line {number}: {len(row)} levels but line 1 has {depth} — give "
                    "every "
                    f"row the same number of ';'-separated levels (original value first, '*' last)"
                )
            if row[0] in seen:
                raise DataError(
                    f"{where}, line {number}: original value {row[0]!r} appears twice — "
                    "keep one row per original value"
                )
            seen.add(row[0])
        self._check_functional(where)

    def _check_functional(self, where: str) -> None:
        """Equal values at level j must have equal parents at level j+1 (a tree, not a graph)."""
        for level in range(1, self.height - 1):
            parent: dict[str, str] = {}
            for row in self.levels:
                known = parent.setdefault(row[level], row[level + 1])
                if known != row[level + 1]:
                    raise DataError(
                        f"{where}: value {row[level]!r} at level {level} generalises to both "
                        f"{known!r} and {row[level + 1]!r} at level {level + 1} — a hierarchy must "
                        "be a tree; give it one parent"
                    )

    @property
    def height(self) -> int:
        """Number of levels, counting the original values (ARX counts: Adult's age has 5)."""
        return len(self.levels[0])

    @property
    def values(self) -> tuple[str, ...]:
        """The original values the hierarchy covers (level 0)."""
        return tuple(row[0] for row in self.levels)

    def mapping(self, level: int) -> dict[str, str]:
        """Original value -> its generalisation at ``level`` (0 = itself)."""
        if not 0 <= level < self.height:
            raise DataError(
                f"hierarchy '{self.name}': level {level} does not exist — use 0..{self.height - 1}"
            )
        return {row[0]: row[level] for row in self.levels}


def check_coverage(h: Hierarchy, values: Iterable[str], *, source: str) -> None:
    """Raise :class:`DataError` if some data values have no row in the hierarchy.

    Names the first uncovered values and the file, because a value that no hierarchy covers
    cannot be generalised and would leak unchanged.
    """
    known = set(h.values)
    missing = sorted({v for v in values if v not in known})
    if missing:
        shown = ", ".join(repr(v) for v in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise DataError(
            f"{source}: hierarchy '{h.name}' does not cover {len(missing)} value(s) in the data: "
            f"{shown}{more} — add a row for each of them (original value first, '*' last)"
            + ("; missing values are spelled NULL" if "NULL" in missing else "")
        )
