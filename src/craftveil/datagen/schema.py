"""The Arrow schema of every generated table — the contract readers should use.

Identifiers, postal codes and lot numbers are text (ARCHITECTURE.md: CSV type inference turned
5-digit zip codes into integers and lost every leading zero; read with these explicit schemas).
Money is ``decimal128(12, 2)``: exact cents in CSV ("12.50") and Parquet alike.
"""

from __future__ import annotations

import pyarrow as pa

MONEY = pa.decimal128(12, 2)

TABLE_SCHEMAS: dict[str, pa.Schema] = {
    "vendors": pa.schema(
        [
            ("vendor_id", pa.string()),
            ("business_name", pa.string()),
            ("owner_name", pa.string()),
            ("email", pa.string()),
            ("phone", pa.string()),
            ("street_address", pa.string()),
            ("city", pa.string()),
            ("postal_code", pa.string()),
            ("region", pa.string()),
            ("latitude", pa.float64()),
            ("longitude", pa.float64()),
            ("craft", pa.string()),
            ("founding_year", pa.int32()),
            ("employees", pa.int32()),
            ("website", pa.string()),
            ("instagram", pa.string()),
        ]
    ),
    "products": pa.schema(
        [
            ("product_id", pa.string()),
            ("vendor_id", pa.string()),
            ("product_name", pa.string()),
            ("category", pa.string()),
            ("product_type", pa.string()),
            ("material_blend", pa.string()),
            ("lot_number", pa.string()),
        ]
    ),
    "suppliers": pa.schema(
        [
            ("supplier_id", pa.string()),
            ("supplier_name", pa.string()),
            ("region", pa.string()),
            ("contact_email", pa.string()),
        ]
    ),
    "materials": pa.schema(
        [
            ("vendor_id", pa.string()),
            ("supplier_id", pa.string()),
            ("material", pa.string()),
            ("unit_cost", MONEY),
        ]
    ),
    "batches": pa.schema(
        [
            ("batch_id", pa.string()),
            ("vendor_id", pa.string()),
            ("product_id", pa.string()),
            ("lot_number", pa.string()),
            ("started_on", pa.date32()),
            ("finished_on", pa.date32()),
            ("quantity", pa.int64()),
            ("unit_cost", MONEY),
        ]
    ),
    "sales": pa.schema(
        [
            ("sale_id", pa.string()),
            ("vendor_id", pa.string()),
            ("product_id", pa.string()),
            ("sold_at", pa.timestamp("s")),
            ("channel", pa.string()),
            ("quantity", pa.int64()),
            ("unit_price", MONEY),
        ]
    ),
}

#: Write order; also the keys of ``GeneratedDataset.paths``.
TABLE_NAMES: tuple[str, ...] = ("vendors", "products", "suppliers", "materials", "batches", "sales")
