"""Detectors on hand-built columns (known shares) and on a generated table of e-mails and phones."""

from __future__ import annotations

from pathlib import Path

import pytest

from craftveil.engine import Engine
from craftveil.profile import ColumnProfile, Kind, detect, profile_table
from craftveil.profile.detectors import email, phone, postal_code, street_address
from craftveil.profile.patterns import name_tokens


def text_column(name: str, values: list[str], rows: int | None = None) -> ColumnProfile:
    """A text column whose sample holds every distinct value (as for small columns)."""
    n = rows or len(values)
    return ColumnProfile(
        name=name,
        detected_type="text",
        read_as="text",
        rows=n,
        non_null=n,
        distinct=len(set(values)),
        sample=tuple(values),
        min_length=min(map(len, values)),
        max_length=max(map(len, values)),
        mean_length=sum(map(len, values)) / len(values),
    )


def number_column(name: str, low: float, high: float, kind: str = "decimal") -> ColumnProfile:
    return ColumnProfile(
        name=name,
        detected_type=kind,  # type: ignore[arg-type]
        read_as=kind,  # type: ignore[arg-type]
        rows=100,
        non_null=100,
        distinct=100,
        sample=(),
        minimum=low,
        maximum=high,
    )


def kinds(col: ColumnProfile) -> list[Kind]:
    return [d.kind for d in detect(col)]


def test_email_share_and_evidence() -> None:
    values = [f"a{i}@shop.example.com" for i in range(49)] + ["no e-mail"]
    found = email(text_column("contact", values))
    assert found is not None
    assert found.share == pytest.approx(49 / 50)
    assert found.evidence == "98% of the 50 distinct values look like e-mail addresses"
    assert email(text_column("contact", ["a@b", "plain text", "x"])) is None


def test_phone_needs_separators_unless_named() -> None:
    phones = ["+44 20 7946 0958", "(555) 010-2334", "555.010.9999", "+55 11 91234-5678"]
    assert phone(text_column("contact", phones)) is not None
    digits_only = ["5550102334", "5550109999", "4420794609", "1191234567"]
    assert phone(text_column("ref", digits_only)) is None  # could be any id
    assert phone(text_column("phone", digits_only)) is not None
    # dates and decimals have enough digits but are not phones
    assert phone(text_column("x", ["10/12/2016", "06/08/2016", "12.3456789", "-72.140305"])) is None


def test_street_addresses() -> None:
    streets = ["6975 Ridge Road", "1000 West 6th Street", "381 Broadway Ave.", "12 Elm St"]
    found = street_address(text_column("where", streets))
    assert found is not None
    assert found.share == 1.0
    assert street_address(text_column("where", ["Danville", "Parma", "Red Hook"])) is None


def test_postal_codes_by_name_or_by_leading_zeros() -> None:
    named = postal_code(text_column("zip", ["02134", "44130", "5828", "90210"]))
    assert named is not None
    assert "leading zeros may have been lost" in named.evidence  # '5828' lost its zero
    unnamed = text_column("code", ["02134", "07030", "44130", "90210"])
    assert postal_code(unnamed) is not None
    assert postal_code(text_column("code", ["12345", "44130", "90210", "55555"])) is None


@pytest.mark.parametrize(
    ("name", "low", "high", "expected"),
    [
        ("latitude", 17.7, 64.9, Kind.latitude),
        ("lng", -166.5, -64.7, Kind.longitude),
        ("lat", 10.0, 120.0, None),  # outside ±90: not a latitude
    ],
)
def test_coordinates(name: str, low: float, high: float, expected: Kind | None) -> None:
    found = kinds(number_column(name, low, high))
    assert (expected in found) if expected else not {Kind.latitude, Kind.longitude} & set(found)


def test_dates_times_years_and_lots() -> None:
    assert kinds(text_column("graded", ["April 4th, 2015", "May 17th, 2016"]))[0] is Kind.date_text
    assert kinds(text_column("updated", ["6/28/16 12:10", "5/5/16 16:50"]))[0] is Kind.date_text
    assert Kind.time_of_day in kinds(text_column("Time", ["09:58:11", "10:05:34", "23:01:00"]))
    assert Kind.year in kinds(text_column("Harvest.Year", ["2014", "2016/2017", "2013"]))
    lots = kinds(text_column("Lot.Number", ["017-053-0134", "YNC-16115", "165", "AA"]))
    assert lots[0] is Kind.lot_number


def test_urls_handles_names_and_free_text() -> None:
    urls = ["https://www.facebook.com/x", "@BallardFMKT", "www.example.org", "twitter.com/a"]
    assert kinds(text_column("social", urls))[0] is Kind.url_or_handle
    markets = ["Red Hook Farmers Market", "Danville Farm Co", "Acme Pottery LLC", "Blue Mill"]
    assert kinds(text_column("label", markets))[0] is Kind.business_name
    people = ["Maria Lopez", "John Smith", "Ana de Souza", "Kim Lee"]
    assert kinds(text_column("contact_person", people))[0] is Kind.person_name
    notes = [f"the order {i} arrived late but the mug was lovely and well packed" for i in range(9)]
    assert Kind.free_text in kinds(text_column("comment", notes))


def test_hashes_win_over_a_misleading_name() -> None:
    hexes = ["309fcf77415a3661ae83e027f7e5f05dad786e44", "19fef5a731de2db57d16da10287413f5f99bc2dd"]
    found = kinds(text_column("Certification.Address", hexes))
    assert found[0] is Kind.hashed_token
    assert Kind.street_address not in found


def test_name_tokens() -> None:
    assert name_tokens("Farm.Name") == ("farm", "name")
    assert name_tokens("sellerId") == ("seller", "id")
    assert name_tokens("seller_zip_code_prefix") == ("seller", "zip", "code", "prefix")


def test_generated_table_of_emails_and_phones(small_vendor_csv: Path, engine: Engine) -> None:
    profile = profile_table(small_vendor_csv, engine=engine)
    found = {c.name: detect(c) for c in profile.columns}
    assert found["email"][0].kind is Kind.email
    assert found["email"][0].share == pytest.approx(96 / 100)
    assert found["email"][0].evidence.startswith("96% of the 100 distinct values")
    assert found["phone"][0].kind is Kind.phone
    assert found["phone"][0].share == pytest.approx(90 / 100)
    assert found["zip"][0].kind is Kind.postal_code
    assert found["sold_on"][0].kind is Kind.date
    assert found["shop_id"][0].kind is Kind.identifier_code
    assert found["price"][0].kind is Kind.money
    assert found["quantity"][0].kind is Kind.quantity
    assert found["notes"][0].kind is Kind.free_text
    assert found["craft"] == ()
    assert found["altitude_m"][0].kind is Kind.altitude
