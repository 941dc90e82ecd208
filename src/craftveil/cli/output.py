"""How the command line shows results and errors (Rich): problems as a table, no tracebacks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from craftveil.errors import CraftveilError, ProblemsError

console = Console()
err_console = Console(stderr=True)


def show_error(exc: CraftveilError) -> None:
    if isinstance(exc, ProblemsError) and not err_console.is_terminal:
        # Piped or in CI: one grep-able line per problem, never cut by a table's width.
        err_console.print(str(exc), highlight=False, markup=False, soft_wrap=True)
        err_console.print(f"{len(exc.problems)} problem(s); nothing was written.", style="red")
    elif isinstance(exc, ProblemsError):
        header = str(exc).splitlines()[0] if str(exc) else "problems found"
        table = Table(title=header, show_lines=False, title_justify="left")
        table.add_column("where", style="bold")
        table.add_column("problem")
        table.add_column("fix", style="green")
        for p in exc.problems:
            table.add_row(p.location, p.message, p.fix)
        err_console.print(table)
        err_console.print(f"[red]{len(exc.problems)} problem(s); nothing was written.[/red]")
    else:
        err_console.print(
            Text.assemble(("error: ", "bold red"), str(exc)), highlight=False, soft_wrap=True
        )
        err_console.print("Nothing was written.", style="red")


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn craftveil's own errors into a message and exit code 2 (no traceback)."""
    try:
        yield
    except CraftveilError as exc:
        show_error(exc)
        raise typer.Exit(code=2) from None


@contextmanager
def progress_bar() -> Iterator[Progress]:
    with Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
        disable=not err_console.is_terminal,
    ) as bar:
        yield bar


class StepProgress:
    """Adapter from the pipeline's progress callback to Rich tasks, one bar per phase."""

    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, step: str, done: int, total: int) -> None:
        phase = step.split(" ")[0]
        if phase not in self.tasks:
            self.tasks[phase] = self.bar.add_task(phase, total=total)
        task = self.tasks[phase]
        self.bar.update(task, completed=done, total=total, description=step)
