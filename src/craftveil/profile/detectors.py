"""Detectors: one small function per kind of value, each returning a :class:`Detection` or None.

Each detector looks at one column's profile — the hash-chosen sample of distinct values (regexes,
vectorised with pandas ``.str`` methods) and the column statistics — and says what share of the
sample fits and why, in words a data steward can check ("98% of the 1,311 distinct values look
like e-mail addresses"). The kinds follow the identifier lists of the ESSnet *Handbook on
Statistical Disclosure Control* (direct identifiers: names, addresses, phone numbers, e-mails,
URLs; quasi-identifiers: location, dates, codes) and of HIPAA Safe Harbor. Shares are of the
*distinct* values sampled, so one frequent value cannot hide a column full of e-mails.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from craftveil.profile import patterns as p
from craftveil.profile.profile import ColumnProfile


class Kind(StrEnum):
    """What a column's values look like."""

    email = "email"
    phone = "phone"
    url_or_handle = "url_or_handle"
    street_address = "street_address"
    coordinates_text = "coordinates_text"
    hashed_token = "hashed_token"
    person_name = "person_name"
    business_name = "business_name"
    postal_code = "postal_code"
    latitude = "latitude"
    longitude = "longitude"
    date = "date"
    date_text = "date_text"
    time_of_day = "time_of_day"
    year = "year"
    lot_number = "lot_number"
    identifier_code = "identifier_code"
    running_number = "running_number"
    row_index = "row_index"
    free_text = "free_text"
    money = "money"
    quantity = "quantity"
    altitude = "altitude"
    place = "place"


@dataclass(frozen=True)
class Detection:
    """One finding about a column: its kind, the share of sampled values that fit, and why."""

    kind: Kind
    share: float
    evidence: str


def _matches(values: pd.Series, pattern: str, *, case: bool = False) -> pd.Series:
    return values.str.fullmatch(pattern, case=case).fillna(False).astype(bool)


def _of(col: ColumnProfile, share: float) -> str:
    """'98% of the 1,311 distinct values' (or 'of a 2,000-value sample of the 9,531 ...')."""
    pct = f"{share:.0%}" if share < 0.995 or share == 1.0 else ">99%"
    if col.sample_complete:
        return f"{pct} of the {len(col.sample):,} distinct values"
    return f"{pct} of a {len(col.sample):,}-value sample of the {col.distinct:,} distinct values"


def _hint(col: ColumnProfile, vocabulary: frozenset[str]) -> bool:
    return bool(set(col.tokens) & vocabulary)


def _text_rule(
    col: ColumnProfile,
    kind: Kind,
    pattern: str,
    words: str,
    *,
    vocabulary: frozenset[str],
    alone: float,
    hinted: float,
) -> Detection | None:
    """Full-match ``pattern`` on the sample; the threshold is lower when the column name agrees."""
    if not col.is_text or not col.sample:
        return None
    share = float(_matches(col.values(), pattern).mean())
    needed = hinted if _hint(col, vocabulary) else alone
    if share < needed or share == 0:
        return None
    return Detection(kind, share, f"{_of(col, share)} look like {words}")


def email(col: ColumnProfile) -> Detection | None:
    return _text_rule(
        col, Kind.email, p.EMAIL, "e-mail addresses", vocabulary=p.EMAIL_TOKENS, alone=0.5,
        hinted=0.2,
    )  # fmt: skip


def url_or_handle(col: ColumnProfile) -> Detection | None:
    return _text_rule(
        col, Kind.url_or_handle, f"{p.URL}|{p.HANDLE}", "web addresses or social-media handles",
        vocabulary=p.URL_TOKENS, alone=0.5, hinted=0.2,
    )  # fmt: skip


def street_address(col: ColumnProfile) -> Detection | None:
    return _text_rule(
        col, Kind.street_address, p.STREET, "street addresses (number + street word)",
        vocabulary=p.STREET_TOKENS, alone=0.5, hinted=0.25,
    )  # fmt: skip


def coordinates_text(col: ColumnProfile) -> Detection | None:
    return _text_rule(
        col, Kind.coordinates_text, p.COORDINATE_PAIR, "coordinate pairs written as text",
        vocabulary=frozenset(), alone=0.8, hinted=0.8,
    )  # fmt: skip


def hashed_token(col: ColumnProfile) -> Detection | None:
    return _text_rule(
        col, Kind.hashed_token, p.HEX_TOKEN, "long hexadecimal tokens (hashes or keys)",
        vocabulary=frozenset(), alone=0.9, hinted=0.9,
    )  # fmt: skip


def time_of_day(col: ColumnProfile) -> Detection | None:
    return _text_rule(
        col, Kind.time_of_day, p.TIME_OF_DAY, "times of day", vocabulary=frozenset(), alone=0.9,
        hinted=0.9,
    )  # fmt: skip


