"""Write the risk step into the release journal: one plain sentence per finding, details as data.

The manifest's guarantees, the masking record and the report's risk section are views of these
entries (ARCHITECTURE.md, "One flow"), so what the search chose and what the measures found are
stated once, here.
"""

from __future__ import annotations

from craftveil.journal import Journal, JournalEntry
from craftveil.risk.report import RiskReport
from craftveil.risk.result import SearchResult

STEP = "risk"


def record_measures(
    journal: Journal, report: RiskReport, *, stage: str, table: str | None = None
) -> JournalEntry:
    """Record the risk measures of one table state (``stage`` is e.g. 'before' or 'after')."""
    sentence = f"Risk {stage} masking: " + report.to_text().replace("\n", " ")
    return journal.add(STEP, sentence, table=table, stage=stage, measures=report.to_dict())


def record_search(
    journal: Journal, result: SearchResult, *, table: str | None = None
) -> JournalEntry:
    """Record the chosen transformation, its cost and what it suppresses (the guarantee)."""
    levels = ", ".join(f"{q} at level {lv}" for q, lv in result.levels.items())
    how = "optimal" if result.optimal else f"best found ({result.progress})"
    sentence = (
        f"Generalised {levels} ({result.method}; {how}; {result.nodes_evaluated} of "
        f"{result.lattice_size} transformations evaluated). Every released class holds at least "
        f"{result.min_vendors_per_class} distinct vendors; {result.suppressed_rows} rows of "
        f"{result.suppressed_vendors} vendors were suppressed; {result.objective} = "
        f"{result.objective_value:.2f}."
    )
    return journal.add(STEP, sentence, table=table, guarantee=result.to_dict())
