"""The whole tabular-protection chain: tabulate → primary → secondary → audit → frames.

Fails closed: when the attacker-interval audit of the final pattern does not pass, a
:class:`PrivacyRequirementError` is raised and nothing is returned. The public audit summary
gives counts and the verdict but never the rule parameters or protection levels (the ESSnet
handbook advises keeping them confidential); the full summary is for the restricted tier.

Order statistics (median, quartiles) can reveal a single vendor's value, so they are published
only as bands of the declared width and only for published cells with at least
``quantile_min_vendors`` vendors ("quantile rule" below).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pandas as pd

from craftveil.errors import PrivacyRequirementError
from craftveil.journal import Journal
from craftveil.policy.aggregates import AggregatesPolicy, Table
from craftveil.sdc.audit import AuditResult, audit
from craftveil.sdc.cells import CellSystem, TableLayout
from craftveil.sdc.intervals import analytic, cluster_bootstrap
from craftveil.sdc.rules import primary_suppression
from craftveil.sdc.secondary import SecondaryReport, secondary_suppression

SUPPRESSED = ("primary", "secondary")


@dataclass
class ProtectedTables:
    """Per table a frame (keys, statistics, status, CIs; suppressed values blank) and audits."""

    tables: dict[str, pd.DataFrame]
    tiers: dict[str, str]
    audit_public: dict[str, Any]
    audit_full: dict[str, Any]
    system: CellSystem
    secondary: SecondaryReport | None
    notes: list[str] = field(default_factory=list)


def _share_parent(layout: TableLayout) -> pd.Series:
    """Cell id -> cell id of the same cell with the table's first dimension at its total."""
    frame = layout.frame
    first = layout.dimensions[0]
    others = [c for d in layout.dimensions[1:] for c in (d.name, f"{d.name}__level")]
    totals = frame[frame[f"{first.name}__level"] == "total"][[*others, "cell_id"]]
    if others:
        merged = frame[[*others, "cell_id"]].merge(
            totals.rename(columns={"cell_id": "parent"}), on=others, how="left"
        )
    else:
        merged = frame[["cell_id"]].assign(parent=int(totals.cell_id.iloc[0]))
    merged = merged[merged.cell_id >= 0]
    return pd.Series(
        merged["parent"].fillna(-1).to_numpy(dtype=np.int64), index=merged["cell_id"].to_numpy()
    )


def _band(values: pd.Series, width: float) -> pd.Series:
    low = np.floor(values.to_numpy(dtype=float) / width) * width
    return pd.Series(
        [None if np.isnan(v) else f"[{v:g}, {v + width:g})" for v in low], index=values.index
    )


def _table_frame(
    spec: Table,
    layout: TableLayout,
    system: CellSystem,
    ci: pd.DataFrame | None,
    quarters: int,
) -> pd.DataFrame:
    cells = system.cells
    frame = layout.frame.copy()
    ids = frame["cell_id"].to_numpy()
    present = ids >= 0
    safe_ids = np.where(present, ids, 0)
    status = np.where(present, cells["status"].to_numpy()[safe_ids], "empty")
    frame["status"] = status
    published = status == "published"
    visible = published | (status == "empty")
    value = np.where(present, cells["value"].to_numpy(dtype=float)[safe_ids], 0.0)
    vendors = np.where(present, cells["vendors"].to_numpy(dtype=float)[safe_ids], 0.0)
    rows = np.where(present, cells["rows"].to_numpy(dtype=float)[safe_ids], 0.0)

    def shown(x: np.ndarray, mask: np.ndarray = visible) -> np.ndarray:
        return np.where(mask, x, np.nan)

    out = frame.drop(columns=["cell_id"])
    if "vendors" in spec.measures:
        out["vendors"] = shown(vendors)
    if "sales" in spec.measures:
        out["sales"] = shown(rows)
    if "total" in spec.measures:
        out["total"] = shown(value)
        if ci is not None:
            for side in ("low", "high"):
                out[f"total_ci_{side}"] = shown(
                    ci[f"total_ci_{side}"].to_numpy()[safe_ids], published
                )
    if "mean_per_vendor_per_quarter" in spec.measures:
        mean = np.divide(
            value, vendors * quarters, out=np.full_like(value, np.nan), where=vendors > 0
        )
        out["mean_per_vendor_per_quarter"] = shown(mean, published)
        if ci is not None:
            for side in ("low", "high"):
                out[f"mean_per_vendor_per_quarter_ci_{side}"] = shown(
                    ci[f"mean_ci_{side}"].to_numpy()[safe_ids] / quarters, published
                )
    if "share" in spec.measures:
        parents = _share_parent(layout).reindex(ids).fillna(-1).to_numpy(dtype=np.int64)
        parent_ok = (parents >= 0) & published
        parent_ok[parent_ok] = cells["status"].to_numpy()[parents[parent_ok]] == "published"
        parent_value = np.where(
            parents >= 0,
            cells["value"].to_numpy(dtype=float)[np.where(parents >= 0, parents, 0)],
            np.nan,
        )
        share = np.divide(
            value,
            parent_value,
            out=np.full_like(value, np.nan),
            where=parent_ok & (parent_value != 0),
        )
        out["share"] = share
        if ci is not None and "share_ci_low" in ci:
            for side in ("low", "high"):
                out[f"share_ci_{side}"] = np.where(
                    np.isnan(share), np.nan, ci[f"share_ci_{side}"].to_numpy()[safe_ids]
                )
    quantile_ok = pd.Series(published & (vendors >= spec.quantile_min_vendors), index=out.index)
    if "median_band" in spec.measures:
        out["median_band"] = _band(frame["q50"], spec.band_width).where(quantile_ok, None)
    if "quartile_bands" in spec.measures:
        out["q25_band"] = _band(frame["q25"], spec.band_width).where(quantile_ok, None)
        out["q75_band"] = _band(frame["q75"], spec.band_width).where(quantile_ok, None)
    return out.drop(columns=[c for c in ("q25", "q50", "q75") if c in out])


