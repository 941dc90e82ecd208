"""Step: measure re-identification risk per vendor, and enforce the policy's requirements.

For each table with a ``risk:`` section: the risk of the raw data on every declared
quasi-identifier (before), then — when the section states requirements (k in distinct vendors,
l, t, average risk) — the least-distorting full-domain generalisation above the policy's own
levels, found on the frequency set (one engine query), applied in the engine, and measured again
(after). If no transformation meets the requirements within the suppression limit, the search
raises PrivacyRequirementError and no release is written (fail closed). The "after" measures are
checked once more against the requirements on the released values themselves.
"""

from __future__ import annotations

from typing import Any

import ibis

from craftveil.errors import InternalError, PrivacyRequirementError
from craftveil.hierarchies import load_arx_hierarchy
from craftveil.pipeline.context import RunContext
from craftveil.pipeline.risk_hierarchies import search_hierarchy
from craftveil.policy.columns import Generalize
from craftveil.policy.risk import RiskPolicy
from craftveil.risk import apply_generalisation, frequency_set, measure_risk, search

ROW_VENDOR = "__craftveil_row_vendor"


def _requires_search(policy: RiskPolicy) -> bool:
    return any(x is not None for x in (policy.k, policy.l, policy.t, policy.max_average_risk))


def _verify(after: dict[str, Any], policy: RiskPolicy, table: str) -> None:
    """Defence in depth: the released values themselves must meet k and average risk."""
    if "k_vendors" not in after:
        return  # everything suppressed
    if policy.k is not None and after["k_vendors"] < policy.k:
        raise InternalError(
            f"table '{table}': released classes hold {after['k_vendors']} vendors, below "
            f"k={policy.k}, although the search accepted the transformation"
        )
    avg = after["prosecutor"]["vendor_level"]["average"]
    if policy.max_average_risk is not None and avg > policy.max_average_risk + 1e-12:
        raise InternalError(f"table '{table}': average risk {avg} above the requirement")


def assess_risk(ctx: RunContext) -> None:
    plan = ctx.plan
    arx = {n: load_arx_hierarchy(p, n) for n, p in plan.hierarchy_files.items()}
    section: dict[str, Any] = ctx.sections.setdefault("risk", {})
    for tp in plan.tables:
        spec, policy = tp.spec, tp.spec.risk
        if policy is None or not tp.spec.release:
            continue
        vendor = spec.vendor_column
        state = ctx.tables[tp.name]
        assert state.released is not None
        source = state.kept if state.kept is not None else state.source
        released = state.released
        if spec.rows_are_vendors:
            vendor = ROW_VENDOR  # one row per vendor: a row number is the vendor's id
            source = source.mutate(**{vendor: ibis.row_number()})
            released = ctx.engine.materialize(
                released.mutate(**{vendor: ibis.row_number()}), f"rows_{tp.name}"
            )
        elif vendor is None:
            raise PrivacyRequirementError(
                f"tables.{tp.name}.risk: risk is measured per vendor, but the table declares no "
                "vendor_column",
                what_would_help=[
                    f"set tables.{tp.name}.vendor_column, or rows_are_vendors: true when each "
                    "row is its own vendor"
                ],
            )
        ctx.progress(f"risk {tp.name}", 0, 3)
        sensitive = policy.sensitive or spec.sensitive
        before = measure_risk(
            frequency_set(source, spec.quasi_identifiers, vendor, sensitive), policy
        )
        released_qis = [q for q in spec.quasi_identifiers if q in released.columns]
        released_sensitive = [s for s in sensitive if s in released.columns]
        if vendor not in released.columns:
            raise PrivacyRequirementError(
                f"tables.{tp.name}: the vendor column '{vendor}' is dropped, so vendors cannot be "
                "counted in the released table",
                what_would_help=[f"pseudonymize '{vendor}' instead of dropping it"],
            )
        fs = frequency_set(released, released_qis, vendor, released_sensitive)
        entry: dict[str, Any] = {"before": before.to_dict(), "requirements": _requirements(policy)}
        ctx.progress(f"risk {tp.name}", 1, 3)
        if _requires_search(policy):
            hierarchies = {
                q: search_hierarchy(
                    q,
                    spec.columns[q],
                    [str(v) for v in fs.values[i]],
                    declared=arx,
                    prefixes=plan.prefix_hierarchies,
                )
                for i, q in enumerate(released_qis)
            }
            for s in released_sensitive:
                s_spec = spec.columns[s]
                if isinstance(s_spec, Generalize) and s_spec.hierarchy is not None:
                    # a sensitive attribute with a hierarchy: t-closeness uses its ground distance
                    values = released.select(v=released[s].cast("string")).distinct().to_pyarrow()
                    hierarchies[s] = search_hierarchy(
                        s,
                        s_spec,
                        [str(v) for v in values.column("v").to_pylist() if v is not None],
                        declared=arx,
                        prefixes=plan.prefix_hierarchies,
                    )
            result = search(fs, hierarchies, policy)
            generalised = apply_generalisation(released, hierarchies, result)
            released = ctx.engine.materialize(generalised, f"risk_{tp.name}")
            state.released = released.drop(vendor) if spec.rows_are_vendors else released
            # Wall time stays out of the release: same inputs must give identical files.
            entry["search"] = {k: v for k, v in result.to_dict().items() if k != "seconds"}
            fs = frequency_set(released, released_qis, vendor, released_sensitive)
        after = measure_risk(fs, policy)
        _verify(after.to_dict(), policy, tp.name)
        entry["after"] = after.to_dict()
        section[tp.name] = entry
        _record(ctx, tp.name, entry, released_qis, released_sensitive)
        ctx.progress(f"risk {tp.name}", 3, 3)


