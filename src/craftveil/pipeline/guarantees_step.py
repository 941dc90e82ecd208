"""Step: state, per released table, what the release claims — in checkable terms.

Every claim names released columns so an outside tool (pycanon, a SQL query) can verify it on the
released files. Later steps (risk, aggregates, DP) add their own claims to the same entries.
"""

from __future__ import annotations

from craftveil.pipeline.context import RunContext
from craftveil.policy.columns import Pseudonymize


def state_guarantees(ctx: RunContext) -> None:
    for tp in ctx.plan.tables:
        if not tp.spec.release:
            continue
        spec = tp.spec
        released = [c for c, s in spec.columns.items() if s.action != "drop"]
        vendor = spec.vendor_column
        vendor_spec = spec.columns.get(vendor) if vendor else None
        entry = ctx.guarantees.setdefault(tp.name, {})
        entry.update(
            {
                "privacy_unit": "vendor",
                "privacy_unit_column": vendor if vendor in released else None,
                "privacy_unit_pseudonymised": isinstance(vendor_spec, Pseudonymize),
                "rows_are_vendors": spec.rows_are_vendors,
                "quasi_identifiers": [c for c in spec.quasi_identifiers if c in released],
                "sensitive_attributes": [c for c in spec.sensitive if c in released],
                "direct_identifiers_released_in_clear": [
                    c
                    for c, s in spec.columns.items()
                    if s.role.value == "identifier" and s.action in ("keep",)
                ],
                "tier": spec.tier,
            }
        )