def _audit_summaries(
    system: CellSystem, result: AuditResult, report: SecondaryReport | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    status = system.cells["status"]
    public = {
        "cells": len(status),
        "primary_cells": int((status == "primary").sum()),
        "secondary_cells": int((status == "secondary").sum()),
        "audited_cells": len(result.intervals),
        "passed": result.passed,
        "method": "two linear programs per suppressed primary cell over all published cells "
        "and all additivity relations of all tables (cells >= 0), HiGHS",
    }
    full = dict(public)
    full["intervals"] = result.intervals.reset_index().to_dict(orient="records")
    full["unsafe_by"] = system.cells.loc[status == "primary", "unsafe_by"].value_counts().to_dict()
    if report is not None:
        full["secondary"] = report.__dict__
    return public, full


def protect(
    source: ibis.Table,
    policy: AggregatesPolicy,
    vendor_column: str,
    *,
    base_dir: Path | None = None,
    journal: Journal | None = None,
) -> ProtectedTables:
    """Tabulate, protect and audit every table of the policy; raise when the audit fails."""
    from craftveil.sdc.tabulate import build_tables

    bootstrap = policy.confidence is not None and policy.confidence.method == "cluster_bootstrap"
    system = build_tables(
        source, policy, vendor_column, base_dir=base_dir, keep_contributions=bootstrap
    )
    primary_suppression(system, policy.rules)
    report: SecondaryReport | None = None
    if (system.cells["status"] == "primary").any():
        system, report = secondary_suppression(system)
    result = audit(system)
    if not result.passed:
        raise PrivacyRequirementError(
            f"the suppression pattern fails the attacker-interval audit for "
            f"{len(result.failed_cells)} cell(s) and {len(result.singleton_violations)} "
            "singleton relation(s); no tables are released",
            what_would_help=[
                "coarser dimensions (fewer codes or hierarchy levels)",
                "fewer linked tables in one release",
            ],
        )
    ci: pd.DataFrame | None = None
    if policy.confidence is not None:
        if bootstrap:
            parents = pd.concat([_share_parent(layout) for layout in system.tables.values()])
            parents = parents[~parents.index.duplicated()]
            ci = cluster_bootstrap(system, policy.confidence, parents)
        else:
            ci = analytic(system, policy.confidence.level)
    frames: dict[str, pd.DataFrame] = {}
    for spec in policy.tables:
        quarters = 1
        if "mean_per_vendor_per_quarter" in spec.measures and spec.quarter_column:
            col = source[spec.quarter_column]
            quarter = col.year().cast("string") + "-Q" + col.quarter().cast("string")
            quarters = max(1, int(source.select(q=quarter).q.nunique().to_pyarrow().as_py()))
        frames[spec.name] = _table_frame(spec, system.tables[spec.name], system, ci, quarters)
    public, full = _audit_summaries(system, result, report)
    if journal is not None:
        journal.add(
            "aggregates",
            f"Protected {len(frames)} table(s) as one linked system of {public['cells']} cells: "
            f"{public['primary_cells']} unsafe by the sensitivity rules, "
            f"{public['secondary_cells']} suppressed to protect them; the attacker-interval "
            "audit passed.",
            **public,
        )
    return ProtectedTables(
        tables=frames,
        tiers={t.name: t.tier for t in policy.tables},
        audit_public=public,
        audit_full=full,
        system=system,
        secondary=report,
        notes=[
            "quantile rule: median and quartiles are published only as bands, and only for "
            "published cells with enough vendors",
            "confidence intervals: "
            + (policy.confidence.method if policy.confidence else "none (census data)"),
        ],
    )
