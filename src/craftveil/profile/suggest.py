"""Suggestions: each column's role and action, from its detections and statistics.

The mapping follows the field's usual first cut (ESSnet *Handbook on SDC* §3; ARX's attribute
types): direct identifiers (names, e-mails, phones, addresses, URLs, free text) are dropped, the
vendor's own identifier is replaced by keyed pseudonyms so analysis per vendor still works,
quasi-identifiers (location, dates, codes) are generalised to a coarser level, and measures are
kept for the steward to band or protect with differential privacy. Every suggestion carries its
evidence; nothing here is a decision — the steward edits the policy and writes the ``why``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from craftveil.policy.columns import Role
from craftveil.profile.detectors import Detection, Kind, detect
from craftveil.profile.patterns import ID_TOKENS
from craftveil.profile.profile import ColumnProfile

LOW_CARDINALITY = 50
"""A category: at most this many distinct values at ≤ 20% of the filled rows (or 200 at ≤ 5%)."""

DIRECT_IDENTIFIERS: dict[Kind, str] = {
    Kind.email: "e-mail addresses identify a vendor or person directly",
    Kind.phone: "phone numbers identify a vendor or person directly",
    Kind.url_or_handle: "web addresses and social handles lead straight to the vendor",
    Kind.street_address: "a street address locates the vendor exactly",
    Kind.coordinates_text: "exact coordinates locate the vendor",
    Kind.row_index: "a row number links released rows back to the source file",
    Kind.hashed_token: "hashes of identifiers can be matched by anyone holding the originals",
    Kind.person_name: "names identify a person or business directly",
    Kind.business_name: "names identify a person or business directly",
    Kind.free_text: "free text can name people, places and businesses",
}


@dataclass(frozen=True)
class ColumnSuggestion:
    """The suggested policy entry for one column, with the evidence behind it."""

    name: str
    role: Role
    action: str
    why: str
    parameters: dict[str, Any] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()
    hierarchy: tuple[str, tuple[int, ...]] | None = None


def namespace_for(column: str, tokens: tuple[str, ...], fallback: str) -> str:
    """Pseudonym namespace from a column name: ``seller_id`` → ``seller``, ``id`` → fallback."""
    words = [t for t in tokens if t not in ID_TOKENS]
    return "_".join(words) or fallback or column


def _is_low_cardinality(col: ColumnProfile) -> bool:
    """Few values, each shared by many rows: a category (sparse unique strings are not)."""
    few = col.distinct <= LOW_CARDINALITY and col.distinct_ratio <= 0.2
    return few or (col.distinct <= 4 * LOW_CARDINALITY and col.distinct_ratio <= 0.05)


def _is_coarse_place(col: ColumnProfile) -> bool:
    """Few places, each shared by several rows on average (US states: 51 of 558 breweries)."""
    return _is_low_cardinality(col) or (col.distinct <= 100 and col.distinct_ratio <= 0.2)


def _summary(col: ColumnProfile) -> str:
    parts = [col.read_as, f"{col.distinct:,} distinct of {col.rows:,} rows"]
    if col.unique_per_row:
        parts[1] = f"unique per row ({col.rows:,})"
    if col.null_share >= 0.005:
        parts.append(f"{col.null_share:.0%} empty")
    return ", ".join(parts)


def _todo(reason: str) -> str:
    return f"TODO: confirm or replace — {reason}"


def postal_hierarchy(col: ColumnProfile) -> tuple[str, tuple[int, ...]]:
    """A prefix hierarchy for codes of the column's usual length: 5 digits → zip3 [3, 1, 0]."""
    lengths = col.values().str.strip().str.len()
    typical = int(lengths.mode().iloc[0]) if len(lengths) else 5
    keep = max(1, typical - 2)
    levels = (keep, 1, 0) if keep > 1 else (1, 0)
    return f"zip{keep}", levels


