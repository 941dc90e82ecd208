"""Suppliers and the vendor ↔ supplier links (who buys which material from whom, at what cost).

Most suppliers serve one trade (a few general merchants serve every craft). Popularity is
Pareto-distributed and strongly local (a vendor buys from its own region four times as
readily), so a handful of suppliers serve many vendors of a region while
many vendors depend on one supplier for a key material — the "supplier dependence" analysts
ask about, and a link that can single a vendor out, which is why the masking policy removes it.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from craftveil.datagen import catalogue, names, places
from craftveil.datagen.config import GeneratorConfig
from craftveil.datagen.schema import TABLE_SCHEMAS
from craftveil.datagen.strings import (
    cumulative,
    draw,
    fixed_width_codes,
    money_column,
    pick,
    rng_for,
)
from craftveil.datagen.vendors import Vendors

LOCAL_PREFERENCE = 4.0  # a vendor buys from its own region this many times as readily
GENERAL = -1  # trade code of a general merchant
GENERAL_SHARE = 0.1  # share of suppliers that are general merchants
GENERAL_FIT = 0.2  # how readily a vendor buys from a general merchant rather than a specialist


def supplier_count(n_vendors: int) -> int:
    """About one supplier per eight vendors, at least 12 and at most 2,500."""
    return min(max(n_vendors // 8, 12), 2_500)


def build_supply(config: GeneratorConfig, vendors: Vendors) -> tuple[pa.Table, pa.Table]:
    """The suppliers table and the materials (vendor ↔ supplier link) table."""
    rng = rng_for(config.seed, "supply")
    n_regions = len(places.REGIONS)
    n_suppliers = supplier_count(vendors.region.size)
    region = np.concatenate(
        [np.arange(n_regions), rng.integers(0, n_regions, n_suppliers - n_regions)]
    )
    popularity = rng.pareto(1.5, n_suppliers) + 0.05
    # Most suppliers serve one trade (clay, fibre, timber …); a few general merchants serve all.
    craft_weights = [max(c.weight, 0.0) for c in catalogue.CRAFTS]
    trade = draw(cumulative(craft_weights), rng.random(n_suppliers))
    trade[rng.random(n_suppliers) < GENERAL_SHARE] = GENERAL
    trade[:2] = GENERAL  # rare crafts always find someone to buy from
    price_level = rng.lognormal(0.0, 0.12, n_suppliers)
    supplier_ids = fixed_width_codes(np.arange(1, n_suppliers + 1), 5, "SUP")
    supplier_names = _supplier_names(rng, n_suppliers)
    suppliers = pa.Table.from_pydict(
        {
            "supplier_id": supplier_ids,
            "supplier_name": supplier_names,
            "region": [places.REGIONS[r].name for r in region],
            "contact_email": [
                f"{'sales' if i % 3 == 0 else 'orders'}@{names.slug(s)}.example"
                for i, s in enumerate(supplier_names)
            ],
        },
        schema=TABLE_SCHEMAS["suppliers"],
    )

    # Links: each vendor buys two to four of its craft's materials.
    n_vendors = vendors.region.size
    link_count = rng.integers(2, 5, n_vendors)
    link_vendor = np.repeat(np.arange(n_vendors), link_count)
    link_rank = np.arange(link_vendor.size) - (np.cumsum(link_count) - link_count)[link_vendor]
    link_supplier = np.empty(link_vendor.size, dtype=np.int64)
    link_craft = vendors.craft[link_vendor]
    link_region = vendors.region[link_vendor]
    for r in range(n_regions):
        local = np.where(region == r, LOCAL_PREFERENCE, 1.0)
        for c in np.unique(link_craft[link_region == r]):
            rows = np.flatnonzero((link_region == r) & (link_craft == c))
            fit = np.where(trade == c, 1.0, np.where(trade == GENERAL, GENERAL_FIT, 0.0))
            link_supplier[rows] = draw(cumulative(popularity * local * fit), rng.random(rows.size))

    vocabulary = sorted({m for c in catalogue.CRAFTS for m in c.materials})
    craft_materials = [[vocabulary.index(m) for m in c.materials] for c in catalogue.CRAFTS]
    width = max(len(m) for m in craft_materials)
    table = np.array([(m * width)[:width] for m in craft_materials])  # cycled to equal width
    material = table[link_craft, link_rank]
    base_cost = rng.lognormal(np.log(400.0), 0.8, len(vocabulary))  # cents per unit
    noise = rng.lognormal(0.0, 0.1, link_vendor.size)
    cost = np.round(base_cost[material] * price_level[link_supplier] * noise)
    vendor_ids = vendors.table.column("vendor_id").combine_chunks()
    materials_table = pa.Table.from_pydict(
        {
            "vendor_id": vendor_ids.take(pa.array(link_vendor)),
            "supplier_id": supplier_ids.take(pa.array(link_supplier)),
            "material": pick(vocabulary, material),
            "unit_cost": money_column(np.maximum(cost, 1)),
        },
        schema=TABLE_SCHEMAS["materials"],
    )
    return suppliers, materials_table


def _supplier_names(rng: np.random.Generator, n: int) -> list[str]:
    """Business names such as "Okafor Mercantile" or "Two Rivers Supply"."""
    style = rng.integers(0, 2, n)
    last = rng.integers(0, len(names.LAST_NAMES), n)
    nature = rng.integers(0, len(names.NATURE_WORDS), n)
    word = rng.integers(0, len(names.SUPPLIER_WORDS), n)
    return [
        f"{names.LAST_NAMES[last[i]] if style[i] else names.NATURE_WORDS[nature[i]]} "
        f"{names.SUPPLIER_WORDS[word[i]]}"
        for i in range(n)
    ]
