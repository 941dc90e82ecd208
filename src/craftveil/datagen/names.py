"""Name parts for people, businesses and suppliers, and the text slugs built from them.

The direct identifiers (owner name, business name, e-mail, phone, street address, website,
Instagram handle) must look like the real thing so a profiler's detectors and the masking
operators are exercised; all addresses use the reserved ``.example`` top-level domain (RFC 2606)
so no generated address can reach a real person.
"""

from __future__ import annotations

import re

FIRST_NAMES: tuple[str, ...] = (
    "Ada", "Alma", "Amir", "Ana", "Arlo", "Ava", "Bea", "Ben", "Cara", "Cyrus", "Dalia", "Dev",
    "Eli", "Elena", "Emeka", "Esme", "Felix", "Fern", "Gia", "Gus", "Hana", "Hugo", "Ines",
    "Ivan", "Jada", "Jonah", "June", "Kai", "Kenji", "Lena", "Leo", "Lila", "Luis", "Mabel",
    "Malik", "Mara", "Mateo", "Mei", "Milo", "Nadia", "Nell", "Nico", "Noor", "Olga", "Omar",
    "Opal", "Otis", "Paz", "Pia", "Quinn", "Rafa", "Rhea", "Rosa", "Ruth", "Sami", "Sana",
    "Silas", "Sofia", "Tariq", "Tess", "Theo", "Uma", "Vera", "Wade", "Wren", "Yara", "Yusuf",
    "Zara", "Zeke", "Hollis", "Margit", "Tomasz", "Aiyana", "Dolores", "Kwame",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Abbott", "Acosta", "Adeyemi", "Alvarez", "Baker", "Bauer", "Begay", "Bell", "Brennan",
    "Castillo", "Chen", "Cho", "Cooper", "Dalton", "Diaz", "Dubois", "Ellison", "Estrada",
    "Fischer", "Fitzgerald", "Flores", "Garcia", "Gallagher", "Haines", "Hartmann", "Hollis",
    "Ibarra", "Ishikawa", "Jensen", "Joshi", "Kaur", "Keller", "Kowalski", "Larsen", "Lindqvist",
    "Lopez", "Lund", "MacLeod", "Moreau", "Murphy", "Nakamura", "Novak", "Nguyen", "Okafor",
    "Olsen", "Ortega", "Patel", "Pereira", "Quintero", "Reyes", "Rossi", "Sandoval", "Schmidt",
    "Silva", "Sorensen", "Tanaka", "Tsosie", "Varga", "Vasquez", "Walsh", "Weber", "Whitfield",
    "Yazzie", "Young", "Zielinski", "Ambrose", "Thornton", "Pryce", "Halloran", "Ueda",
)  # fmt: skip

NATURE_WORDS: tuple[str, ...] = (
    "Blue Heron", "Red Fox", "Old Oak", "Stone Hollow", "Wild Thyme", "Copper Kettle", "Iron Gate",
    "Little Wren", "Salt & Cedar", "Oak & Ember", "Two Rivers", "Birch Hill", "Hidden Spring",
    "Golden Meadow", "Black Sheep", "Silver Birch", "Crooked Pine", "Foxglove", "Moonrise",
    "North Star", "Whistling Kettle", "High Tide", "Painted Rock", "Windrow", "Marigold",
)  # fmt: skip

SUPPLIER_WORDS: tuple[str, ...] = (
    "Supply", "Trading Co.", "Materials", "Wholesale", "Provisions", "Mercantile", "Outfitters",
)  # fmt: skip


def slug(text: str) -> str:
    """Lower-case letters and digits only: "Oak & Ember Pottery" → "oakemberpottery"."""
    return re.sub(r"[^a-z0-9]", "", text.lower())
