"""``craftveil generate`` and ``craftveil demo``: sample data, example policy, demo key, release."""

from __future__ import annotations

import secrets
from importlib import resources
from pathlib import Path

from craftveil.cli.output import console
from craftveil.datagen import GeneratorConfig, generate
from craftveil.errors import OutputExistsError
from craftveil.pipeline.context import ProgressFn
from craftveil.pipeline.run import ReleaseResult, release


def run_generate(
    out: Path, *, sales: int, vendors: int | None, seed: int, fmt: str, overwrite: bool
) -> None:
    config = GeneratorConfig(n_sales=sales, n_vendors=vendors, seed=seed, fmt=fmt)  # type: ignore[arg-type]
    result = generate(out, config, overwrite=overwrite)
    console.print(f"Generated sample data in [bold]{out}[/bold]")
    for name, rows in result.row_counts.items():
        console.print(f"  {name:<10} {rows:>12,} rows")


def demo_policy_text() -> str:
    return resources.files("craftveil.demo").joinpath("policy.yaml").read_text(encoding="utf-8")


def run_demo(
    out: Path, *, sales: int, overwrite: bool, progress: ProgressFn, seed: int = 7
) -> ReleaseResult:
    """Write OUT/data, OUT/policy.yaml, OUT/secret.key and the release in OUT/release."""
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise OutputExistsError(
            f"{out} already exists and is not empty — choose another directory or pass --overwrite"
        )
    out.mkdir(parents=True, exist_ok=True)
    generate(out / "data", GeneratorConfig(n_sales=sales, seed=seed), overwrite=overwrite)
    (out / "policy.yaml").write_text(demo_policy_text(), encoding="utf-8")
    key_file = out / "secret.key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
        key_file.chmod(0o600)
    return release(out / "policy.yaml", out / "release", overwrite=overwrite, progress=progress)
