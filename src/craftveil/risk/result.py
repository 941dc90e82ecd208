"""The outcome of a generalisation search: plain data the manifest and masking record can carry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SearchResult:
    """The chosen transformation, its cost, what it suppresses, and how the search got there.

    ``suppressed_combinations`` lists the generalised QI value tuples (in ``qis`` order) whose
    rows are suppressed; :func:`craftveil.risk.apply_generalisation` suppresses exactly those.
    """

    qis: tuple[str, ...]
    levels: dict[str, int]
    objective: str
    objective_value: float
    suppressed_rows: int
    suppressed_vendors: int
    suppressed_combinations: tuple[tuple[str, ...], ...]
    rows: int
    vendors: int
    classes: int
    min_vendors_per_class: int
    min_rows_per_class: int
    nodes_evaluated: int
    lattice_size: int
    seconds: float
    optimal: bool
    method: str
    heuristic: str | None = None
    progress: str = ""
    local_recoding: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = field(
        default=(), repr=False
    )  # (original QI values, released QI values) per combination; only with local recoding

    @property
    def node(self) -> tuple[int, ...]:
        return tuple(self.levels[q] for q in self.qis)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able summary for the manifest's guarantees and the masking record."""
        return {
            "transformation": dict(self.levels),
            "objective": self.objective,
            "objective_value": self.objective_value,
            "suppressed_rows": self.suppressed_rows,
            "suppressed_vendors": self.suppressed_vendors,
            "suppressed_share_of_rows": self.suppressed_rows / self.rows if self.rows else 0.0,
            "suppressed_combinations": [list(c) for c in self.suppressed_combinations],
            "rows": self.rows,
            "vendors": self.vendors,
            "classes": self.classes,
            "min_vendors_per_class": self.min_vendors_per_class,
            "min_rows_per_class": self.min_rows_per_class,
            "nodes_evaluated": self.nodes_evaluated,
            "lattice_size": self.lattice_size,
            "seconds": self.seconds,
            "optimal": self.optimal,
            "method": self.method,
            "heuristic": self.heuristic,
            "progress": self.progress,
            "local_recoding": bool(self.local_recoding),
        }
