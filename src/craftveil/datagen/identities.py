"""Who and where each vendor is: names, contact details, address, coordinates, age and staff.

These are the columns a profiler must classify as direct identifiers (names, e-mail, phone,
street address, website, Instagram) or quasi-identifiers (city, postal code, region,
coordinates, founding year, employees). Formats vary the way real registers do (several phone
styles, some vendors without a website) so detectors are tested on more than one pattern.
Postal codes and coordinates cluster by city inside the region (see ``places.py``).
A Python loop over vendors is fine here: at most 20,000 of them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from craftveil.datagen import catalogue, names, places
from craftveil.datagen.config import GeneratorConfig
from craftveil.datagen.strings import FloatArray, IntArray, fixed_width_codes, rng_for

PHONE_STYLES = (
    "+1 {a}-{e}-{l}",
    "({a}) {e}-{l}",
    "{a}.{e}.{l}",
    "+1 ({a}) {e}{l}",
    "{a}-{e}-{l}",
)


def identity_columns(
    rng: np.random.Generator,
    config: GeneratorConfig,
    region: IntArray,
    craft: IntArray,
    revenue_weight: FloatArray,
    dominant: np.ndarray,
) -> dict[str, Any]:
    """All columns of the vendors table, in schema order."""
    n = region.size
    first = rng.integers(0, len(names.FIRST_NAMES), n)
    last = rng.integers(0, len(names.LAST_NAMES), n)
    owners = [
        f"{names.FIRST_NAMES[f]} {names.LAST_NAMES[s]}" for f, s in zip(first, last, strict=True)
    ]
    businesses = _business_names(rng, first, last, craft)
    slugs = [names.slug(b) for b in businesses]

    city_draw = rng.random(n)
    city = np.empty(n, dtype=np.int64)
    latitude = np.empty(n)
    longitude = np.empty(n)
    for r, info in enumerate(places.REGIONS):
        members = np.flatnonzero(region == r)
        k = len(info.cities)
        city_weights = 1.0 / np.arange(1, k + 1) ** 0.8
        cdf = np.cumsum(city_weights / city_weights.sum())
        cdf[-1] = 1.0
        city[members] = np.searchsorted(cdf, city_draw[members], side="right")
        offsets = rng_for(config.seed, "city-centres", r).normal(0.0, 0.25, (k, 2))
        latitude[members] = info.latitude + offsets[city[members], 0]
        longitude[members] = info.longitude + offsets[city[members], 1]
    latitude = np.round(latitude + rng.normal(0.0, 0.04, n), 6)
    longitude = np.round(longitude + rng.normal(0.0, 0.05, n), 6)
    prefixes = np.array([int(r.postal_prefix) for r in places.REGIONS])
    postal = prefixes[region] * 1000 + city * 100 + rng.integers(0, 100, n)

    relative = revenue_weight / np.median(revenue_weight)
    employees = 1 + rng.poisson(1.2 * relative**0.6)
    employees = np.minimum(np.where(dominant, employees + 8, employees), 400)
    age = np.minimum(rng.exponential(np.where(dominant, 30.0, 11.0)), 90.0).astype(np.int64)
    founding_year = config.start.year - 1 - age

    has_site = rng.random(n) < 0.55
    has_instagram = rng.random(n) < 0.45
    return {
        "vendor_id": fixed_width_codes(np.arange(1, n + 1), 6, "V"),
        "business_name": businesses,
        "owner_name": owners,
        "email": _emails(rng, first, last, slugs),
        "phone": _phones(rng, region),
        "street_address": _streets(rng, n),
        "city": [places.REGIONS[r].cities[c] for r, c in zip(region, city, strict=True)],
        "postal_code": fixed_width_codes(postal, 5),
        "region": [places.REGIONS[r].name for r in region],
        "latitude": latitude,
        "longitude": longitude,
        "craft": [catalogue.CRAFTS[c].name for c in craft],
        "founding_year": founding_year.astype(np.int32),
        "employees": employees.astype(np.int32),
        "website": [
            f"https://www.{s}.example" if h else None for s, h in zip(slugs, has_site, strict=True)
        ],
        "instagram": [
            f"@{s[:24]}" if h else None for s, h in zip(slugs, has_instagram, strict=True)
        ],
    }


def _business_names(
    rng: np.random.Generator, first: IntArray, last: IntArray, craft: IntArray
) -> list[str]:
    style = rng.integers(0, 4, craft.size)
    nature = rng.integers(0, len(names.NATURE_WORDS), craft.size)
    trade = rng.integers(0, 3, craft.size)
    result = []
    for i in range(craft.size):
        word = catalogue.CRAFTS[craft[i]].trade_words[trade[i]]
        if style[i] == 0:
            result.append(f"{names.LAST_NAMES[last[i]]} {word}")
        elif style[i] == 1:
            result.append(f"{names.FIRST_NAMES[first[i]]}'s {word}")
        else:
            result.append(f"{names.NATURE_WORDS[nature[i]]} {word}")
    return result


def _emails(
    rng: np.random.Generator, first: IntArray, last: IntArray, slugs: list[str]
) -> list[str]:
    style = rng.integers(0, 4, first.size)
    number = rng.integers(1, 99, first.size)
    result = []
    for i in range(first.size):
        f = names.FIRST_NAMES[first[i]].lower()
        s = names.LAST_NAMES[last[i]].lower()
        if style[i] == 0:
            result.append(f"{f}.{s}@{slugs[i]}.example")
        elif style[i] == 1:
            result.append(f"hello@{slugs[i]}.example")
        elif style[i] == 2:
            result.append(f"{f}{s}{number[i]}@mail.example")
        else:
            result.append(f"{f[0]}{s}@{slugs[i]}.example")
    return result


def _phones(rng: np.random.Generator, region: IntArray) -> list[str]:
    style = rng.integers(0, len(PHONE_STYLES), region.size)
    area_pick = rng.integers(0, 2, region.size)
    line = rng.integers(0, 10_000, region.size)
    exchange = rng.integers(10, 100, region.size)
    result = []
    for i in range(region.size):
        codes = places.REGIONS[region[i]].area_codes
        area = codes[area_pick[i] % len(codes)]
        text = PHONE_STYLES[style[i]].format(a=area, e=f"5{exchange[i]:02d}", l=f"{line[i]:04d}")
        result.append(text)
    return result


def _streets(rng: np.random.Generator, n: int) -> list[str]:
    number = rng.integers(1, 2500, n)
    street = rng.integers(0, len(places.STREET_NAMES), n)
    suffix = rng.integers(0, len(places.STREET_SUFFIXES), n)
    return [
        f"{number[i]} {places.STREET_NAMES[street[i]]} {places.STREET_SUFFIXES[suffix[i]]}"
        for i in range(n)
    ]
