"""1 M generated sales rows / 20 k vendors, 7 QIs: the whole risk step and the search.

Usage: python benchmarks/risk/bench_generated.py [--rows 1000000] [--vendors 20000]
Generates the table with numpy (vendor-level attributes: region, craft, size band, founding
decade, channel; row-level: sale quarter and price band), loads it into DuckDB through Ibis,
then times frequency set, risk measures, search and apply; peak RSS from getrusage.
"""

from __future__ import annotations

import argparse
import resource
import time

import ibis
import numpy as np
import pandas as pd

from craftveil.hierarchies import Hierarchy, interval_hierarchy, prefix_hierarchy
from craftveil.policy.risk import RiskPolicy
from craftveil.risk import apply_generalisation, frequency_set, measure_risk, search


def generate(rows: int, vendors: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    region = rng.integers(10, 99, vendors)  # two-digit region code, prefix hierarchy
    district = region * 10 + rng.integers(0, 10, vendors)  # three digits
    craft = rng.choice(np.array([f"C{i:02d}" for i in range(24)]), vendors, p=None)
    size = rng.zipf(1.6, vendors).clip(1, 400)  # employees
    founded = rng.integers(1950, 2024, vendors)
    channel = rng.choice(np.array(["market", "shop", "online", "wholesale"]), vendors)
    owner = rng.integers(0, vendors, rows)  # which vendor sold the row (skewed below)
    owner = (owner * rng.random(rows) ** 2).astype(np.int64)
    quarter = rng.integers(0, 8, rows)
    price = rng.lognormal(3, 1, rows).clip(1, 2000).astype(np.int64)
    return pd.DataFrame(
        {
            "vendor_id": owner.astype(str),
            "district": district[owner].astype(str),
            "craft": craft[owner],
            "employees": size[owner],
            "founded": founded[owner],
            "channel": channel[owner],
            "quarter": (2023 + quarter // 4).astype(str) + "-Q" + (quarter % 4 + 1).astype(str),
            "price": price,
        }
    )


def hierarchies(frame: pd.DataFrame) -> dict[str, Hierarchy]:
    craft = sorted(frame["craft"].unique())
    channel = sorted(frame["channel"].unique())
    quarters = sorted(frame["quarter"].unique())
    return {
        "district": prefix_hierarchy(frame["district"].unique(), "district", keep=(2, 1)),
        "craft": Hierarchy("craft", tuple((c, f"G{int(c[1:]) // 6}", "*") for c in craft)),
        "employees": interval_hierarchy(
            [int(v) for v in frame["employees"].unique()], "employees", (5, 25, 100, 400)
        ),
        "founded": interval_hierarchy(
            [int(v) for v in frame["founded"].unique()], "founded", (10, 20, 40)
        ),
        "channel": Hierarchy("channel", tuple((c, "*") for c in channel)),
        "quarter": Hierarchy("quarter", tuple((q, q[:4], "*") for q in quarters)),
        "price": interval_hierarchy(
            [int(v) for v in frame["price"].unique()], "price", (10, 50, 200, 1000, 2000)
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--vendors", type=int, default=20_000)
    parser.add_argument("--qis", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    frame = generate(args.rows, args.vendors)
    hs = hierarchies(frame)
    qis = list(hs)[: args.qis]
    table = ibis.duckdb.connect().create_table("sales", frame)
    print(f"generated {len(frame)} rows, {frame['vendor_id'].nunique()} vendors in "
          f"{time.perf_counter() - started:.1f} s; QIs {qis}")  # fmt: skip
    policy = RiskPolicy(k=5, suppression_limit=0.04, max_combination_size=2)
    steps: dict[str, float] = {}
    t = time.perf_counter()
    fs = frequency_set(table, qis, "vendor_id")
    steps["frequency set (1 engine query)"] = time.perf_counter() - t
    t = time.perf_counter()
    measure_risk(fs, policy)
    steps["risk measures before"] = time.perf_counter() - t
    t = time.perf_counter()
    result = search(fs, hs, policy)
    steps["search"] = time.perf_counter() - t
    t = time.perf_counter()
    released = apply_generalisation(table, hs, result)
    after = measure_risk(frequency_set(released, qis, "vendor_id"), policy).to_dict()
    steps["apply + risk measures after"] = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"combinations {len(fs.combos)}, (combination, vendor) pairs {len(fs.pair_combo)}, "
          f"vendors additive: {fs.vendors_additive}")  # fmt: skip
    print(f"levels {result.levels}; suppressed rows {result.suppressed_rows}; "
          f"nodes {result.nodes_evaluated}/{result.lattice_size}; after: k_vendors "
          f"{after['k_vendors']}, classes {after['classes']}")  # fmt: skip
    for name, seconds in steps.items():
        print(f"| {name} | {seconds:.2f} s |")
    print(f"| total risk step + search | {sum(steps.values()):.2f} s |")
    print(f"| peak RSS | {peak_mb:.0f} MB |")


if __name__ == "__main__":
    main()
