"""Adult (9 QIs, ARX hierarchies): search time and nodes evaluated, three ARX settings.

Usage: python benchmarks/risk/bench_adult.py [path/to/shared/data] [--repeat 5]
Times the search alone (frequency set built once, as ARX's figures exclude loading), best of N.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import ibis

from craftveil.hierarchies import load_arx_hierarchy
from craftveil.policy.risk import RiskPolicy
from craftveil.risk import frequency_set, search

QIS = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass",
       "occupation", "salary-class"]  # fmt: skip
CASES = [
    ("k=5, 0%", QIS, RiskPolicy(k=5, suppression_limit=0.0), 0.06),
    ("k=5, 4%", QIS, RiskPolicy(k=5, suppression_limit=0.04), 1.8),
    (
        "k=5 + entropy l=5 (occupation sensitive), 4%",
        [q for q in QIS if q != "occupation"],
        RiskPolicy(k=5, l=5, l_variant="entropy", sensitive=["occupation"], suppression_limit=0.04),
        1.3,
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    default = Path(__file__).resolve().parents[3] / "shared" / "data"
    parser.add_argument("data", nargs="?", type=Path, default=default)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    arx = args.data / "adult" / "arx"
    table = ibis.duckdb.connect().read_csv(str(arx / "adult.csv"), delim=";", all_varchar=True)
    table = table.mutate(vendor=ibis.row_number())
    print("| case | levels | objective | suppressed rows | nodes evaluated / lattice | "
          "search s (best of N) | ARX 3.9.2 s | ratio |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for name, qis, policy, arx_seconds in CASES:
        started = time.perf_counter()
        fs = frequency_set(table, qis, "vendor", policy.sensitive)
        fs_seconds = time.perf_counter() - started
        hierarchies = {q: load_arx_hierarchy(arx / f"adult_hierarchy_{q}.csv", q) for q in qis}
        best = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = search(fs, hierarchies, policy)
            best = min(best, time.perf_counter() - started)
        levels = ",".join(str(v) for v in result.node)
        print(
            f"| {name} | [{levels}] | {result.objective_value:.2f} | {result.suppressed_rows} | "
            f"{result.nodes_evaluated} / {result.lattice_size} | {best:.3f} | {arx_seconds} | "
            f"{best / arx_seconds:.2f}x | (frequency set {fs_seconds:.2f} s)"
        )


if __name__ == "__main__":
    main()
