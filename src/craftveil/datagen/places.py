"""The fictional geography: regions, their postal prefixes, centres, cities and craft specialities.

Postal codes are built as region prefix (2 digits) + city digit + 2 random digits, so the
generalisation hierarchy ``04412 → 044 → 04 → region`` that a steward declares for location
(ARX-style hierarchy: each level coarser than the one before) is true of the data. Three
regions have a leading-zero prefix on purpose: a reader that infers integers loses the zero.
Crafts cluster by region (the ``specialities`` multipliers), which is what makes craft and region
together a quasi-identifier worth generalising.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    """One named region: postal prefix, centre (degrees), phone area codes, cities, crafts."""

    name: str
    postal_prefix: str
    latitude: float
    longitude: float
    area_codes: tuple[int, ...]
    cities: tuple[str, ...]
    specialities: dict[str, float]
    size: float  # relative number of vendors


REGIONS: tuple[Region, ...] = (
    Region(
        "Granite Ridge",
        "04",
        44.90,
        -69.20,
        (207,),
        ("Stonebridge", "Millbrook", "Quarry Falls", "Ashford", "Birch Corner"),
        {"woodwork": 3.0, "glass": 1.5},
        0.8,
    ),
    Region(
        "Harbour Bay",
        "02",
        41.70,
        -70.60,
        (508, 774),
        ("Saltmarsh", "Port Avery", "Gull Point", "Tidewater", "Wrenham", "Eastwick"),
        {"glass": 3.0, "jewellery": 2.0, "candles": 1.5},
        1.3,
    ),
    Region(
        "Lake Country",
        "07",
        43.10,
        -76.20,
        (315, 680),
        ("Elmwood", "Cedar Shore", "Loon Harbor", "Kettle Creek"),
        {"cheese": 2.5, "bakery": 2.0},
        0.9,
    ),
    Region(
        "Blue Hollow",
        "28",
        35.60,
        -82.50,
        (828,),
        ("Laurel Gap", "Fiddler's Creek", "Sparrow Hill", "Cane River", "Black Rock"),
        {"weaving": 3.0, "pottery": 2.0, "woodwork": 1.5},
        1.2,
    ),
    Region(
        "Red Mesa",
        "87",
        35.10,
        -106.60,
        (505, 575),
        ("Cerrillos", "Piedra Blanca", "Santa Lupe", "Arroyo Seco", "Taosito"),
        {"pottery": 3.0, "jewellery": 3.0, "weaving": 2.0},
        1.1,
    ),
    Region(
        "High Plains",
        "59",
        46.60,
        -112.00,
        (406,),
        ("Big Timber", "Prairie Rose", "Two Forks"),
        {"leather": 3.5, "woodwork": 1.5},
        0.6,
    ),
    Region(
        "Orchard Basin",
        "98",
        46.60,
        -120.50,
        (509,),
        ("Applegate", "Sunnyslope", "Cowiche", "Naches Mill", "Tieton"),
        {"bakery": 2.5, "soap": 2.0, "candles": 1.5},
        1.0,
    ),
    Region(
        "Pine Coast",
        "97",
        44.60,
        -123.90,
        (541, 458),
        ("Driftwood", "Alder Bay", "Yachats Point", "Seal Rock", "Otter Crest", "Fernhill"),
        {"woodwork": 2.0, "soap": 2.5, "candles": 1.5},
        1.2,
    ),
    Region(
        "Meadowlands",
        "53",
        43.10,
        -89.40,
        (608,),
        ("New Glarus Mills", "Clover Falls", "Dairyton", "Paoli"),
        {"cheese": 4.0, "bakery": 1.5},
        0.9,
    ),
    Region(
        "Sun Valley",
        "85",
        33.50,
        -111.90,
        (480, 602),
        ("Saguaro Wells", "Copper Flat", "Mesa Verde Park", "Dos Cabezas"),
        {"jewellery": 2.0, "leather": 2.0, "pottery": 1.5},
        1.0,
    ),
)

STREET_NAMES: tuple[str, ...] = (
    "Orchard", "Maple", "Mill", "River", "Church", "Station", "Quarry", "Harbour", "Meadow",
    "Willow", "Cedar", "Chestnut", "Hawthorn", "Bramble", "Kiln", "Loom", "Forge", "Elm",
    "Juniper", "Hillcrest", "Lakeview", "Old Post", "Sawmill", "Granary", "Foundry", "Pottery",
    "Ferry", "Bridge", "High", "Market", "Spring", "Oak", "Birch", "Pine", "Aspen", "Larch",
    "Heather", "Thistle", "Clover", "Sunflower", "Canyon", "Mesa", "Prairie", "Creek",
)  # fmt: skip

STREET_SUFFIXES: tuple[str, ...] = (
    "Lane", "Road", "Street", "Avenue", "Way", "Drive", "Court", "Row", "Path", "Trail",
)  # fmt: skip

#: Channels of a sale, in the order used by every per-channel array in this package.
CHANNELS: tuple[str, ...] = ("market", "online", "wholesale")
