"""Referential integrity, keys and formats of the generated tables, checked with DuckDB SQL."""

from __future__ import annotations

import re

import duckdb
import pyarrow.csv as pacsv
import pytest

from craftveil.datagen import TABLE_NAMES, TABLE_SCHEMAS, GeneratedDataset


def scalar(db: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = db.sql(sql).fetchone()
    assert row is not None
    return row[0]


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("vendors", "vendor_id"),
        ("products", "product_id"),
        ("suppliers", "supplier_id"),
        ("batches", "batch_id"),
        ("sales", "sale_id"),
    ],
)
def test_primary_keys_are_unique_and_present(
    db: duckdb.DuckDBPyConnection, table: str, key: str
) -> None:
    total, distinct, missing = db.sql(
        f"select count(*), count(distinct {key}), count(*) - count({key}) from {table}"
    ).fetchone() or (0, 0, 0)
    assert total > 0
    assert distinct == total
    assert missing == 0


@pytest.mark.parametrize("table", ["products", "materials", "batches", "sales"])
def test_every_vendor_id_exists_in_vendors(db: duckdb.DuckDBPyConnection, table: str) -> None:
    orphans = scalar(
        db,
        f"select count(*) from {table} t anti join vendors v on t.vendor_id = v.vendor_id",
    )
    assert orphans == 0


@pytest.mark.parametrize("table", ["batches", "sales"])
def test_every_product_belongs_to_the_row_vendor(db: duckdb.DuckDBPyConnection, table: str) -> None:
    mismatched = scalar(
        db,
        f"select count(*) from {table} t anti join products p "
        "on t.product_id = p.product_id and t.vendor_id = p.vendor_id",
    )
    assert mismatched == 0


def test_material_links_point_to_existing_suppliers(db: duckdb.DuckDBPyConnection) -> None:
    orphans = scalar(
        db, "select count(*) from materials m anti join suppliers s using (supplier_id)"
    )
    assert orphans == 0
    # A link is one (vendor, material): no vendor buys the same material twice in the table.
    duplicates = scalar(
        db,
        "select count(*) from (select vendor_id, material from materials group by all "
        "having count(*) > 1)",
    )
    assert duplicates == 0


def test_every_vendor_has_products_and_every_region_has_a_supplier(
    db: duckdb.DuckDBPyConnection,
) -> None:
    without = scalar(db, "select count(*) from vendors anti join products using (vendor_id)")
    assert without == 0
    uncovered = scalar(
        db, "select count(distinct region) from vendors anti join suppliers using (region)"
    )
    assert uncovered == 0


def test_files_match_the_published_schemas(small_dataset: GeneratedDataset) -> None:
    for name in TABLE_NAMES:
        schema = TABLE_SCHEMAS[name]
        options = pacsv.ConvertOptions(
            column_types=dict(zip(schema.names, schema.types, strict=True))
        )
        table = pacsv.read_csv(small_dataset.paths[name], convert_options=options)
        assert table.schema.names == schema.names, name
        assert table.schema == schema, name


ID_PATTERNS = {
    ("vendors", "vendor_id"): r"V\d{6}",
    ("products", "product_id"): r"P\d{7}",
    ("suppliers", "supplier_id"): r"SUP\d{5}",
    ("sales", "sale_id"): r"S\d{9}",
    ("batches", "batch_id"): r"B\d{8}",
    ("vendors", "postal_code"): r"\d{5}",
    ("products", "lot_number"): r"\d{5}",
    ("batches", "lot_number"): r"\d{5}",
    ("vendors", "email"): r"[a-z0-9.]+@[a-z0-9.]+\.example",
    ("suppliers", "contact_email"): r"[a-z0-9.]+@[a-z0-9]+\.example",
    ("vendors", "website"): r"https://www\.[a-z0-9]+\.example",
    ("vendors", "instagram"): r"@[a-z0-9_]+",
    (
        "vendors",
        "street_address",
    ): r"\d+ [A-Z][A-Za-z ]+ (Lane|Road|Street|Avenue|Way|Drive|Court|Row|Path|Trail)",
    ("sales", "unit_price"): r"\d+\.\d{2}",
    ("batches", "unit_cost"): r"\d+\.\d{2}",
    ("materials", "unit_cost"): r"\d+\.\d{2}",
}


@pytest.mark.parametrize(("table", "column"), list(ID_PATTERNS))
def test_text_formats(db: duckdb.DuckDBPyConnection, table: str, column: str) -> None:
    values = [v for (v,) in db.sql(f"select {column} from {table} limit 5000").fetchall()]
    present = [v for v in values if v is not None]
    assert present, f"{table}.{column} is empty"
    pattern = re.compile(ID_PATTERNS[(table, column)])
    bad = [v for v in present if not pattern.fullmatch(v)]
    assert bad == []


def test_phone_numbers_come_in_several_formats(db: duckdb.DuckDBPyConnection) -> None:
    phones = [p for (p,) in db.sql("select phone from vendors").fetchall()]
    shapes = {re.sub(r"\d", "9", p) for p in phones}
    assert len(shapes) >= 4
    assert all(len(re.sub(r"\D", "", p)) in (10, 11) for p in phones)


def test_some_vendors_have_no_website_or_instagram(db: duckdb.DuckDBPyConnection) -> None:
    total, sites, handles = db.sql(
        "select count(*), count(website), count(instagram) from vendors"
    ).fetchone() or (0, 0, 0)
    assert 0 < sites < total
    assert 0 < handles < total
