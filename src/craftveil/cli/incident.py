"""``craftveil incident add/list``: the append-only incident log next to the releases."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from craftveil.cli.output import console, user_errors

incident_app = typer.Typer(
    help="Append-only incident log (hash-chained JSON lines) next to the releases.",
    no_args_is_help=True,
)

DirOpt = Annotated[
    Path, typer.Option("--dir", "-d", help="Directory holding the releases and the log.")
]


@incident_app.command("add")
def add(
    summary: Annotated[str, typer.Argument(help="What happened, in one or two sentences.")],
    directory: DirOpt = Path("."),
    severity: Annotated[str, typer.Option(help="low, medium, high or critical.")] = "medium",
    release: Annotated[str, typer.Option(help="The release concerned, if any.")] = "",
    action: Annotated[str, typer.Option(help="What was done about it.")] = "",
) -> None:
    """Append an incident to DIR/incidents.jsonl (after verifying the log's hash chain)."""
    from craftveil.governance.incidents import add_incident

    with user_errors():
        entry = add_incident(directory, summary, severity=severity, release=release, action=action)
    console.print(f"Incident {entry['sequence']} recorded ({entry['hash'][:12]}…)")


@incident_app.command("list")
def list_(directory: DirOpt = Path(".")) -> None:
    """List the incidents in DIR/incidents.jsonl; fails if the log was tampered with."""
    from craftveil.governance.incidents import LOG_NAME, read_log

    with user_errors():
        entries = read_log(directory / LOG_NAME)
    if not entries:
        console.print(f"No incidents recorded in {directory / LOG_NAME}.")
        return
    table = Table("#", "recorded", "severity", "release", "summary", "action")
    for e in entries:
        table.add_row(
            str(e["sequence"]),
            e["recorded_at"],
            e["severity"],
            e["release"],
            e["summary"],
            e["action"],
        )
    console.print(table)
    console.print(f"Hash chain verified ({len(entries)} entries).")
