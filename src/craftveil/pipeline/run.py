"""Run a release: the pipeline is a visible tuple of small steps (sqlglot-style).

The release is built in a temporary directory beside the target and moved into place only when
complete; on any failure the temporary directory is removed, so there is never a partial release.
An existing release is replaced only when the caller says so.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from craftveil.engine import Engine, make_engine
from craftveil.errors import OutputExistsError, PolicyError, Problem
from craftveil.keys import resolve_secret
from craftveil.pipeline.context import ProgressFn, RunContext, _no_progress
from craftveil.pipeline.governance_step import check_governance
from craftveil.pipeline.guarantees_step import state_guarantees
from craftveil.pipeline.load_step import load_sources
from craftveil.pipeline.mask_step import mask_tables
from craftveil.pipeline.plan import make_plan
from craftveil.pipeline.records import build_manifest, build_masking_record
from craftveil.pipeline.report_step import write_reports
from craftveil.pipeline.write_step import write_tables
from craftveil.policy.load import load_policy
from craftveil.reporting.masking_record import render_impact_markdown, render_masking_markdown

Step = Callable[[RunContext], None]


# The optional steps import their modules (pandas, OpenDP, the risk search) only when the policy
# has their section: a masking-only release does not pay ~0.5 s of imports at start-up.
def check_utility(ctx: RunContext) -> None:
    if ctx.plan.policy.utility is not None:
        from craftveil.pipeline.utility_step import check_utility as step

        step(ctx)


def assess_risk(ctx: RunContext) -> None:
    if any(tp.spec.risk is not None and tp.spec.release for tp in ctx.plan.tables):
        from craftveil.pipeline.risk_step import assess_risk as step

        step(ctx)


def protect_aggregates(ctx: RunContext) -> None:
    if ctx.plan.policy.aggregates is not None:
        from craftveil.pipeline.aggregates_step import protect_aggregates as step

        step(ctx)


def dp_statistics(ctx: RunContext) -> None:
    if ctx.plan.policy.dp is not None:
        from craftveil.pipeline.dp_step import dp_statistics as step

        step(ctx)


def measure_utility(ctx: RunContext) -> None:
    if ctx.plan.policy.utility is not None:
        from craftveil.pipeline.utility_step import measure_utility as step

        step(ctx)


ENGINE_SPILL_DIR = ".engine-spill"

ASSESS_STEPS = frozenset({"governance", "load", "mask", "guarantees", "risk"})

STEPS: tuple[tuple[str, Step], ...] = (
    ("governance", check_governance),
    ("utility_check", check_utility),
    ("load", load_sources),
    ("mask", mask_tables),
    ("guarantees", state_guarantees),
    ("risk", assess_risk),
    ("aggregates", protect_aggregates),
    ("dp", dp_statistics),
    ("write", write_tables),
    # After write (still inside the temporary directory): a failed gate leaves nothing behind,
    # and `assess` (which stops at write) does not run the utility analyses.
    ("utility", measure_utility),
)


@dataclass(frozen=True)
class ReleaseResult:
    """Where the release is and what it holds."""

    directory: Path
    manifest: dict[str, Any]

    @property
    def manifest_path(self) -> Path:
        return self.directory / "manifest.json"

    @property
    def masking_record_path(self) -> Path:
        return self.directory / "masking.md"


def _dump(path: Path, data: Any) -> None:
    path.write_text(
        json.dumps(data, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8"
    )


def _write_records(ctx: RunContext, created_at: dt.datetime | None) -> dict[str, Any]:
    manifest = build_manifest(ctx, created_at)
    record = build_masking_record(ctx)
    _dump(ctx.workdir / "masking.json", record)
    impact = render_impact_markdown(ctx.sections.get("utility"))
    (ctx.workdir / "masking.md").write_text(
        render_masking_markdown(record) + impact, encoding="utf-8"
    )
    write_reports(ctx, manifest)
    _dump(ctx.workdir / "journal.json", ctx.journal.to_list())
    _dump(ctx.workdir / "manifest.json", manifest)
    return manifest


def release(
    policy_path: Path | str,
    out_dir: Path | str,
    *,
    overwrite: bool = False,
    engine: str = "duckdb",
    progress: ProgressFn = _no_progress,
    steps: Sequence[tuple[str, Step]] = STEPS,
    created_at: dt.datetime | None = None,
) -> ReleaseResult:
    """Produce a complete release of ``policy_path`` in ``out_dir`` (atomically)."""
    policy_path = Path(policy_path).resolve()
    out = Path(out_dir).resolve()
    if out.exists() and not overwrite:
        raise OutputExistsError(
            f"{out} already exists — choose another output directory, or pass --overwrite "
            "to replace the release there"
        )
    policy = load_policy(policy_path)
    key = resolve_secret(
        env=policy.secret.env, file=policy.secret.file, base_dir=policy_path.parent
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f".{out.name}.craftveil-tmp-", dir=out.parent))
    workdir.chmod(0o755)  # mkdtemp makes it private; a release is meant to be shared
    spill = workdir / ENGINE_SPILL_DIR  # the engine's spill files die with the temporary dir
    eng: Engine | None = None
    try:
        eng = make_engine(engine, temp_directory=spill)
        plan = make_plan(policy, policy_path, eng)
        ctx = RunContext(
            plan=plan, engine=eng, key=key, workdir=workdir, release_dir=out, progress=progress
        )
        for _name, step in steps:
            step(ctx)
        manifest = _write_records(ctx, created_at)
        eng.close()
        shutil.rmtree(spill, ignore_errors=True)
        _move_into_place(workdir, out, overwrite)
    except BaseException:
        if eng is not None:
            with contextlib.suppress(Exception):
                eng.close()
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return ReleaseResult(out, manifest)


def assess(
    policy_path: Path | str, *, engine: str = "duckdb", progress: ProgressFn = _no_progress
) -> dict[str, Any]:
    """Run the steps up to the risk assessment without writing anything; return its section."""
    policy_path = Path(policy_path).resolve()
    policy = load_policy(policy_path)
    key = resolve_secret(
        env=policy.secret.env, file=policy.secret.file, base_dir=policy_path.parent
    )
    eng = make_engine(engine)
    with tempfile.TemporaryDirectory(prefix="craftveil-assess-") as tmp:
        try:
            plan = make_plan(policy, policy_path, eng)
            ctx = RunContext(plan=plan, engine=eng, key=key, workdir=Path(tmp), progress=progress)
            for name, step in STEPS:
                if name in ASSESS_STEPS:  # never the DP step: assessing must spend no budget
                    step(ctx)
        finally:
            eng.close()
    risk: dict[str, Any] = ctx.sections.get("risk", {})
    return risk


def plan_dp(policy_path: Path | str, *, with_data: bool = False) -> str:
    """The DP planner's report for the policy's ``dp:`` section; spends nothing, writes nothing.

    With the data, cell sizes are computed from the raw table to predict which cells would be
    withheld — that look at the data is NOT differentially private and is for the steward only.
    """
    from craftveil.dp import plan

    policy_path = Path(policy_path).resolve()
    policy = load_policy(policy_path)
    if policy.dp is None:
        raise PolicyError([Problem("dp", "the policy has no dp: section", "declare one")])
    if not with_data:
        return plan(policy.dp).to_text()
    eng = make_engine()
    try:
        plan_ = make_plan(policy, policy_path, eng)
        source = next(tp for tp in plan_.tables if tp.name == policy.dp.table)
        table = eng.load(source.source)
        vendor = policy.tables[policy.dp.table].vendor_column
        return plan(policy.dp, source=table, vendor_column=vendor).to_text()
    finally:
        eng.close()


def _move_into_place(workdir: Path, out: Path, overwrite: bool) -> None:
    if out.exists():
        if not overwrite:
            raise OutputExistsError(
                f"{out} appeared while the release was being built; not replaced"
            )
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.craftveil-old-", dir=out.parent))
        os.rename(out, old / "release")
        os.rename(workdir, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(workdir, out)