def phone(col: ColumnProfile) -> Detection | None:
    """Phone numbers: 7–15 digits with separators or a '+'; plain digit runs only if named so."""
    hinted = _hint(col, p.PHONE_TOKENS)
    if not col.sample or not (col.is_text or hinted):
        return None
    values = col.values()
    digits = values.str.count(r"\d")
    fits = _matches(values, p.PHONE) & digits.between(7, 15)
    fits &= ~_matches(values, p.DATE_TEXT) & ~_matches(values, p.NUMBER)
    if hinted:
        fits |= _matches(values, r"\d{7,15}")
    share = float(fits.mean())
    if share < (0.3 if hinted else 0.6):
        return None
    return Detection(Kind.phone, share, f"{_of(col, share)} look like phone numbers")


def postal_code(col: ColumnProfile) -> Detection | None:
    """Postal codes: short digit codes (or UK/CA/NL forms); unnamed ones need leading zeros."""
    if not col.sample or not (col.is_text or _hint(col, p.POSTAL_TOKENS)):
        return None
    values = col.values().str.strip()
    share = float(_matches(values, p.POSTAL).mean())
    lengths = values.str.len()
    typical = int(lengths.mode().iloc[0]) if len(lengths) else 0
    digits_only = _matches(values, r"\d+")
    if _hint(col, p.POSTAL_TOKENS):
        if share < 0.8:
            return None
        why = f"{_of(col, share)} are {typical}-character codes and the name says postal code"
    else:
        five = float(_matches(values, r"\d{5}").mean())
        zeros = bool(values.str.startswith("0").any())
        if five < 0.95 or not zeros:
            return None
        share = five
        why = f"{_of(col, share)} are 5-digit codes kept as text with leading zeros → postal code"
    shorter = float((digits_only & (lengths < typical)).mean())
    if shorter > 0.01:
        why += f"; {shorter:.0%} are shorter — leading zeros may have been lost in the source"
    return Detection(Kind.postal_code, share, why)


def coordinate(col: ColumnProfile) -> Detection | None:
    """Latitude / longitude: numeric, named so, and inside the valid range."""
    if not col.is_numeric or col.minimum is None or col.maximum is None:
        return None
    for kind, vocabulary, bound in (
        (Kind.latitude, p.LATITUDE_TOKENS, 90.0),
        (Kind.longitude, p.LONGITUDE_TOKENS, 180.0),
    ):
        if _hint(col, vocabulary) and -bound <= col.minimum and col.maximum <= bound:
            why = (
                f"named {kind.value}; values from {col.minimum:g} to {col.maximum:g} lie within "
                f"±{bound:g}°"
            )
            return Detection(kind, 1.0, why)
    return None


def date(col: ColumnProfile) -> Detection | None:
    """Dates and timestamps the engine reads as such, and dates written as text."""
    if col.read_as in ("date", "timestamp"):
        why = f"read as {col.read_as}s, from {col.first} to {col.last}"
        return Detection(Kind.date, 1.0, why)
    if not col.is_text or not col.sample:
        return None
    values = col.values()
    share = float(_matches(values, p.DATE_TEXT).mean())
    if share >= 0.8:
        return Detection(Kind.date_text, share, f"{_of(col, share)} are dates written as text")
    inside = float(values.str.contains(p.DATE_INSIDE, case=False).fillna(False).mean())
    if inside >= 0.6:
        return Detection(Kind.date_text, inside, f"{_of(col, inside)} contain dates")
    return None


def year(col: ColumnProfile) -> Detection | None:
    """Years (2014) or short year spans (2016/2017, 4T/10 are left out)."""
    if not col.sample or col.read_as not in ("text", "integer"):
        return None
    values = col.values().str.strip()
    short = values.str.len() <= 20
    share = float((values.str.contains(rf"\b{p.YEAR}\b") & short).fillna(False).mean())
    if share < 0.8 and not (_hint(col, frozenset({"year"})) and share >= 0.5):
        return None
    return Detection(Kind.year, share, f"{_of(col, share)} hold a year")


def lot_number(col: ColumnProfile) -> Detection | None:
    if not _hint(col, p.LOT_TOKENS) or not col.sample:
        return None
    share = float(col.values().str.contains(r"\d").fillna(False).mean())
    if share < 0.5:
        return None
    return Detection(
        Kind.lot_number, share, f"named lot/batch; {_of(col, share)} are codes with digits"
    )


def identifier_code(col: ColumnProfile) -> Detection | None:
    """Identifiers: an id-like name, or a running number (most integers in min..max present)."""
    if p.ROW_INDEX_NAME.fullmatch(col.name) and col.unique_per_row:
        return Detection(Kind.row_index, 1.0, "unnamed running number, unique per row: a row index")
    uniqueness = "unique per row" if col.unique_per_row else f"{col.distinct:,} distinct values"
    if _hint(col, p.ID_TOKENS):
        return Detection(Kind.identifier_code, 1.0, f"named as an identifier; {uniqueness}")
    if col.read_as != "integer" or col.minimum is None or col.maximum is None:
        return None
    span = col.maximum - col.minimum + 1
    density = col.distinct / span if span > 0 else 0.0
    if col.minimum >= 0 and col.distinct >= 50 and density >= 0.9 and col.distinct_ratio >= 0.1:
        why = (
            f"running number: {col.distinct:,} distinct integers fill {density:.0%} of "
            f"{col.minimum:g}..{col.maximum:g}; {uniqueness}"
        )
        return Detection(Kind.running_number, density, why)
    return None


