"""Helpers for the profiler tests: a small generated vendor table with known contents."""

from __future__ import annotations

import csv
import random
from pathlib import Path

N_VENDORS = 100
"""Rows of the generated table: one per vendor."""


def small_vendor_rows(seed: int = 7) -> list[dict[str, str]]:
    """100 vendors: 96 distinct e-mails + 4 distinct non-e-mails, 90 phones + 10 other texts.

    So the share of distinct values that are e-mails is exactly 96/100 and phones 90/100.
    """
    rng = random.Random(seed)
    not_emails = ["none", "n/a", "ask at the stall", "unknown"]
    not_phones = [f"ask for number {i}" for i in range(10)]
    rows = []
    for i in range(N_VENDORS):
        rows.append(
            {
                "shop_id": f"S{i:04d}",
                "email": f"maker{i}@example.org" if i < 96 else not_emails[i - 96],
                "phone": f"+1 (555) {rng.randrange(100, 999)}-{i:04d}"
                if i < 90
                else not_phones[i - 90],
                "zip": f"{rng.choice(['02', '07', '10', '33'])}{i:03d}",
                "sold_on": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "price": f"{rng.uniform(1, 90):.2f}",
                "quantity": str(rng.randrange(1, 40)),
                "notes": f"Hand thrown stoneware mug number {i} glazed in our shop by the owner",
                "craft": rng.choice(["pottery", "weaving", "baking"]),
                "altitude_m": str(rng.randrange(200, 2400)),
            }
        )
    return rows


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path
