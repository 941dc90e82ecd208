"""How each sales channel behaves over the year, the week and the day, and per sale.

The shapes are the structure the analytics and the privacy checks look for: a holiday peak
(November–December, strongest online), a summer bump for markets (weekend farmers' and craft
markets run May–September), wholesale orders on weekdays stocking up in autumn, modest growth,
and long-tailed quantities (truncated Zipf: most sales are one or two items, a few are large).
Channel order everywhere is ``places.CHANNELS`` = (market, online, wholesale).
"""

from __future__ import annotations

from datetime import date

import numpy as np

from craftveil.datagen.strings import FloatArray, IntArray

#: Month-of-year multipliers (January … December) per channel.
SEASON: FloatArray = np.array(
    [
        [0.45, 0.50, 0.70, 0.90, 1.20, 1.50, 1.70, 1.60, 1.30, 1.00, 1.10, 1.50],  # market
        [0.70, 0.65, 0.75, 0.80, 0.85, 0.80, 0.80, 0.85, 0.90, 1.00, 1.60, 2.20],  # online
        [0.80, 0.80, 0.90, 0.90, 1.00, 1.00, 0.90, 1.00, 1.20, 1.40, 1.40, 1.10],  # wholesale
    ]
)

#: Day-of-week multipliers (Monday … Sunday) per channel: markets are a weekend affair.
WEEKDAY: FloatArray = np.array(
    [
        [0.30, 0.30, 0.50, 0.50, 0.80, 3.00, 2.20],
        [1.00, 1.05, 1.00, 1.00, 0.95, 0.90, 1.10],
        [1.20, 1.20, 1.20, 1.20, 1.10, 0.05, 0.02],
    ]
)

#: Hour-of-day weights (0 … 23) per channel.
HOURS: FloatArray = np.array(
    [
        [0, 0, 0, 0, 0, 0, 0, 2, 6, 10, 12, 11, 9, 7, 5, 3, 1, 0, 0, 0, 0, 0, 0, 0],
        [1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1, 2, 3, 3, 3, 4, 4, 3, 3, 3, 4, 5, 6, 7, 7, 5, 2],
        [0, 0, 0, 0, 0, 0, 0, 1, 4, 6, 6, 5, 3, 5, 5, 4, 2, 0, 0, 0, 0, 0, 0, 0],
    ],
    dtype=np.float64,
)

YEARLY_GROWTH = 1.08  # sales volume grows 8 % a year
YEARLY_PRICE_DRIFT = 1.03  # prices rise 3 % a year
PRICE_FACTOR: FloatArray = np.array([1.00, 1.08, 0.55])  # online adds shipping; wholesale discount
DISCOUNT_SHARE = 0.06  # share of sales with a 10–30 % discount

#: Quantity per sale: ``case_size × min(Zipf(exponent), cap)``.
QUANTITY_EXPONENT: FloatArray = np.array([2.4, 2.3, 2.2])
QUANTITY_CAP: FloatArray = np.array([40.0, 60.0, 30.0])
CASE_SIZE: FloatArray = np.array([1.0, 1.0, 4.0])  # wholesale sells by the case


def day_weights(start: date, days: int) -> FloatArray:
    """Relative sales intensity of each channel on each day: shape (3, days), rows sum to 1."""
    day_numbers = np.arange(days)
    dates = np.datetime64(start, "D") + day_numbers
    months = dates.astype("datetime64[M]").astype(np.int64) % 12
    weekdays = (dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    growth = YEARLY_GROWTH ** (day_numbers / 365.25)
    weights = SEASON[:, months] * WEEKDAY[:, weekdays] * growth[None, :]
    return weights / weights.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def draw_quantities(rng: np.random.Generator, channel: IntArray) -> IntArray:
    """Long-tailed quantities per sale for the given channel codes."""
    raw = rng.zipf(QUANTITY_EXPONENT[channel]).astype(np.float64)
    capped = np.minimum(raw, QUANTITY_CAP[channel]) * CASE_SIZE[channel]
    return capped.astype(np.int64)


def riemann_zeta(exponent: float, terms: int = 100_000) -> float:
    """ζ(s) for s > 1: a partial sum plus the Euler–Maclaurin tail (error far below 1e-12)."""
    k = np.arange(1, terms, dtype=np.float64)
    tail = terms ** (1.0 - exponent) / (exponent - 1.0) + 0.5 * terms**-exponent
    return float((k**-exponent).sum() + tail)


def expected_quantity() -> FloatArray:
    """Mean quantity per sale of each channel, exactly, from the truncated Zipf law above."""
    means = np.empty(3)
    for c in range(3):
        a, cap = QUANTITY_EXPONENT[c], int(QUANTITY_CAP[c])
        k = np.arange(1, cap, dtype=np.float64)
        pmf = k**-a / riemann_zeta(a)
        means[c] = CASE_SIZE[c] * (float((k * pmf).sum()) + cap * (1.0 - float(pmf.sum())))
    return means


def price_multipliers(rng: np.random.Generator, channel: IntArray, day: IntArray) -> FloatArray:
    """Channel factor × yearly drift × occasional discount, per sale."""
    drift = YEARLY_PRICE_DRIFT ** (day / 365.25)
    discounted = rng.random(channel.size) < DISCOUNT_SHARE
    discount = np.where(discounted, 1.0 - rng.uniform(0.10, 0.30, channel.size), 1.0)
    return PRICE_FACTOR[channel] * drift * discount
