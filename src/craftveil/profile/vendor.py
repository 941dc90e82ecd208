"""Guess each table's vendor column: the privacy unit every guarantee is stated for.

Three signals, strongest first: a column named like a vendor identifier (``seller_id``,
``brewery_id``); a column whose values are those of another table's vendor column (a foreign key,
like ``breweries.id`` ↔ ``beers.brewery_id``) — found by comparing the two hash-chosen samples,
which select the same values in every table; and, in a table with business names, an identifier
unique per row (each row is one vendor). A vendor column must be filled in every row (the release
refuses rows without a vendor). When nothing fits the guess is None and the steward must set it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from craftveil.profile.detectors import Kind, detect
from craftveil.profile.patterns import ID_TOKENS, VENDOR_NAME_TOKENS
from craftveil.profile.profile import ColumnProfile, TableProfile
from craftveil.profile.suggest import namespace_for

MIN_OVERLAP = 0.5
"""Share of a column's sampled values found in a vendor column for it to count as a foreign key."""


@dataclass(frozen=True)
class VendorGuess:
    """The vendor column of one table (or None), its pseudonym namespace, and why."""

    column: str | None
    namespace: str | None
    evidence: str


def _filled_id(col: ColumnProfile) -> bool:
    return col.non_null == col.rows and col.rows > 0 and bool(set(col.tokens) & ID_TOKENS)


def _named_vendor(table: TableProfile) -> VendorGuess | None:
    for col in table.columns:
        words = set(col.tokens) & VENDOR_NAME_TOKENS
        if words and _filled_id(col):
            space = namespace_for(col.name, col.tokens, table.name)
            why = (
                f"'{col.name}' is named like a vendor identifier ({', '.join(sorted(words))} + id)"
                f" and filled in every row; {col.distinct:,} vendors"
            )
            return VendorGuess(col.name, space, why)
    return None


def _overlap(col: ColumnProfile, other: ColumnProfile) -> float:
    """Share of ``col``'s distinct values also in ``other`` (bottom-k containment estimate).

    Both samples hold the values with the smallest hashes; below the smaller of the two largest
    sampled hashes each sample is complete, so the share is measured on that range only.
    """
    cut = min(
        max(c.sample_hashes) if c.sample_hashes and not c.sample_complete else float("inf")
        for c in (col, other)
    )
    mine = {v for v, h in zip(col.sample, col.sample_hashes, strict=True) if h <= cut}
    if not mine:
        return 0.0
    return len(mine & set(other.sample)) / len(mine)


def _shared_vendor(
    table: TableProfile, found: dict[str, tuple[TableProfile, VendorGuess]]
) -> VendorGuess | None:
    for other_table, guess in found.values():
        if other_table.name == table.name or guess.column is None:
            continue
        vendor = other_table.column(guess.column)
        for col in table.columns:
            if not _filled_id(col) or col.distinct_ratio < 0.5:
                continue
            share = _overlap(col, vendor)
            if share >= MIN_OVERLAP:  # a shared name alone ('id') proves nothing
                why = (
                    f"'{col.name}' holds the vendor ids of {other_table.name}.{vendor.name} "
                    f"({share:.0%} of its sampled values appear there)"
                )
                return VendorGuess(col.name, guess.namespace, why)
    return None


def _row_is_vendor(table: TableProfile) -> VendorGuess | None:
    named = any(d.kind is Kind.business_name for col in table.columns for d in detect(col))
    if not named:
        return None
    for col in table.columns:
        if _filled_id(col) and col.unique_per_row:
            space = namespace_for(col.name, col.tokens, table.name)
            why = (
                f"'{col.name}' is an identifier unique per row and the table holds business "
                "names: each row looks like one vendor"
            )
            return VendorGuess(col.name, space, why)
    return None


def guess_vendor_columns(profiles: Sequence[TableProfile]) -> dict[str, VendorGuess]:
    """The vendor column of every table (keyed by table name)."""
    found: dict[str, tuple[TableProfile, VendorGuess]] = {}
    for table in profiles:
        guess = _named_vendor(table)
        if guess is not None:
            found[table.name] = (table, guess)
    for table in profiles:
        if table.name in found:
            continue
        guess = _shared_vendor(table, found) or _row_is_vendor(table)
        if guess is not None:
            found[table.name] = (table, guess)
    out: dict[str, VendorGuess] = {}
    for table in profiles:
        if table.name in found:
            out[table.name] = found[table.name][1]
        else:
            why = (
                "no vendor column found (no column named like vendor/seller/shop/... + id, no id "
                "shared with another table's vendor column)"
            )
            names = _candidates(table)
            if names:
                why += f"; columns that may identify the vendor: {', '.join(names)}"
            out[table.name] = VendorGuess(None, None, why)
    return out


def _candidates(table: TableProfile) -> list[str]:
    """Vendor-named ids with empty rows, and columns of names: possible vendor columns."""
    names = []
    for col in table.columns:
        if set(col.tokens) & VENDOR_NAME_TOKENS and set(col.tokens) & ID_TOKENS:
            names.append(
                f"{col.name} (named like a vendor id but {col.null_share:.1%} empty: fill those "
                "rows or drop them first)"
            )
    for col in table.columns:
        kinds = {d.kind for d in detect(col)}
        if kinds & {Kind.business_name, Kind.person_name}:
            filled = "filled in every row" if col.null_share == 0 else f"{col.null_share:.0%} empty"
            names.append(f"{col.name} ({col.distinct:,} distinct, {filled})")
    return names[:4]