def _requirements(policy: RiskPolicy) -> dict[str, Any]:
    return policy.model_dump(
        include={
            "k",
            "l",
            "l_variant",
            "c",
            "t",
            "max_average_risk",
            "suppression_limit",
            "objective",
        },
        exclude_none=True,
    )


def _record(
    ctx: RunContext, table: str, entry: dict[str, Any], qis: list[str], sensitive: list[str]
) -> None:
    after, before = entry["after"], entry["before"]
    claim: dict[str, Any] = {
        "k_anonymity": {
            "k": after.get("k_vendors", 0),
            "counted_in": "distinct vendors per equivalence class (suppressed rows excluded)",
            "k_rows": after.get("k_rows", 0),
            "quasi_identifiers": qis,
            "suppressed_marker": "*",
        }
    }
    req = entry["requirements"]
    if "l" in req:
        claim["l_diversity"] = {"l": req["l"], "variant": req["l_variant"], "sensitive": sensitive}
    if "t" in req:
        claim["t_closeness"] = {"t": req["t"], "sensitive": sensitive}
    if "search" in entry:
        s = entry["search"]
        claim["generalisation"] = {
            "transformation": s["transformation"],
            "objective": s["objective"],
            "objective_value": s["objective_value"],
            "suppressed_rows": s["suppressed_rows"],
            "suppressed_vendors": s["suppressed_vendors"],
            "optimal": s["optimal"],
            "method": s.get("method", ""),
            "local_recoding": s.get("local_recoding", False),
        }
    ctx.guarantees.setdefault(table, {}).update(claim)
    ctx.journal.add(
        "risk",
        f"Table '{table}': before masking every class held at least "
        f"{before.get('k_vendors', 0)} vendor(s); the release holds at least "
        f"{after.get('k_vendors', 0)} distinct vendors per class on {', '.join(qis)}.",
        table=table,
        **{k: v for k, v in entry.items() if k != "before" and k != "after"},
        k_before=before.get("k_vendors", 0),
        k_after=after.get("k_vendors", 0),
    )
