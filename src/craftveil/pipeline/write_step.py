"""Step: write every released table as Parquet and CSV into its tier directory.

Rows are ordered by their released values: the output is reproducible byte for byte, and row
order carries no information about the source's order. In CSV, text cells that begin with
``=``, ``+``, ``-``, ``@``, tab or CR are prefixed with ``'`` (spreadsheet formula injection, OWASP
CSV injection); numbers stay numbers.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import ibis

from craftveil.pipeline.context import RunContext

FORMULA_START = r"^[=+\-@\t\r]"


def neutralise_formulas(table: ibis.Table) -> ibis.Table:
    """Text columns: prefix a quote to cells a spreadsheet would run as a formula."""
    fixed = {}
    for name, dtype in table.schema().items():
        if dtype.is_string():
            col = table[name]
            fixed[name] = ibis.ifelse(col.re_search(FORMULA_START), "'" + col, col)
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
        ordered = state.released
        if not state.released_in_order:  # a later step changed the rows: sort them again
            ordered = ctx.engine.materialize(
                ordered.order_by(list(ordered.columns)), f"out_{tp.name}"
            )
        tier_dir = ctx.workdir / tp.spec.tier
        tier_dir.mkdir(exist_ok=True)
        pq = tier_dir / f"{tp.name}.parquet" if policy.output.parquet else None
        csv = tier_dir / f"{tp.name}.csv" if policy.output.csv else None
        if pq is not None:
            ctx.engine.write(ordered, parquet=pq, csv=None)
        if csv is not None:
            ctx.engine.write(neutralise_formulas(ordered), parquet=None, csv=csv)
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
