"""Detection on the real datasets in ../shared/data.

Expected kinds come from reading the files and their provenance notes (e.g. the USDA directory's
``website`` column holds market URLs); shares reported on the bottom-k sample are checked against
the share over *all* distinct values, computed independently with DuckDB over the raw file.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from craftveil.engine import Engine
from craftveil.profile import Kind, TableProfile, detect, profile_table
from craftveil.profile.patterns import HANDLE, STREET, URL

URL_OR_HANDLE = f"{URL}|{HANDLE}"


def first_kind(table: TableProfile, column: str) -> Kind | None:
    found = detect(table.column(column))
    return found[0].kind if found else None


@pytest.fixture(scope="module")
def markets(farmers_markets: Path) -> TableProfile:
    return profile_table(farmers_markets)


@pytest.fixture(scope="module")
def coffee(shared_data: Path) -> TableProfile:
    return profile_table(shared_data / "coffee_cqi" / "arabica_data_cleaned.csv")


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("website", Kind.url_or_handle),
        ("facebook", Kind.url_or_handle),
        ("twitter", Kind.url_or_handle),
        ("street", Kind.street_address),
        ("zip", Kind.postal_code),
        ("latitude", Kind.latitude),
        ("longitude", Kind.longitude),
        ("latlng", Kind.coordinates_text),
        ("name", Kind.business_name),
        ("fm_id", Kind.identifier_code),
        ("date_updated", Kind.date_text),
        ("state", Kind.place),
    ],
)
def test_farmers_markets(markets: TableProfile, column: str, kind: Kind) -> None:
    assert first_kind(markets, column) is kind


def test_farmers_markets_yes_no_columns_have_no_detection(markets: TableProfile) -> None:
    for column in ("credit", "organic", "honey", "wild_harvested"):
        assert detect(markets.column(column)) == ()


@pytest.mark.parametrize(("column", "pattern"), [("website", URL_OR_HANDLE), ("street", STREET)])
def test_sampled_share_estimates_all_distinct_values(
    markets: TableProfile, farmers_markets: Path, column: str, pattern: str
) -> None:
    """The bottom-k sample (2,000 of ~4,000-8,000 distinct values) estimates the share over every
    distinct value, counted here by DuckDB's own regex engine (RE2) over the raw file. Tolerance:
    0.04, over 4 standard errors of a 2,000-value sample for any share."""
    sql = f"""
        SELECT avg(CASE WHEN regexp_full_match(v, $pattern, 'i') THEN 1 ELSE 0 END)
        FROM (SELECT DISTINCT "{column}" AS v
              FROM read_csv('{farmers_markets}', all_varchar=true) WHERE "{column}" IS NOT NULL)
    """
    exact = duckdb.execute(sql, {"pattern": pattern}).fetchone()
    assert exact is not None
    col = markets.column(column)
    assert not col.sample_complete  # the test is about the sample
    found = detect(col)[0]
    assert found.share == pytest.approx(float(exact[0]), abs=0.04)


@pytest.mark.parametrize(
    ("column", "kinds"),
    [
        ("Owner", {Kind.business_name, Kind.person_name}),
        ("Farm.Name", {Kind.business_name, Kind.person_name}),
        ("Producer", {Kind.business_name, Kind.person_name}),
        ("Lot.Number", {Kind.lot_number}),
        ("Altitude", {Kind.altitude}),
        ("Harvest.Year", {Kind.year}),
        ("Grading.Date", {Kind.date_text}),
        ("Expiration", {Kind.date_text}),
        ("Number.of.Bags", {Kind.quantity}),
        ("Bag.Weight", {Kind.quantity}),
        ("Certification.Contact", {Kind.hashed_token}),
        ("column00", {Kind.row_index}),
    ],
)
def test_coffee_quality_institute(coffee: TableProfile, column: str, kinds: set[Kind]) -> None:
    assert first_kind(coffee, column) in kinds


def test_olist_sellers(olist_sellers: Path, engine: Engine) -> None:
    sellers = profile_table(olist_sellers, engine=engine)
    assert first_kind(sellers, "seller_id") is Kind.identifier_code
    zip_code = detect(sellers.column("seller_zip_code_prefix"))[0]
    assert zip_code.kind is Kind.postal_code
    # this version of the file lost the leading zeros (PROVENANCE.md): the evidence says so
    assert "leading zeros may have been lost" in zip_code.evidence
    assert sellers.column("seller_zip_code_prefix").read_as == "text"
    assert first_kind(sellers, "seller_city") is Kind.place
    assert first_kind(sellers, "seller_state") is Kind.place


def test_etsy_shops(shared_data: Path, engine: Engine) -> None:
    shops = profile_table(shared_data / "etsy" / "etsy_shops_data.csv", engine=engine)
    assert shops.rows == 20000
    assert first_kind(shops, "shop_location") is Kind.place
    assert first_kind(shops, "sales_count") is Kind.quantity
    assert first_kind(shops, "creation_date") is Kind.date_text  # "19-Nov"


def test_bakery(shared_data: Path, engine: Engine) -> None:
    bakery = profile_table(
        shared_data / "bakery_breadbasket" / "BreadBasket_DMS.csv", engine=engine
    )
    assert first_kind(bakery, "Date") is Kind.date
    assert first_kind(bakery, "Time") is Kind.time_of_day
    assert first_kind(bakery, "Transaction") is Kind.running_number
    assert detect(bakery.column("Item")) == ()
