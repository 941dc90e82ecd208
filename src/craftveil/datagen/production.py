"""Production batches, sized to what was actually sold.

Each product is made in batches at its craft's cadence (bread monthly, instruments twice a
year). A batch covers one window of months and is finished shortly before the window starts;
its quantity is the units sold in that window times a small over-production factor, so
production and sales tell one consistent story (inventory forecasting works on the released
data). Windows with no sales make no batch. Unit cost drifts up 3 % a year with batch noise.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from craftveil.datagen import catalogue
from craftveil.datagen.channels import YEARLY_PRICE_DRIFT
from craftveil.datagen.config import GeneratorConfig
from craftveil.datagen.products import Products
from craftveil.datagen.schema import TABLE_SCHEMAS
from craftveil.datagen.strings import FloatArray, IntArray, fixed_width_codes, money_column, rng_for


class UnitsSold:
    """Accumulates units sold per (product, month of the period) across sales chunks."""

    def __init__(self, config: GeneratorConfig, n_products: int) -> None:
        self.months = config.months
        start = np.datetime64(config.start, "D")
        day_dates = start + np.arange(config.days)
        first_month = start.astype("datetime64[M]").astype(np.int64)
        self.month_of_day: IntArray = (
            day_dates.astype("datetime64[M]").astype(np.int64) - first_month
        )
        self.units: FloatArray = np.zeros(n_products * config.months)

    def add(self, product: IntArray, day: IntArray, quantity: IntArray) -> None:
        """Add one chunk of sales (product index, day offset, quantity)."""
        cell = product * self.months + self.month_of_day[day]
        self.units += np.bincount(cell, weights=quantity, minlength=self.units.size)

    def by_product(self) -> FloatArray:
        """Units sold as a (products, months) matrix."""
        return self.units.reshape(-1, self.months)


def build_batches(
    config: GeneratorConfig, products: Products, vendor_ids: pa.Array, sold: UnitsSold
) -> pa.Table:
    """One row per (product, production window) with sales in that window."""
    rng = rng_for(config.seed, "batches")
    units = sold.by_product()
    n_products = units.shape[0]
    cadence_of_craft = np.array([c.batch_months for c in catalogue.CRAFTS])
    cadence = cadence_of_craft[products.craft]

    product_parts: list[IntArray] = []
    window_parts: list[IntArray] = []
    units_parts: list[FloatArray] = []
    for months_per_batch in np.unique(cadence):
        rows = np.flatnonzero(cadence == months_per_batch)
        windows = -(-config.months // months_per_batch)
        padded = np.zeros((rows.size, windows * months_per_batch))
        padded[:, : config.months] = units[rows]
        per_window = padded.reshape(rows.size, windows, months_per_batch).sum(axis=2)
        p, w = np.nonzero(per_window)
        product_parts.append(rows[p])
        window_parts.append(w * months_per_batch)
        units_parts.append(per_window[p, w])
    product = np.concatenate(product_parts)
    first_month = np.concatenate(window_parts)
    made_for = np.concatenate(units_parts)

    n = product.size
    overproduction = 1.0 + np.abs(rng.normal(0.08, 0.06, n))
    quantity = np.ceil(made_for * overproduction).astype(np.int64)
    window_start = (np.datetime64(config.start, "M") + first_month.astype("timedelta64[M]")).astype(
        "datetime64[D]"
    )
    lead_days = rng.integers(1, 10, n)
    duration = 1 + rng.poisson(2.0 * cadence[product])
    finished = window_start - lead_days.astype("timedelta64[D]")
    started = finished - duration.astype("timedelta64[D]")
    years = first_month / 12.0
    cost = products.cost_cents[product] * YEARLY_PRICE_DRIFT**years * rng.lognormal(0, 0.05, n)
    lot = (products.lot[product] - 1_000 + first_month // cadence[product]) % 99_000 + 1_000

    order = np.lexsort((product, started))
    product, quantity, cost, lot = product[order], quantity[order], cost[order], lot[order]
    started, finished = started[order], finished[order]
    product_ids = fixed_width_codes(np.arange(1, n_products + 1), 7, "P")
    return pa.Table.from_arrays(
        [
            fixed_width_codes(np.arange(1, n + 1), 8, "B"),
            vendor_ids.take(pa.array(products.vendor[product])),
            product_ids.take(pa.array(product)),
            fixed_width_codes(lot, 5),
            pa.array(started),
            pa.array(finished),
            pa.array(quantity),
            money_column(np.maximum(np.round(cost), 1)),
        ],
        schema=TABLE_SCHEMAS["batches"],
    )
