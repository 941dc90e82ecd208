"""The journal: one plain-data record of everything a release did, and why.

Every pipeline step appends entries (step, plain sentence, inputs, outputs, details). The
manifest, masking record, report, lineage and privacy notice are all *views* of this journal, so
they cannot disagree (ARCHITECTURE.md, "One flow"). Plain data only: no engine objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSONValue = Any  # a value json.dumps accepts


@dataclass(frozen=True)
class JournalEntry:
    """One thing a step did: a plain sentence plus machine-readable details."""

    step: str
    sentence: str
    table: str | None = None
    column: str | None = None
    details: dict[str, JSONValue] = field(default_factory=dict)

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "step": self.step,
            "sentence": self.sentence,
            "table": self.table,
            "column": self.column,
            "details": self.details,
        }


@dataclass
class Journal:
    """Append-only list of entries; sections of the report select entries by ``step``."""

    entries: list[JournalEntry] = field(default_factory=list)

    def add(
        self,
        step: str,
        sentence: str,
        *,
        table: str | None = None,
        column: str | None = None,
        **details: JSONValue,
    ) -> JournalEntry:
        entry = JournalEntry(step, sentence, table, column, dict(details))
        self.entries.append(entry)
        return entry

    def by_step(self, step: str) -> list[JournalEntry]:
        return [e for e in self.entries if e.step == step]

    def to_list(self) -> list[dict[str, JSONValue]]:
        return [e.to_dict() for e in self.entries]
