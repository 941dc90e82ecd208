"""``manifest.json``: what was released, from what, under which guarantees — all checkable.

Hashes of the policy, every input and every output; row counts; the key's fingerprint (never the
key); the creation time (the only field that differs between two runs of the same release).
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
