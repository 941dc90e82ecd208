"""``craftveil history DIR...``: earlier releases of one dataset, their figures and the trend."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from craftveil.cli.output import console, user_errors


def _fmt(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def history(
    directories: Annotated[list[Path], typer.Argument(help="Release directories of one dataset.")],
) -> None:
    """List releases of one dataset with their risk and utility figures, and the trend."""
    from craftveil.governance.history import release_history, trend

    with user_errors():
        releases = release_history(directories)
    console.print(f"Dataset [bold]{releases[0].dataset}[/bold]: {len(releases)} release(s)")
    keys = list(
        dict.fromkeys(
            [f"risk.{k}" for r in releases for k in r.risk]
            + [f"utility.{k}" for r in releases for k in r.utility]
        )
    )
    table = Table("figure", *[f"{r.release_name}\n{r.created_at[:10]}" for r in releases], "trend")
    changes = trend(releases)
    for key in keys:
        kind, name = key.split(".", 1)
        cells = [_fmt((r.risk if kind == "risk" else r.utility).get(name)) for r in releases]
        change = changes.get(key)
        table.add_row(key, *cells, "–" if change is None else f"{change:+.4g}")
    console.print(table)
