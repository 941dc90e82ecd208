"""The release's records built from a finished run: the manifest and the masking record.

``manifest.json``: what was released, from what, under which guarantees — all checkable. Hashes
of the policy, every input and every output; row counts; the key's fingerprint (never the key);
the creation time (the only field that differs between two runs of the same release).

``masking.json``: every column of every source table — what was done, why, and its effect (a
view of the journal's ``mask`` entries plus the tables' row accounting); the reporting package
renders it (``reporting.masking_record``) without depending on the pipeline.
"""

from __future__ import annotations

import datetime as dt
import platform
from typing import Any

import duckdb
import ibis

import craftveil
from craftveil.pipeline.context import RunContext
from craftveil.policy.load import policy_sha256

FORMAT = "craftveil-release/1"


def build_manifest(ctx: RunContext, created_at: dt.datetime | None = None) -> dict[str, Any]:
    plan = ctx.plan
    policy = plan.policy
    created = created_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    inputs = [
        {
            "table": tp.name,
            "file": tp.spec.path,
            "sha256": ctx.tables[tp.name].input_sha256,
            "rows": ctx.tables[tp.name].rows_in,
            "released": tp.spec.release,
        }
        for tp in plan.tables
    ]
    return {
        "format": FORMAT,
        "craftveil_version": craftveil.__version__,
        "engine": {"name": ctx.engine.name, "duckdb": duckdb.__version__, "ibis": ibis.__version__},
        "python": platform.python_version(),
        "release_name": policy.name,
        "dataset": policy.dataset,
        "created_at": created.isoformat(),
        "policy": {"file": plan.policy_path.name, "sha256": policy_sha256(plan.policy_path)},
        "key_fingerprint": ctx.key.fingerprint,
        "privacy_unit": policy.privacy_unit.name,
        "inputs": inputs,
        "outputs": sorted(ctx.outputs, key=lambda o: str(o["path"])),
        "guarantees": ctx.guarantees,
        "governance": {
            "owner": policy.governance.owner,
            "last_review": policy.governance.last_review.isoformat(),
            "review_cadence_days": policy.governance.review_cadence_days,
        },
    }


def build_masking_record(ctx: RunContext) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for tp in ctx.plan.tables:
        state = ctx.tables[tp.name]
        if not tp.spec.release:
            tables[tp.name] = {
                "released": False,
                "rows_in": state.rows_in,
                "columns": {
                    c: {
                        "role": s.role.value,
                        "action": "not released (table withheld)",
                        "why": s.why,
                    }
                    for c, s in tp.spec.columns.items()
                },
            }
            continue
        tables[tp.name] = {
            "released": True,
            "tier": tp.spec.tier,
            "rows_in": state.rows_in,
            "rows_out": state.rows_out,
            "rows_dropped": state.rows_dropped,
            "columns": state.columns,
        }
    return {"release_name": ctx.plan.policy.name, "tables": tables}
