"""Write the chosen transformation as an engine expression: map each QI, suppress failing classes.

Each QI is joined with a small mapping table (original value -> value at the chosen level), so
the work runs in the engine (DuckDB or Spark) and never as a Python loop over rows. Rows whose
generalised combination the search suppressed get ``*`` in every QI, ARX's record suppression.
"""

from __future__ import annotations

from collections.abc import Mapping

import ibis
import pandas as pd

from craftveil.errors import DataError
from craftveil.hierarchies import SUPPRESSED, Hierarchy
from craftveil.risk.frequency import NULL_LABEL
from craftveil.risk.result import SearchResult


def apply_generalisation(
    table: ibis.Table, hierarchies: Mapping[str, Hierarchy], result: SearchResult
) -> ibis.Table:
    """The released table: QIs at their chosen levels (as text), suppressed rows all ``*``."""
    columns = list(table.columns)
    expr = table.mutate(
        **{
            f"__orig_{i}": table[q].cast("string").fill_null(NULL_LABEL)
            for i, q in enumerate(result.qis)
        }
    )
    if result.local_recoding:
        return _apply_local(expr, columns, result)
    for i, q in enumerate(result.qis):
        if q not in hierarchies:
            raise DataError(f"quasi-identifier {q!r} has no hierarchy — declare one for it")
        mapping = hierarchies[q].mapping(result.levels[q])
        frame = pd.DataFrame({f"__key_{i}": list(mapping), f"__gen_{i}": list(mapping.values())})
        memtable = ibis.memtable(frame, schema={f"__key_{i}": "string", f"__gen_{i}": "string"})
        expr = expr.left_join(memtable, expr[f"__orig_{i}"] == memtable[f"__key_{i}"]).drop(
            f"__key_{i}"
        )
    generalised = [f"__gen_{i}" for i in range(len(result.qis))]
    if result.suppressed_combinations:
        frame = pd.DataFrame(
            list(result.suppressed_combinations), columns=[f"__s_{g}" for g in generalised]
        )
        frame["__suppress"] = True
        supp = ibis.memtable(frame)
        expr = expr.left_join(supp, [expr[g] == supp[f"__s_{g}"] for g in generalised]).drop(
            *[f"__s_{g}" for g in generalised]
        )
        flag = expr["__suppress"].fill_null(False)
    else:
        flag = ibis.literal(False)
    replaced = {
        q: ibis.ifelse(flag, ibis.literal(SUPPRESSED), expr[f"__gen_{i}"])
        for i, q in enumerate(result.qis)
    }
    return expr.select(*[replaced[c].name(c) if c in replaced else expr[c] for c in columns])


def _apply_local(expr: ibis.Table, columns: list[str], result: SearchResult) -> ibis.Table:
    """Local recoding: one join on all original QI values with the per-combination recoding."""
    d = len(result.qis)
    frame = pd.DataFrame(
        [(*orig, *gen) for orig, gen in result.local_recoding],
        columns=[f"__key_{i}" for i in range(d)] + [f"__gen_{i}" for i in range(d)],
    )
    recoding = ibis.memtable(frame, schema={c: "string" for c in frame.columns})
    joined = expr.left_join(
        recoding, [expr[f"__orig_{i}"] == recoding[f"__key_{i}"] for i in range(d)]
    )
    released = {q: joined[f"__gen_{i}"] for i, q in enumerate(result.qis)}
    return joined.select(*[released[c].name(c) if c in released else joined[c] for c in columns])
