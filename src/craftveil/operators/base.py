"""What every operator receives and returns.

An operator turns one source column into one released column *as an engine expression*: it gets
the current (lazy) table and returns it with one new column ``out`` added; the original column
stays so the masking record can measure the effect in the same query. No Python row loops: where a
value must be computed in Python (keyed HMAC), only the *distinct* values are, then joined back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import ibis

from craftveil.engine.base import Engine
from craftveil.keys import SecretKey


class HierarchyLike(Protocol):
    """A generalisation hierarchy: level 0 = original value."""

    @property
    def name(self) -> str: ...

    @property
    def height(self) -> int: ...

    @property
    def values(self) -> tuple[str, ...]: ...

    def mapping(self, level: int) -> dict[str, str]: ...


@dataclass(frozen=True)
class KnownEffect:
    """An operator's exact effect on its column, known without scanning the rows again.

    The mask step then counts only the column's non-null values instead of measuring distinct
    values and changes row by row. Reported only when exact: every non-null value was replaced
    by a different one, and no value was nulled.
    """

    distinct_before: int
    distinct_after: int


@dataclass
class OperatorContext:
    """Everything an operator may use besides the table and its spec."""

    engine: Engine
    key: SecretKey
    release_name: str
    table_name: str
    vendor_column: str | None
    hierarchies: Mapping[str, HierarchyLike]
    prefix_hierarchies: Mapping[str, tuple[tuple[int, ...], int | None]]
    base_dir: Path = Path(".")
    notes: dict[str, Any] = field(default_factory=dict)
    known_effect: KnownEffect | None = None  # set by an operator that knows its exact effect
    every_value_changes: bool = False
    """Set by an operator whose output differs from every non-null input (as text) and is never
    null there: the mask step then counts the changed values instead of comparing them row by
    row (the distinct counts are still measured)."""
    token_cache: dict[tuple[str, str, int], dict[str, str]] = field(default_factory=dict)

    def scoped_key(self, scope: str) -> SecretKey:
        """The key for a pseudonym scope: the key itself, or one derived from the release name."""
        if scope == "release":
            return self.key.derive("release:" + self.release_name)
        return self.key


Operator = Callable[[ibis.Table, str, str, Any, OperatorContext], ibis.Table]
