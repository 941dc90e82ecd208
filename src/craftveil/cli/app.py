"""The ``craftveil`` command line: thin — parse, call the library, present."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from craftveil.cli.history import history as history_command
from craftveil.cli.incident import incident_app
from craftveil.cli.output import StepProgress, console, progress_bar, user_errors

app = typer.Typer(
    help="Share artisanal producers' data for analytics without exposing any single vendor.",
    no_args_is_help=True,
    add_completion=False,
)

OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Output directory.")]
Overwrite = Annotated[
    bool, typer.Option("--overwrite", help="Replace an existing output (never silently).")
]


@app.command()
def release(
    policy: Annotated[Path, typer.Argument(help="The policy YAML file.")],
    out: OutOpt,
    overwrite: Overwrite = False,
    engine: Annotated[str, typer.Option(help="Execution engine.")] = "duckdb",
) -> None:
    """Write a release of POLICY to OUT (atomically; refuses an existing OUT)."""
    from craftveil.pipeline.run import release as run_release

    with user_errors(), progress_bar() as bar:
        result = run_release(
            policy, out, overwrite=overwrite, engine=engine, progress=StepProgress(bar)
        )
    console.print(f"Release written to [bold]{result.directory}[/bold]")
    console.print(f"  manifest:       {result.manifest_path}")
    console.print(f"  masking record: {result.masking_record_path}")


@app.command()
def check(
    policy: Annotated[Path, typer.Argument(help="The policy YAML file.")],
    no_data: Annotated[
        bool, typer.Option("--no-data", help="Validate the policy alone, without the data.")
    ] = False,
) -> None:
    """Validate POLICY (and, with the data present, its columns and types). Writes nothing."""
    from craftveil.api import check as run_check

    with user_errors():
        report = run_check(policy, with_data=not no_data)
    console.print(f"[green]OK[/green] {report.summary}")


@app.command()
def init(
    data_files: Annotated[list[Path], typer.Argument(help="CSV or Parquet tables to profile.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Policy file to write.")],
    overwrite: Overwrite = False,
) -> None:
    """Profile DATA_FILES and write a starting policy with suggested roles and actions."""
    from craftveil.api import init_policy

    with user_errors():
        path = init_policy(data_files, out, overwrite=overwrite)
    console.print(f"Starting policy written to [bold]{path}[/bold]")
    console.print("Review every role and action, fill in each `why:`, then run `craftveil check`.")


@app.command()
def generate(
    out: OutOpt,
    sales: Annotated[int, typer.Option(help="Number of sales rows.")] = 200_000,
    vendors: Annotated[int | None, typer.Option(help="Number of vendors.")] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    overwrite: Overwrite = False,
) -> None:
    """Generate the synthetic artisanal dataset (vendors, products, supply, batches, sales)."""
    from craftveil.cli.demo import run_generate

    with user_errors():
        run_generate(out, sales=sales, vendors=vendors, seed=seed, fmt=fmt, overwrite=overwrite)


@app.command()
def demo(
    out: OutOpt,
    sales: Annotated[int, typer.Option(help="Number of sales rows.")] = 200_000,
    overwrite: Overwrite = False,
) -> None:
    """Generate sample data, its example policy and a demo key, and release it: OUT/release."""
    from craftveil.cli.demo import run_demo

    with user_errors(), progress_bar() as bar:
        result = run_demo(out, sales=sales, overwrite=overwrite, progress=StepProgress(bar))
    console.print(f"Sample data:     {out / 'data'}")
    console.print(f"Policy:          {out / 'policy.yaml'}")
    console.print(f"Release:         [bold]{result.directory}[/bold]")
    console.print(f"  manifest:       {result.manifest_path}")
    console.print(f"  masking record: {result.masking_record_path}")


@app.command()
def risk(
    policy: Annotated[Path, typer.Argument(help="The policy YAML file.")],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the full measures as JSON here.")
    ] = None,
) -> None:
    """Measure re-identification risk (before/after) for POLICY's tables; writes no release."""
    import json

    from craftveil.pipeline.run import assess
    from craftveil.risk import RiskReport

    with user_errors(), progress_bar() as bar:
        section = assess(policy, progress=StepProgress(bar))
    if not section:
        console.print("No table of this policy has a `risk:` section.")
    for table, entry in section.items():
        console.rule(f"table {table}")
        console.print("[bold]Before masking[/bold]")
        console.print(RiskReport(entry["before"]).to_text(), highlight=False)
        if "search" in entry:
            s = entry["search"]
            console.print(
                f"[bold]Generalisation[/bold] {s['transformation']} — {s['objective']} "
                f"{s['objective_value']:.1f}, {s['nodes_evaluated']} of {s['lattice_size']} "
                f"transformations evaluated, {s['suppressed_vendors']} vendors suppressed"
            )
        console.print("[bold]After masking[/bold]")
        console.print(RiskReport(entry["after"]).to_text(), highlight=False)
    if json_out is not None:
        json_out.write_text(json.dumps(section, indent=2, default=str) + "\n", encoding="utf-8")
        console.print(f"Full measures written to {json_out}")


dp_app = typer.Typer(help="Differential privacy: plan accuracy before spending budget.")
app.add_typer(dp_app, name="dp")


@dp_app.command("plan")
def dp_plan(
    policy: Annotated[Path, typer.Argument(help="The policy YAML file.")],
    with_data: Annotated[
        bool,
        typer.Option(
            "--with-data",
            help="Predict withheld cells from the real cell sizes (not DP: for the steward only).",
        ),
    ] = False,
) -> None:
    """Margin each DP statistic buys, ε for target margins, cells that would be withheld."""
    from craftveil.pipeline.run import plan_dp

    with user_errors():
        text = plan_dp(policy, with_data=with_data)
    console.print(text, highlight=False)


@app.command()
def schema(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
) -> None:
    """Print (or write) the policy's JSON Schema."""
    from craftveil.policy.schema import policy_json_schema_text

    text = policy_json_schema_text()
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"JSON Schema written to {out}")


app.command()(history_command)
app.add_typer(incident_app, name="incident")


def main() -> None:
    app()
