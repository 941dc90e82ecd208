"""Synthetic artisanal vendors' data for the demo, the tests and the benchmarks.

``generate(out_dir, GeneratorConfig(...))`` writes six related tables — vendors, products,
suppliers, materials, batches, sales — with the structure a privacy release must handle:
heavy-tailed vendor sizes with dominant vendors per region, rare crafts held by one vendor,
regional clustering, seasonality, long-tailed quantities, and direct identifiers of every kind.
Read them back with the explicit Arrow schemas in ``TABLE_SCHEMAS`` (codes stay text).
"""

from __future__ import annotations

from craftveil.datagen.config import GeneratorConfig, GeneratorConfigError
from craftveil.datagen.generate import GeneratedDataset, Progress, generate
from craftveil.datagen.schema import TABLE_NAMES, TABLE_SCHEMAS

__all__ = [
    "TABLE_NAMES",
    "TABLE_SCHEMAS",
    "GeneratedDataset",
    "GeneratorConfig",
    "GeneratorConfigError",
    "Progress",
    "generate",
]
