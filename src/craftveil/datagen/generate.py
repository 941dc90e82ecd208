"""``generate``: draw the whole synthetic artisanal dataset and write it, deterministically.

Order: vendors → products → suppliers and links → sales (chunked, time-ordered; units sold
are accumulated as they stream past) → production batches sized to those sales. Each table has
its own seeded random stream, so the same seed and config give byte-identical files (with the
same numpy and pyarrow versions: Parquet files also record the pyarrow version that wrote them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from craftveil.datagen.config import GeneratorConfig
from craftveil.datagen.production import UnitsSold, build_batches
from craftveil.datagen.products import build_products
from craftveil.datagen.sales import generate_sales, plan_sales
from craftveil.datagen.schema import TABLE_NAMES, TABLE_SCHEMAS
from craftveil.datagen.supply import build_supply
from craftveil.datagen.vendors import build_vendors
from craftveil.datagen.writer import TableWriter, refuse_existing, table_paths
from craftveil.journal import Journal

#: ``progress(table, rows_done, rows_total)`` — e.g. to drive a Rich progress bar in the CLI.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class GeneratedDataset:
    """What ``generate`` wrote: one file per table, and its row count."""

    out_dir: Path
    config: GeneratorConfig
    paths: Mapping[str, Path] = field(default_factory=dict)
    row_counts: Mapping[str, int] = field(default_factory=dict)


def generate(
    out_dir: Path,
    config: GeneratorConfig = GeneratorConfig(),  # noqa: B008 — frozen, safe as a default
    *,
    overwrite: bool = False,
    journal: Journal | None = None,
    progress: Progress | None = None,
) -> GeneratedDataset:
    """Write vendors, products, suppliers, materials, batches and sales to ``out_dir``.

    Raises :class:`craftveil.errors.OutputExistsError` before writing anything if a target file
    exists and ``overwrite`` is false.
    """
    out_dir = Path(out_dir)
    paths = table_paths(out_dir, TABLE_NAMES, config.fmt)
    refuse_existing(paths.values(), overwrite)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda table, done, total: None)
    writers: dict[str, TableWriter] = {}
    try:
        vendors = build_vendors(config)
        products = build_products(config, vendors)
        suppliers, materials = build_supply(config, vendors)
        for name, table in (
            ("vendors", vendors.table),
            ("products", products.table),
            ("suppliers", suppliers),
            ("materials", materials),
        ):
            with TableWriter(paths[name], TABLE_SCHEMAS[name], config.fmt) as writer:
                writers[name] = writer
                writer.write(table)
            report(name, table.num_rows, table.num_rows)

        vendor_ids = vendors.table.column("vendor_id").combine_chunks()
        sold = UnitsSold(config, products.vendor.size)
        plan = plan_sales(config, products)
        with TableWriter(paths["sales"], TABLE_SCHEMAS["sales"], config.fmt) as writer:
            writers["sales"] = writer
            for chunk in generate_sales(config, products, vendor_ids, plan):
                writer.write(chunk.table)
                sold.add(chunk.product, chunk.day, chunk.quantity)
                report("sales", writer.rows, config.n_sales)

        batches = build_batches(config, products, vendor_ids, sold)
        with TableWriter(paths["batches"], TABLE_SCHEMAS["batches"], config.fmt) as writer:
            writers["batches"] = writer
            writer.write(batches)
        report("batches", batches.num_rows, batches.num_rows)
    except BaseException:
        for writer in writers.values():
            writer.discard()
        raise
    for writer in writers.values():
        writer.commit()

    row_counts = {name: writers[name].rows for name in TABLE_NAMES}
    if journal is not None:
        journal.add(
            "generate",
            f"Generated a synthetic artisanal dataset of {config.n_sales:,} sales from "
            f"{row_counts['vendors']:,} vendors (seed {config.seed}).",
            seed=config.seed,
            format=config.fmt,
            start=config.start.isoformat(),
            months=config.months,
            row_counts=row_counts,
        )
    return GeneratedDataset(out_dir, config, paths, row_counts)
