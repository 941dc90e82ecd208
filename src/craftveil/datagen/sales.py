"""Sales: an exact number of rows, time-ordered, generated in chunks of consecutive days.

The joint law is P(product, channel, day) ∝ weight[product, channel] × season[channel, day]
(``products.py`` and ``channels.py``). The number of sales on each day is one multinomial draw
over all days, so the total is exactly ``n_sales``; days are then grouped into chunks of about
``CHUNK_ROWS`` rows, each drawn from its own seeded stream and sorted by time. Chunks are
independent of memory limits and of each other, so the file is byte-identical for a seed, the
whole file is ordered by ``sold_at``, and 10 M rows never need to be in memory at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from craftveil.datagen import channels, places
from craftveil.datagen.config import GeneratorConfig
from craftveil.datagen.products import Products
from craftveil.datagen.schema import TABLE_SCHEMAS
from craftveil.datagen.strings import (
    FloatArray,
    IntArray,
    cumulative,
    draw,
    fixed_width_codes,
    money_column,
    pick,
    rng_for,
)

CHUNK_ROWS = 500_000
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class SalesPlan:
    """How many sales fall on each day, and the per-day channel and per-channel product laws."""

    rows_per_day: IntArray
    channel_given_day: FloatArray  # (days, 3) cumulative
    product_given_channel: tuple[FloatArray, ...]  # three cumulative distributions
    hour_given_channel: tuple[FloatArray, ...]
    chunks: tuple[tuple[int, int], ...]  # [first_day, end_day) per chunk


def plan_sales(config: GeneratorConfig, products: Products) -> SalesPlan:
    """Draw the daily counts (exact total) and fix the chunk boundaries."""
    rng = rng_for(config.seed, "sales-plan")
    season = channels.day_weights(config.start, config.days)  # (3, days)
    channel_total = products.sales_weight.sum(axis=0)
    channel_share = channel_total / channel_total.sum()
    joint = channel_share[:, None] * season  # P(channel, day)
    day_share = joint.sum(axis=0)
    rows_per_day = rng.multinomial(config.n_sales, day_share / day_share.sum())
    channel_given_day = np.cumsum(joint / day_share[None, :], axis=0).T
    channel_given_day[:, -1] = 1.0
    before = np.cumsum(rows_per_day) - rows_per_day
    chunk_of_day = before // CHUNK_ROWS
    edges = np.flatnonzero(np.diff(chunk_of_day)) + 1
    starts = np.r_[0, edges]
    ends = np.r_[edges, config.days]
    return SalesPlan(
        rows_per_day=rows_per_day.astype(np.int64),
        channel_given_day=channel_given_day,
        product_given_channel=tuple(cumulative(products.sales_weight[:, c]) for c in range(3)),
        hour_given_channel=tuple(cumulative(channels.HOURS[c]) for c in range(3)),
        chunks=tuple((int(s), int(e)) for s, e in zip(starts, ends, strict=True)),
    )


@dataclass(frozen=True)
class SalesChunk:
    """One chunk of sales as an Arrow table, plus raw codes for the production accumulators."""

    table: pa.Table
    product: IntArray
    day: IntArray
    quantity: IntArray


def generate_sales(
    config: GeneratorConfig, products: Products, vendor_ids: pa.Array, plan: SalesPlan
) -> Iterator[SalesChunk]:
    """Yield the sales table chunk by chunk, in time order, with sale ids 1 … n_sales."""
    start_second = np.datetime64(config.start, "s").astype(np.int64)
    product_ids = fixed_width_codes(np.arange(1, products.vendor.size + 1), 7, "P")
    first_sale = 0
    for index, (first_day, end_day) in enumerate(plan.chunks):
        rng = rng_for(config.seed, "sales", index)
        days = np.arange(first_day, end_day)
        day = np.repeat(days, plan.rows_per_day[first_day:end_day])
        m = day.size
        u = rng.random(m)
        cdf = plan.channel_given_day[day]
        channel = (u >= cdf[:, 0]).astype(np.int64) + (u >= cdf[:, 1])
        product = np.empty(m, dtype=np.int64)
        hour = np.empty(m, dtype=np.int64)
        for c in range(3):
            rows = np.flatnonzero(channel == c)
            product[rows] = draw(plan.product_given_channel[c], rng.random(rows.size))
            hour[rows] = draw(plan.hour_given_channel[c], rng.random(rows.size))
        second = start_second + day * SECONDS_PER_DAY + hour * 3600 + rng.integers(0, 3600, m)
        order = np.argsort(second, kind="stable")
        day, channel, product, second = day[order], channel[order], product[order], second[order]
        quantity = channels.draw_quantities(rng, channel)
        price = products.price_cents[product] * channels.price_multipliers(rng, channel, day)
        table = pa.Table.from_arrays(
            [
                fixed_width_codes(np.arange(first_sale + 1, first_sale + m + 1), 9, "S"),
                vendor_ids.take(pa.array(products.vendor[product])),
                product_ids.take(pa.array(product)),
                pa.array(second.astype("datetime64[s]")),
                pick(places.CHANNELS, channel),
                pa.array(quantity),
                money_column(np.maximum(np.round(price), 1)),
            ],
            schema=TABLE_SCHEMAS["sales"],
        )
        first_sale += m
        yield SalesChunk(table, product, day, quantity)