_NOT_NAMES = frozenset({"category", "type", "kind", "style", "class", "group", "lenght", "length"})


def person_or_business_name(col: ColumnProfile) -> Detection | None:
    """Names of people or businesses: business words, 'First Last' shapes, or a name column."""
    if not col.is_text or not col.sample or _hint(col, _NOT_NAMES):
        return None
    values = col.values().str.strip()
    named = _hint(col, p.NAME_TOKENS)
    short = values.str.count(r"\s+") < 8  # names are short; sentences are free text
    has_word = values.str.contains(p.BUSINESS_WORDS, case=False).fillna(False)
    business = float((has_word & short).mean())
    if business >= (0.15 if named else 0.5):
        return Detection(
            Kind.business_name, business, f"{_of(col, business)} contain business words"
        )
    person = float(_matches(values, p.PERSON_NAME, case=True).mean())
    if person >= 0.6:
        return Detection(Kind.person_name, person, f"{_of(col, person)} look like 'First Last'")
    if (
        named
        and not _hint(col, p.PLACE_TOKENS)
        and col.distinct >= 20
        and (col.mean_length or 0) <= 80
    ):
        words = float(_matches(values, r"[^\W\d_][^\d]{0,79}").mean())
        if words >= 0.5:
            why = f"the column name says names; {_of(col, words)} are words"
            return Detection(Kind.person_name, words, why)
    return None


def free_text(col: ColumnProfile) -> Detection | None:
    if not col.is_text or not col.sample or (col.mean_length or 0) < 30:
        return None
    share = float((col.values().str.count(r"\s+") >= 4).fillna(False).mean())
    if share < 0.5:
        return None
    why = f"{_of(col, share)} are sentences of 5+ words (mean length {col.mean_length:.0f})"
    return Detection(Kind.free_text, share, why)


def money(col: ColumnProfile) -> Detection | None:
    if col.is_numeric and _hint(col, p.MONEY_TOKENS) and not _hint(col, p.QUANTITY_TOKENS):
        span = f"{col.minimum:g} to {col.maximum:g}"
        return Detection(Kind.money, 1.0, f"numbers named like money, from {span}")
    return _text_rule(
        col, Kind.money, p.MONEY, "money amounts", vocabulary=p.MONEY_TOKENS, alone=0.8,
        hinted=0.6,
    )  # fmt: skip


def quantity(col: ColumnProfile) -> Detection | None:
    if col.is_numeric and _hint(col, p.QUANTITY_TOKENS) and col.minimum is not None:
        span = f"{col.minimum:g} to {col.maximum:g}"
        if col.minimum >= 0:
            return Detection(
                Kind.quantity, 1.0, f"non-negative numbers named like a quantity ({span})"
            )
        why = f"named like a quantity ({span}); negative values may be a missing-value code"
        return Detection(Kind.quantity, 1.0, why)
    return _text_rule(
        col, Kind.quantity, p.QUANTITY_WITH_UNIT, "quantities with a unit (60 kg)",
        vocabulary=p.QUANTITY_TOKENS, alone=0.7, hinted=0.5,
    )  # fmt: skip


def altitude(col: ColumnProfile) -> Detection | None:
    if not _hint(col, p.ALTITUDE_TOKENS):
        return None
    if col.is_numeric:
        return Detection(Kind.altitude, 1.0, f"altitudes from {col.minimum:g} to {col.maximum:g}")
    share = float(col.values().str.contains(r"\d").fillna(False).mean()) if col.sample else 0.0
    return Detection(Kind.altitude, share, f"named altitude; {_of(col, share)} hold numbers")


def place(col: ColumnProfile) -> Detection | None:
    if not col.is_text or not _hint(col, p.PLACE_TOKENS):
        return None
    return Detection(Kind.place, 1.0, f"named like a place; {col.distinct:,} distinct values")


Detector = Callable[[ColumnProfile], Detection | None]

DETECTORS: tuple[Detector, ...] = (
    email,
    postal_code,
    phone,
    url_or_handle,
    street_address,
    coordinates_text,
    lot_number,
    identifier_code,
    hashed_token,
    coordinate,
    date,
    time_of_day,
    year,
    person_or_business_name,
    free_text,
    money,
    quantity,
    altitude,
    place,
)
"""Every detector, in priority order: the first finding that maps to an action decides it."""


@functools.lru_cache(maxsize=512)
def detect(col: ColumnProfile) -> tuple[Detection, ...]:
    """All detections for one column, in priority order (cached: profiles are immutable)."""
    return tuple(d for d in (detector(col) for detector in DETECTORS) if d is not None)
