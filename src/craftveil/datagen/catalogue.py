"""What vendors make: crafts, product categories and types, materials and their prices.

Each product type belongs to exactly one category, so ``product_type → category → *`` is a valid
generalisation hierarchy. Three crafts are RARE — held by exactly one vendor each — so a release
that keeps ``craft`` ungeneralised has sample-unique vendors (ARX: a class of size one, prosecutor
risk 1). Prices are per product type; cost shares are per craft so margins differ by trade.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProductType:
    """A product type: its category, median retail price (cents) and a singular noun."""

    name: str
    category: str
    median_price_cents: int
    noun: str


PRODUCT_TYPES: tuple[ProductType, ...] = (
    ProductType("mugs", "tableware", 3200, "Mug"),
    ProductType("bowls", "tableware", 4500, "Bowl"),
    ProductType("glassware", "tableware", 3800, "Tumbler"),
    ProductType("cutting boards", "tableware", 5500, "Cutting Board"),
    ProductType("scarves", "textiles", 8500, "Scarf"),
    ProductType("blankets", "textiles", 22000, "Blanket"),
    ProductType("hats", "textiles", 7500, "Hat"),
    ProductType("vases", "home and body", 7000, "Vase"),
    ProductType("candles", "home and body", 2400, "Candle"),
    ProductType("soap bars", "home and body", 900, "Soap Bar"),
    ProductType("furniture", "home and body", 65000, "Side Table"),
    ProductType("bags", "accessories", 18000, "Tote"),
    ProductType("rings", "accessories", 9500, "Ring"),
    ProductType("necklaces", "accessories", 12000, "Necklace"),
    ProductType("bread", "food", 800, "Loaf"),
    ProductType("cheese", "food", 2200, "Cheese"),
    ProductType("notebooks", "paper and music", 3500, "Notebook"),
    ProductType("instruments", "paper and music", 240000, "Guitar"),
)

TYPE_INDEX: dict[str, int] = {t.name: i for i, t in enumerate(PRODUCT_TYPES)}


@dataclass(frozen=True)
class Craft:
    """A craft: product types made (with weights), materials, channel mix, cadence, costs."""

    name: str
    weight: float  # how common the craft is among vendors (0 for the rare, single-vendor crafts)
    product_types: dict[str, float]
    materials: tuple[str, ...]
    channel_mix: tuple[float, float, float]  # market, online, wholesale
    batch_months: int  # production cadence: one batch per product every this many months
    cost_share: float  # unit production cost as a share of the retail price
    trade_words: tuple[str, ...]  # for business names: "Blue Heron Pottery"


CRAFTS: tuple[Craft, ...] = (
    Craft(
        "pottery",
        1.2,
        {"mugs": 3, "bowls": 2, "vases": 1},
        ("stoneware clay", "porcelain", "earthenware clay", "ash glaze", "feldspar glaze"),
        (0.45, 0.35, 0.20),
        2,
        0.30,
        ("Pottery", "Ceramics", "Clayworks"),
    ),
    Craft(
        "weaving",
        1.0,
        {"scarves": 3, "blankets": 1, "hats": 1},
        ("merino wool", "alpaca wool", "cotton", "linen", "silk", "mohair"),
        (0.35, 0.45, 0.20),
        3,
        0.35,
        ("Weavers", "Textiles", "Loom Works"),
    ),
    Craft(
        "woodwork",
        1.0,
        {"cutting boards": 3, "bowls": 2, "furniture": 1},
        ("oak", "walnut", "maple", "cherry", "ash", "linseed oil"),
        (0.40, 0.30, 0.30),
        3,
        0.35,
        ("Woodworks", "Joinery", "Timber Co."),
    ),
    Craft(
        "glass",
        0.6,
        {"glassware": 3, "vases": 2},
        ("soda-lime glass", "borosilicate glass", "recycled glass", "colour frit"),
        (0.30, 0.40, 0.30),
        2,
        0.40,
        ("Glassworks", "Glass Studio", "Hot Shop"),
    ),
    Craft(
        "leather",
        0.7,
        {"bags": 1},
        ("vegetable-tanned leather", "chrome-tanned leather", "waxed canvas", "brass hardware"),
        (0.30, 0.50, 0.20),
        3,
        0.40,
        ("Leather Goods", "Saddlery", "Leatherworks"),
    ),
    Craft(
        "jewellery",
        1.1,
        {"rings": 2, "necklaces": 2},
        ("sterling silver", "recycled gold", "copper", "turquoise", "freshwater pearl"),
        (0.30, 0.60, 0.10),
        2,
        0.30,
        ("Jewellery", "Metalsmiths", "Silverworks"),
    ),
    Craft(
        "soap",
        0.8,
        {"soap bars": 1},
        ("olive oil", "coconut oil", "shea butter", "goat milk", "lavender oil"),
        (0.50, 0.30, 0.20),
        1,
        0.25,
        ("Soap Co.", "Apothecary", "Soapworks"),
    ),
    Craft(
        "candles",
        0.8,
        {"candles": 1},
        ("soy wax", "beeswax", "coconut wax", "cotton wick", "fragrance oil"),
        (0.45, 0.35, 0.20),
        2,
        0.25,
        ("Candle Co.", "Chandlery", "Wick & Wax"),
    ),
    Craft(
        "bakery",
        1.0,
        {"bread": 1},
        ("wheat flour", "rye flour", "spelt flour", "sourdough starter", "butter"),
        (0.70, 0.05, 0.25),
        1,
        0.30,
        ("Bakery", "Bakehouse", "Ovens"),
    ),
    Craft(
        "cheese",
        0.6,
        {"cheese": 1},
        ("cow milk", "goat milk", "sheep milk", "rennet", "sea salt"),
        (0.55, 0.15, 0.30),
        1,
        0.35,
        ("Creamery", "Dairy", "Cheesemakers"),
    ),
    Craft(
        "luthiery",
        0.0,
        {"instruments": 1},
        ("sitka spruce", "flamed maple", "rosewood", "ebony"),
        (0.10, 0.60, 0.30),
        6,
        0.30,
        ("Guitars", "Lutherie", "Instrument Makers"),
    ),
    Craft(
        "bookbinding",
        0.0,
        {"notebooks": 1},
        ("cotton paper", "linen thread", "bookcloth", "goatskin"),
        (0.30, 0.60, 0.10),
        2,
        0.30,
        ("Bindery", "Book Arts", "Paper Co."),
    ),
    Craft(
        "millinery",
        0.0,
        {"hats": 1},
        ("wool felt", "straw", "silk ribbon", "sinamay"),
        (0.40, 0.50, 0.10),
        3,
        0.35,
        ("Millinery", "Hat Works", "Hatters"),
    ),
)

CRAFT_INDEX: dict[str, int] = {c.name: i for i, c in enumerate(CRAFTS)}
RARE_CRAFTS: tuple[str, ...] = tuple(c.name for c in CRAFTS if c.weight == 0.0)
CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(t.category for t in PRODUCT_TYPES))

PRODUCT_ADJECTIVES: tuple[str, ...] = (
    "Rustic", "Harbour", "Meadow", "Ember", "Juniper", "Heirloom", "Tidewater", "Highland",
    "Copper", "Saltglaze", "Moss", "Driftwood", "Autumn", "Prairie", "Canyon", "Riverstone",
    "Midnight", "Honey", "Willow", "Granite", "Sunrise", "Cobalt", "Thistle", "Orchard",
)  # fmt: skip

BLEND_SPLITS: dict[int, tuple[tuple[int, ...], ...]] = {
    1: ((100,),),
    2: ((50, 50), (60, 40), (70, 30), (80, 20), (90, 10), (55, 45), (65, 35), (85, 15)),
    3: ((40, 40, 20), (50, 30, 20), (60, 30, 10), (70, 20, 10), (45, 35, 20), (50, 25, 25)),
}


def blend_catalogue(materials: tuple[str, ...]) -> list[str]:
    """Every blend of one to three of ``materials`` with the splits above ("60% wool / 40% silk").

    The catalogue is large (hundreds per craft) so that blends are many and, sampled with a
    long-tailed weight, some are rare — the property that makes a blend identifying.
    """
    blends: list[str] = []
    n = len(materials)
    for size, splits in BLEND_SPLITS.items():
        combos: list[tuple[int, ...]] = []
        if size == 1:
            combos = [(i,) for i in range(n)]
        elif size == 2:
            combos = [(i, j) for i in range(n) for j in range(n) if i != j]
        else:
            combos = [
                (i, j, k)
                for i in range(n)
                for j in range(n)
                for k in range(n)
                if len({i, j, k}) == 3 and j < k
            ]
        for combo in combos:
            for split in splits:
                if size == 2 and split[0] == split[1] and combo[0] > combo[1]:
                    continue
                parts = [f"{share}% {materials[m]}" for share, m in zip(split, combo, strict=True)]
                blends.append(" / ".join(parts))
    return blends
