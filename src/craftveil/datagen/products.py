"""Products: what each vendor sells, at what price and cost, made of which blend.

Bigger vendors list more products; within a vendor, popularity falls with rank (Zipf), so a
few products carry most sales. Prices are the product type's median × the vendor's markup ×
product-level variation. Material blends are drawn from a large per-craft catalogue with a
long-tailed weight, so blends are many and some are held by a single product — identifying
detail that the masking step replaces with neutral labels ("blend A").

This module also fixes how likely each (product, channel) pair is to appear in a sale: the
weights make each vendor's *expected revenue* proportional to its designed revenue weight
(``vendors.py``), so regional dominance is a property of revenue, as the dominance rules see it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from craftveil.datagen import catalogue
from craftveil.datagen.channels import PRICE_FACTOR, expected_quantity
from craftveil.datagen.config import GeneratorConfig
from craftveil.datagen.schema import TABLE_SCHEMAS
from craftveil.datagen.strings import (
    FloatArray,
    IntArray,
    cumulative,
    draw,
    fixed_width_codes,
    join_columns,
    pick,
    rng_for,
)
from craftveil.datagen.vendors import Vendors

SIZE_WORDS = ("Small", "Large", "Mini", "Grand", "Classic", "Everyday")


@dataclass(frozen=True)
class Products:
    """The products table plus prices, costs and sales weights used by sales and batches."""

    table: pa.Table
    vendor: IntArray  # row index into the vendors table
    craft: IntArray  # the vendor's craft, per product
    product_type: IntArray
    price_cents: FloatArray  # list price before channel factor, drift and discounts
    cost_cents: FloatArray  # unit production cost at the start of the period
    lot: IntArray  # base lot number of the product
    sales_weight: FloatArray  # (n_products, 3): relative chance of a sale per channel


def build_products(config: GeneratorConfig, vendors: Vendors) -> Products:
    """Draw the product catalogue of every vendor."""
    rng = rng_for(config.seed, "products")
    n_vendors = vendors.region.size
    relative = vendors.revenue_weight / np.median(vendors.revenue_weight)
    per_vendor = np.clip(1 + rng.poisson(1.5 + 1.5 * np.log1p(relative)), 1, 30)
    vendor = np.repeat(np.arange(n_vendors), per_vendor)
    n = vendor.size
    first_row = np.cumsum(per_vendor) - per_vendor
    rank = np.arange(n) - first_row[vendor]
    craft = vendors.craft[vendor]

    product_type = np.empty(n, dtype=np.int64)
    blend = np.empty(n, dtype=np.int64)
    blend_words: list[str] = []
    for c, info in enumerate(catalogue.CRAFTS):
        rows = np.flatnonzero(craft == c)
        types = [catalogue.TYPE_INDEX[t] for t in info.product_types]
        cdf = cumulative(list(info.product_types.values()))
        product_type[rows] = np.asarray(types)[draw(cdf, rng.random(rows.size))]
        blends = catalogue.blend_catalogue(info.materials)
        order = rng.permutation(len(blends))
        blend_weights = 1.0 / np.arange(1, len(blends) + 1) ** 1.1
        blend[rows] = (
            len(blend_words) + order[draw(cumulative(blend_weights), rng.random(rows.size))]
        )
        blend_words.extend(blends)

    medians = np.array([t.median_price_cents for t in catalogue.PRODUCT_TYPES], dtype=np.float64)
    raw_price = medians[product_type] * vendors.markup[vendor] * rng.lognormal(0.0, 0.25, n)
    price = np.maximum(np.round(raw_price / 50.0) * 50.0, 50.0)
    cost_share = np.array([c.cost_share for c in catalogue.CRAFTS])[craft]
    cost = np.round(price * cost_share * rng.lognormal(0.0, 0.15, n))
    lot = rng.integers(1_000, 100_000, n)

    popularity = rng.lognormal(0.0, 0.3, n) / (rank + 1.0) ** 1.1
    share = popularity / np.bincount(vendor, weights=popularity, minlength=n_vendors)[vendor]
    mix = vendors.channel_mix[vendor]
    revenue_per_sale = PRICE_FACTOR * expected_quantity()  # per unit of price, by channel
    expected = np.bincount(
        vendor, weights=share * price * (mix @ revenue_per_sale), minlength=n_vendors
    )
    per_product = vendors.revenue_weight[vendor] * share / expected[vendor]
    sales_weight = per_product[:, None] * mix

    noun = pick([t.noun for t in catalogue.PRODUCT_TYPES], product_type)
    adjective = pick(
        catalogue.PRODUCT_ADJECTIVES, rng.integers(0, len(catalogue.PRODUCT_ADJECTIVES), n)
    )
    size_word = pick(SIZE_WORDS, rng.integers(0, len(SIZE_WORDS), n))
    sized = rng.random(n) < 0.35
    names = join_columns(adjective, noun, separator=" ")
    sized_names = join_columns(adjective, size_word, noun, separator=" ")
    product_name = pc.if_else(pa.array(sized), sized_names, names)
    vendor_ids = vendors.table.column("vendor_id").combine_chunks().take(pa.array(vendor))

    table = pa.Table.from_pydict(
        {
            "product_id": fixed_width_codes(np.arange(1, n + 1), 7, "P"),
            "vendor_id": vendor_ids,
            "product_name": product_name,
            "category": pick([t.category for t in catalogue.PRODUCT_TYPES], product_type),
            "product_type": pick([t.name for t in catalogue.PRODUCT_TYPES], product_type),
            "material_blend": pick(blend_words, blend),
            "lot_number": fixed_width_codes(lot, 5),
        },
        schema=TABLE_SCHEMAS["products"],
    )
    return Products(table, vendor, craft, product_type, price, cost, lot, sales_weight)
