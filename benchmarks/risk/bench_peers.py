"""Side by side with a Python peer: ANJANA (greedy full-domain k-anonymity) on Adult.

Usage: python benchmarks/risk/bench_peers.py [DATA_DIR]
ANJANA pins numpy 2.0 / pandas 2.3, so it runs in benchmarks/.work/peers-venv (create it with
``python3.11 -m venv benchmarks/.work/peers-venv && benchmarks/.work/peers-venv/bin/pip install
anjana==1.2.3``). Its chosen levels are scored with the same non-uniform entropy as ours.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ibis

from craftveil.hierarchies import load_arx_hierarchy
from craftveil.policy.risk import RiskPolicy
from craftveil.risk import frequency_set, search
from craftveil.risk.lattice import encode
from craftveil.risk.objectives import level_costs

QIS = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass",
       "occupation", "salary-class"]  # fmt: skip
HERE = Path(__file__).resolve().parent


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[2] / "shared" / "data"
    python = HERE.parent / ".work" / "peers-venv" / "bin" / "python"
    arx = data / "adult" / "arx"
    table = ibis.duckdb.connect().read_csv(str(arx / "adult.csv"), delim=";", all_varchar=True)
    fs = frequency_set(table.mutate(vendor=ibis.row_number()), QIS, "vendor")
    hs = {q: load_arx_hierarchy(arx / f"adult_hierarchy_{q}.csv", q) for q in QIS}
    costs = level_costs(fs, encode(fs, hs), hs, "non_uniform_entropy")
    print("| k, suppression | tool | levels | suppressed | non-uniform entropy | vs optimum | s |")
    print("|---|---|---|---|---|---|---|")
    for limit in (0.0, 0.04):
        started = time.perf_counter()
        ours = search(fs, hs, RiskPolicy(k=5, suppression_limit=limit))
        ours_s = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "anjana.json"
            subprocess.run(
                [str(python), str(HERE / "peer_anjana.py"), str(data), "5", str(limit * 100),
                 str(out)],
                check=True, timeout=3600,
            )  # fmt: skip
            peer = json.loads(out.read_text())
        node = [peer["levels"][q] for q in QIS]
        value = sum(float(c[lv]) for c, lv in zip(costs, node, strict=True))
        for tool, levels, supp, loss, secs in (
            ("craftveil (optimal)", list(ours.node), ours.suppressed_rows,
             ours.objective_value, ours_s),
            ("ANJANA 1.2.3", node, peer["suppressed"], value, peer["seconds"]),
        ):  # fmt: skip
            ratio = loss / ours.objective_value - 1
            print(f"| k=5, {limit:.0%} | {tool} | {levels} | {supp} | {loss:,.0f} | "
                  f"{ratio:+.1%} | {secs:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
