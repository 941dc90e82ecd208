"""``privacy_notice.md``: a plain-language notice for the vendors whose data is released.

What is shared, with whom, and how vendors are protected — at a high level only. Statistical
disclosure control practice keeps the protection parameters confidential (ESSnet SDC handbook,
§1.4: publishing them helps an intruder undo the protection), so this notice never states a
rule parameter (k, thresholds, band widths, windows), a privacy-loss budget, key material or
fingerprints, nor the policy's own reasons (they may quote parameters). It contains no numbers
at all; the test checks that.
"""

from __future__ import annotations

from craftveil.policy.model import Policy

PLAIN = {
    "keep": "shared as it is",
    "drop": "not shared",
    "pseudonymize": "replaced by a code that only the data owner can link back to you",
    "generalize": "shared only in a coarser form (a range or a period instead of the exact value)",
    "bin_range": "shared only as a range",
    "suppress": "removed where it could reveal confidential details",
    "mask_categories": "replaced by neutral labels, with rare values grouped together",
    "rescale": "shared only relative to your own typical values, not as absolute amounts",
}

AUDIENCE = {
    "public": "anyone (published openly)",
    "restricted": "approved analysts who have signed a data-use agreement",
}


def render_privacy_notice(policy: Policy, protections: list[str]) -> str:
    gov = policy.governance
    lines = [
        f"# Privacy notice for vendors — {policy.name}",
        "",
        f"This notice explains what the release `{policy.name}` shares about the businesses in "
        f"the dataset `{policy.dataset}`, with whom, and how each business is protected.",
        "",
        "## Who is protected",
        "",
        "Every protection is applied to you as a vendor — all of your records together — not to "
        "single rows. The aim is that nobody can tell from the release which records are yours.",
        "",
        "## What is shared, and with whom",
        "",
    ]
    for name, table in policy.tables.items():
        if not table.release:
            lines.append(f"- **{name}**: used to prepare the release, not shared.")
            continue
        lines.append(f"- **{name}** — shared with {AUDIENCE[table.tier]}:")
        by_action: dict[str, list[str]] = {}
        for column, spec in table.columns.items():
            by_action.setdefault(spec.action, []).append(column.replace("_", " "))
        for action, columns in by_action.items():
            lines.append(f"  - {', '.join(columns)}: {PLAIN.get(action, 'transformed')}.")
    lines += ["", "## How you are protected", ""]
    lines += [f"- {p}" for p in protections]
    if _identifiers_removed(policy):
        lines.append(
            "- Details that name or contact you directly are removed or replaced by codes."
        )
    lines += [
        "- The secret used to create the codes stays with the data owner and is never shared.",
        "",
        "## Questions and objections",
        "",
        f"The data owner is **{gov.owner}**."
        + (f" Contact: {gov.contact}." if gov.contact else ""),
        "The owner reviews this policy regularly and keeps a log of any incident.",
        "",
        "The exact protection settings are kept confidential on purpose: publishing them would "
        "help someone trying to undo the protection.",
    ]
    return "\n".join(lines) + "\n"


def protections_for(policy: Policy, steps: set[str]) -> list[str]:
    """One plain sentence per protection that actually ran (from the journal's steps)."""
    out = []
    if "risk" in steps or any(t.risk for t in policy.tables.values()):
        out.append(
            "Before release, the data was checked so that every combination of the details "
            "that describe a business is shared by several vendors; where it was not, details "
            "were coarsened or withheld."
        )
    if "aggregates" in steps or policy.aggregates is not None:
        out.append(
            "Summary tables hide any figure that is based on too few vendors or dominated by "
            "one of them."
        )
    if "dp" in steps or policy.dp is not None:
        out.append(
            "Some statistics include carefully calibrated random noise, so that no figure "
            "depends noticeably on any single vendor."
        )
    return out


def _identifiers_removed(policy: Policy) -> bool:
    """True when no released table keeps a direct identifier in clear."""
    return all(
        spec.action in {"drop", "pseudonymize"}
        for table in policy.tables.values()
        if table.release
        for spec in table.columns.values()
        if spec.role.value == "identifier"
    )
