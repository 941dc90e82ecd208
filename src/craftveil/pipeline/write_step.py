"""Step: write every released table as Parquet and CSV into its tier directory.

Rows are ordered by a hash of their released values (ties broken by the values): the output is
reproducible byte for byte, and row order carries no information about the source's order. The
engine sorts once, into the Parquet file; the CSV is written from that file. In CSV, text cells
that begin with ``=``, ``+``, ``-``, ``@``, tab or CR are prefixed with ``'`` (spreadsheet formula
injection, OWASP CSV injection); numbers stay numbers.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import ibis

from craftveil.pipeline.context import RunContext

FORMULA_START = "=+-@\t\r"


def neutralise_formulas(table: ibis.Table) -> ibis.Table:
    """Text columns: prefix a quote to cells a spreadsheet would run as a formula.

    The first character is looked up in a fixed string: cheaper than a regular expression, and
    unlike an ``IN`` list it is never rewritten into a join by the engine's optimiser.
    """
    fixed = {}
    starts = ibis.literal(FORMULA_START)
    for name, dtype in table.schema().items():
        if dtype.is_string():
            col = table[name]
            formula = (col.length() > 0) & starts.contains(col.substr(0, 1))
            fixed[name] = ibis.ifelse(formula, "'" + col, col)
    return table.mutate(**fixed) if fixed else table


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def record_output(
    ctx: RunContext, path: Path, table: str, tier: str, fmt: str, rows: int | None
) -> None:
    """Add a written file to the manifest's outputs (path relative to the release, SHA-256)."""
    ctx.outputs.append(
        {
            "path": path.relative_to(ctx.workdir).as_posix(),
            "table": table,
            "tier": tier,
            "format": fmt,
            "rows": rows,
            "sha256": sha256_of(path),
        }
    )


def write_tables(ctx: RunContext) -> None:
    policy = ctx.plan.policy
    todo = [tp for tp in ctx.plan.tables if tp.spec.release]
    for i, tp in enumerate(todo):
        ctx.progress(f"writing {tp.name}", i, len(todo))
        state = ctx.tables[tp.name]
        assert state.released is not None
        tier_dir = ctx.workdir / tp.spec.tier
        tier_dir.mkdir(exist_ok=True)
        pq = tier_dir / f"{tp.name}.parquet" if policy.output.parquet else None
        csv = tier_dir / f"{tp.name}.csv" if policy.output.csv else None
        ctx.engine.write_release(state.released, parquet=pq, csv=csv, csv_view=neutralise_formulas)
        if pq is not None:  # later steps read the rows as released, sorted, without recomputing
            state.released = ctx.engine.scan(pq)
        for path, fmt in ((pq, "parquet"), (csv, "csv")):
            if path is not None:
                record_output(ctx, path, tp.name, tp.spec.tier, fmt, state.rows_out)
        ctx.journal.add(
            "write",
            f"Wrote {state.rows_out:,} rows of '{tp.name}' to the {tp.spec.tier} tier.",
            table=tp.name,
            rows=state.rows_out,
            tier=tp.spec.tier,
        )
    ctx.progress("writing", len(todo), len(todo))
