"""PipelineDP's local backend on the benchmark data (run with the separate venv's python).

    benchmarks/.work/pipelinedp-venv/bin/python benchmarks/dp/bench_pipelinedp.py DATA.parquet

Same bounds as bench_dp.py: ε = 1, δ = 1e-7, ≤ 10 cells per vendor, ≤ 5 sales per vendor and
cell, each sale in [0, 50]; public partitions (the 2,400 cells); Gaussian noise. Prints one JSON
line with the wall-clock seconds (reading the Parquet file excluded, as for the others it is part
of their query; here it is a pandas read of ~0.3 s, reported separately).
"""

from __future__ import annotations

import json
import sys
import time

import pandas as pd
import pipeline_dp

REGIONS = [f"R{i:02d}" for i in range(20)]
PRODUCTS = [f"P{i:02d}" for i in range(15)]
QUARTERS = [f"{2024 + i // 4}-Q{i % 4 + 1}" for i in range(8)]


def main(path: str) -> None:
    start = time.perf_counter()
    frame = pd.read_parquet(path, columns=["vendor", "region", "product", "quarter", "amount"])
    rows = list(frame.itertuples(index=False, name=None))
    read = time.perf_counter() - start
    start = time.perf_counter()
    accountant = pipeline_dp.NaiveBudgetAccountant(total_epsilon=1.0, total_delta=1e-7)
    engine = pipeline_dp.DPEngine(accountant, pipeline_dp.LocalBackend())
    params = pipeline_dp.AggregateParams(
        metrics=[pipeline_dp.Metrics.COUNT, pipeline_dp.Metrics.SUM, pipeline_dp.Metrics.MEAN],
        noise_kind=pipeline_dp.NoiseKind.GAUSSIAN,
        max_partitions_contributed=10,
        max_contributions_per_partition=5,
        min_value=0.0,
        max_value=50.0,
    )
    extractors = pipeline_dp.DataExtractors(
        privacy_id_extractor=lambda row: row[0],
        partition_extractor=lambda row: (row[1], row[2], row[3]),
        value_extractor=lambda row: row[4],
    )
    keys = [(r, p, q) for r in REGIONS for p in PRODUCTS for q in QUARTERS]
    result = engine.aggregate(rows, params, extractors, public_partitions=keys)
    accountant.compute_budgets()
    released = list(result)
    seconds = time.perf_counter() - start
    assert len(released) == len(keys)
    print(json.dumps({"pipelinedp_local": seconds, "pipelinedp_read": read}))


if __name__ == "__main__":
    main(sys.argv[1])
