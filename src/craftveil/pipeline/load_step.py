"""Step: read every source table into the engine with explicit types, hash it, count its rows."""

from __future__ import annotations

from craftveil.errors import DataError
from craftveil.pipeline.context import RunContext, TableState
from craftveil.pipeline.write_step import sha256_of


def load_sources(ctx: RunContext) -> None:
    total = len(ctx.plan.tables)
    for i, tp in enumerate(ctx.plan.tables):
        ctx.progress(f"reading {tp.name}", i, total)
        table = ctx.engine.load(tp.source)
        rows = int(ctx.engine.fetch(table.count()).column(0)[0].as_py())
        if rows == 0:
            raise DataError(
                f"{tp.source.path}: table '{tp.name}' has no rows — check the file, or remove "
                f"tables.{tp.name} from the policy"
            )
        sha = sha256_of(tp.source.path)
        ctx.tables[tp.name] = TableState(tp.name, table, rows, sha)
        ctx.journal.add(
            "load",
            f"Read {rows:,} rows of table '{tp.name}' from {tp.source.path.name}.",
            table=tp.name,
            rows=rows,
            sha256=sha,
            file=tp.spec.path,
        )
    ctx.progress("reading", total, total)