def _by_kind(col: ColumnProfile, d: Detection, table: str) -> ColumnSuggestion | None:
    name, qi = col.name, Role.quasi_identifier
    if d.kind in DIRECT_IDENTIFIERS:
        return ColumnSuggestion(name, Role.identifier, "drop", _todo(DIRECT_IDENTIFIERS[d.kind]))
    if d.kind in (Kind.identifier_code, Kind.running_number):
        space = namespace_for(name, col.tokens, table)
        reason = "an identifier; keyed pseudonyms keep joins and counts without the real value"
        return ColumnSuggestion(
            name, Role.identifier, "pseudonymize", _todo(reason), {"namespace": space}
        )
    if d.kind in (Kind.latitude, Kind.longitude):
        reason = "exact coordinates locate the vendor; a 1-degree grid keeps the regional pattern"
        return ColumnSuggestion(name, qi, "generalize", _todo(reason), {"grid_degrees": 1.0})
    if d.kind is Kind.postal_code:
        hname, levels = postal_hierarchy(col)
        reason = f"postal codes locate the vendor; {levels[0]}-character prefixes group several"
        params = {"hierarchy": {"name": hname, "level": 1}}
        return ColumnSuggestion(name, qi, "generalize", _todo(reason), params, (), (hname, levels))
    if d.kind is Kind.date:
        reason = "exact dates single out events; months keep seasonality"
        return ColumnSuggestion(name, qi, "generalize", _todo(reason), {"window": "month"})
    if d.kind is Kind.date_text:
        if _is_low_cardinality(col):
            reason = f"dates as text with only {col.distinct} values: already coarse"
            return ColumnSuggestion(name, qi, "keep", _todo(reason))
        reason = "dates written as text cannot be generalised: convert them to ISO dates, or drop"
        return ColumnSuggestion(name, qi, "drop", _todo(reason))
    if d.kind is Kind.time_of_day:
        reason = "exact times single out transactions; the hour (first 2 characters) is kept"
        return ColumnSuggestion(name, qi, "generalize", _todo(reason), {"prefix": 2})
    if d.kind is Kind.year:
        return ColumnSuggestion(name, qi, "keep", _todo("years are already coarse"))
    if d.kind is Kind.lot_number:
        reason = "lot numbers trace a batch to its vendor; ranges of 100 keep the order"
        return ColumnSuggestion(name, qi, "bin_range", _todo(reason), {"width": 100})
    if d.kind is Kind.altitude:
        if col.is_numeric:
            reason = "altitude narrows the location; 500 m bands keep the growing zone"
            params = {"bands": {"width": 500}}
            return ColumnSuggestion(name, qi, "generalize", _todo(reason), params)
        reason = "altitude as free-form text narrows the location and cannot be banded as is"
        return ColumnSuggestion(name, qi, "drop", _todo(reason))
    if d.kind is Kind.money:
        reason = "money amounts reveal a vendor's business; consider bands or DP"
        return ColumnSuggestion(name, Role.measure, "keep", _todo(reason))
    if d.kind is Kind.quantity:
        reason = "quantities are the analysis; consider rescale, bands or DP for large vendors"
        return ColumnSuggestion(name, Role.measure, "keep", _todo(reason))
    if d.kind is Kind.place:
        if _is_coarse_place(col):
            reason = f"{col.distinct} places: coarse enough for regional analysis"
            return ColumnSuggestion(name, qi, "keep", _todo(reason))
        reason = f"{col.distinct:,} places: too fine, many hold a single vendor"
        return ColumnSuggestion(name, qi, "drop", _todo(reason))
    return None


def _by_statistics(col: ColumnProfile) -> ColumnSuggestion:
    name = col.name
    if col.non_null == 0:
        return ColumnSuggestion(name, Role.other, "drop", _todo("the column is empty"))
    if col.distinct == 1:
        reason = "one value in every filled row: it tells nothing about a single vendor"
        return ColumnSuggestion(name, Role.other, "keep", _todo(reason))
    if col.read_as == "boolean" or (col.distinct <= 2 and _is_low_cardinality(col)):
        return ColumnSuggestion(name, Role.other, "keep", _todo("a yes/no flag"))
    if col.is_numeric:
        return ColumnSuggestion(name, Role.measure, "keep", _todo("a number used in analysis"))
    if _is_low_cardinality(col):
        reason = f"a category with {col.distinct} values"
        return ColumnSuggestion(name, Role.other, "keep", _todo(reason))
    if col.distinct_ratio >= 0.5:
        reason = f"high-cardinality text ({col.distinct:,} distinct) can identify a vendor"
        return ColumnSuggestion(name, Role.identifier, "drop", _todo(reason))
    reason = f"{col.distinct:,} categories: too many to release as is (generalise or mask)"
    return ColumnSuggestion(name, Role.quasi_identifier, "drop", _todo(reason))


def suggest_column(
    col: ColumnProfile, *, table: str, vendor_namespace: str | None = None
) -> ColumnSuggestion:
    """Role and action for one column: the vendor column, then detections, then statistics."""
    detections = detect(col)
    evidence = (_summary(col), *(d.evidence for d in detections))
    if vendor_namespace is not None:
        reason = "the vendor; keyed pseudonyms keep per-vendor analysis without the real id"
        return ColumnSuggestion(
            col.name,
            Role.identifier,
            "pseudonymize",
            _todo(reason),
            {"namespace": vendor_namespace},
            evidence,
        )
    for d in detections:
        found = _by_kind(col, d, table)
        if found is not None:
            return dataclasses.replace(found, evidence=evidence)
    return dataclasses.replace(_by_statistics(col), evidence=evidence)
