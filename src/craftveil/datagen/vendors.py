"""The vendors: who they are (direct identifiers), where (quasi-identifiers), and how big.

Vendor size is heavy-tailed on purpose. Ordinary vendors draw a lognormal revenue weight; in
every region one to three *dominant* vendors are then given fixed shares of the region's
expected revenue (one region — the first — is a "mill town" whose leader holds ~62 %). That is
what the (n,k) dominance and p% rules of the ESSnet handbook (ch. 4) exist for: a regional
total that one vendor dominates discloses that vendor's revenue unless it is suppressed.
``products.py`` turns revenue weights into sales-row weights using each product's price, so the
designed shares hold for revenue whatever the vendor sells. Rare crafts go to one
ordinary vendor each, so they are sample-unique (ARX: prosecutor risk 1 when craft is kept).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from craftveil.datagen import catalogue, places
from craftveil.datagen.config import GeneratorConfig
from craftveil.datagen.identities import identity_columns
from craftveil.datagen.schema import TABLE_SCHEMAS
from craftveil.datagen.strings import FloatArray, IntArray, cumulative, draw, rng_for

MILL_TOWN_SHARE = 0.62  # leader's revenue share in the first region


@dataclass(frozen=True)
class Vendors:
    """The vendors table plus the hidden parameters later tables are drawn from."""

    table: pa.Table
    region: IntArray
    craft: IntArray
    dominant: np.ndarray  # bool: one of its region's leaders
    revenue_weight: FloatArray  # relative expected revenue
    channel_mix: FloatArray  # (n, 3) probabilities market / online / wholesale
    markup: FloatArray  # vendor price level relative to the product type's median


def build_vendors(config: GeneratorConfig) -> Vendors:
    """Draw every vendor: region, craft, size, channel mix, price level and identity."""
    rng = rng_for(config.seed, "vendors")
    n = config.vendor_count
    n_regions = len(places.REGIONS)
    sizes = [r.size for r in places.REGIONS]
    region = np.concatenate(
        [np.repeat(np.arange(n_regions), 2), draw(cumulative(sizes), rng.random(n - 2 * n_regions))]
    )
    region = region[rng.permutation(n)]
    craft = _draw_crafts(rng, region)
    revenue_weight, dominant = _revenue_weights(rng, region)
    _assign_rare_crafts(rng, craft, dominant)

    mix = np.array([catalogue.CRAFTS[c].channel_mix for c in craft]) * 20.0
    mix = rng.gamma(mix)
    mix[:, 2] *= np.where(dominant, 1.8, 0.6)  # leaders sell much more to shops and restaurants
    mix /= mix.sum(axis=1, keepdims=True)
    markup = rng.lognormal(0.0, 0.2, n) * np.where(dominant, 0.9, 1.0)

    columns = identity_columns(rng, config, region, craft, revenue_weight, dominant)
    table = pa.Table.from_pydict(columns, schema=TABLE_SCHEMAS["vendors"])
    return Vendors(table, region, craft, dominant, revenue_weight, mix, markup)


def _draw_crafts(rng: np.random.Generator, region: IntArray) -> IntArray:
    """Common crafts by region: base popularity × the region's specialities."""
    craft = np.empty(region.size, dtype=np.int64)
    base = np.array([c.weight for c in catalogue.CRAFTS])
    for r, info in enumerate(places.REGIONS):
        weights = base * np.array([info.specialities.get(c.name, 1.0) for c in catalogue.CRAFTS])
        members = np.flatnonzero(region == r)
        craft[members] = draw(cumulative(weights), rng.random(members.size))
    return craft


def _revenue_weights(rng: np.random.Generator, region: IntArray) -> tuple[FloatArray, np.ndarray]:
    """Lognormal weights for ordinary vendors; designed shares for each region's leaders."""
    weight = rng.lognormal(0.0, 1.1, region.size)
    dominant = np.zeros(region.size, dtype=bool)
    for r in range(len(places.REGIONS)):
        members = np.flatnonzero(region == r)
        n_leaders = min(int(rng.integers(1, 4)), members.size - 1)
        if r == 0:
            shares = np.array([MILL_TOWN_SHARE])
        else:
            first = rng.uniform(0.15, 0.45)
            shares = first * np.cumprod(np.r_[1.0, rng.uniform(0.35, 0.75, n_leaders - 1)])
        leaders = rng.choice(members, size=shares.size, replace=False)
        others = np.setdiff1d(members, leaders)
        weight[leaders] = shares / (1.0 - shares.sum()) * weight[others].sum()
        dominant[leaders] = True
    return weight, dominant


def _assign_rare_crafts(rng: np.random.Generator, craft: IntArray, dominant: np.ndarray) -> None:
    """Give each rare craft to exactly one ordinary vendor (in place)."""
    rare = [catalogue.CRAFT_INDEX[name] for name in catalogue.RARE_CRAFTS]
    holders = rng.choice(np.flatnonzero(~dominant), size=len(rare), replace=False)
    craft[holders] = rare
