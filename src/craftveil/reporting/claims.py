"""The guarantees of a released table in plain sentences, one claim each (for the summary).

Written for a reader who is not a statistician: what protects the vendors in this table, with
the numbers an outside tool can check (the manifest holds the same claims as data).
"""

from __future__ import annotations

from typing import Any


def _list(items: list[str]) -> str:
    return ", ".join(items) if items else "none"


def _microdata(g: dict[str, Any]) -> list[str]:
    out = []
    if g.get("rows_are_vendors"):
        out.append("Each row is one unit; there is no identifier column.")
    elif g.get("privacy_unit_column"):
        how = (
            "replaced by a keyed pseudonym"
            if g.get("privacy_unit_pseudonymised")
            else "released as it is (not pseudonymised)"
        )
        out.append(f"The vendor column '{g['privacy_unit_column']}' is {how}.")
    else:
        out.append("No vendor identifier is released.")
    clear = g.get("direct_identifiers_released_in_clear", [])
    out.append(
        "No direct identifier is released."
        if not clear
        else f"Direct identifiers released in clear: {_list(clear)}."
    )
    k = g.get("k_anonymity")
    if k:
        out.append(
            f"Every combination of {_list(k['quasi_identifiers'])} is shared by at least "
            f"{k['k']} distinct vendors."
        )
    else:
        qis = g.get("quasi_identifiers", [])
        if qis:
            out.append(f"Quasi-identifiers released (no k-anonymity requirement): {_list(qis)}.")
    gen = g.get("generalisation")
    if gen:
        out.append(
            f"To reach it, {gen['suppressed_vendors']} vendor(s) had their quasi-identifiers "
            f"withheld ('*') and the others were generalised "
            f"({'a proven optimum' if gen.get('optimal') else 'best found'} — "
            f"{gen.get('method') or 'full-domain generalisation'})."
        )
    if "l_diversity" in g:
        ld = g["l_diversity"]
        out.append(
            f"Each such group holds at least {ld['l']} well-represented values of "
            f"{_list(ld['sensitive'])} ({ld['variant']} l-diversity)."
        )
    if "t_closeness" in g:
        tc = g["t_closeness"]
        out.append(
            f"In each group the distribution of {_list(tc['sensitive'])} is within "
            f"{tc['t']} of the whole table's (t-closeness)."
        )
    return out


def _dp(d: dict[str, Any]) -> list[str]:
    return [
        f"'{d['statistic']}' ({d['kind'].replace('_', ' ')}) is published with differential "
        f"privacy per vendor: ε = {d['epsilon']:g}, δ = {d['delta']:g} for period {d['period']} "
        f"({d['mechanism']} noise).",
        "Every value carries its noise standard deviation and 95% margin of error; "
        "unreliable cells are withheld.",
    ]


def claim_sentences(table: str, g: dict[str, Any]) -> str:
    """One paragraph: the table, its tier, and each claim as a sentence."""
    tier = g.get("tier", "?")
    parts = _dp(g["differential_privacy"]) if "differential_privacy" in g else _microdata(g)
    known = {
        "privacy_unit",
        "privacy_unit_column",
        "privacy_unit_pseudonymised",
        "rows_are_vendors",
        "quasi_identifiers",
        "sensitive_attributes",
        "direct_identifiers_released_in_clear",
        "tier",
        "k_anonymity",
        "generalisation",
        "l_diversity",
        "t_closeness",
        "differential_privacy",
        "suppression_audit",
        "aggregates",
    }
    other = sorted(k for k in g if k not in known)
    if other:
        parts.append(f"Further claims in the manifest: {_list(other)}.")
    if "aggregates" in g:
        parts.append(str(g["aggregates"].get("sentence", "")))
    return f"Table '{table}' ({tier} tier): " + " ".join(p for p in parts if p)
