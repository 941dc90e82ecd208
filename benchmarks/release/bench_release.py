"""Benchmark: `craftveil release` of generated data vs a plain DuckDB scan of the same files.

For each size: generate the sample dataset (CSV), then in separate processes, measured the same
way (wall time, peak RSS of the process via wait4):
  scan    — DuckDB reads every input file completely into a table (the floor);
  release — `craftveil release` with the demo policy (every operator: pseudonymize, drop,
            generalize by window/bands/prefix hierarchy/grid, mask_categories, bin_range,
            rescale, suppress, keep), writing Parquet + CSV, manifest and masking record.
Each repeat runs the scan and both releases back to back (the machine is shared, so the scan is
re-measured beside every release); the table gives the best of the repeats and the spread
(slowest / best), the ratio of best to best, and the load average from /proc/loadavg.
Usage: python benchmarks/release/bench_release.py [--repeat R] [N_SALES ...]
       (default: 3 repeats of 1000000 10000000)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "benchmarks" / ".work" / "release"
PY = sys.executable

SCAN = """
import duckdb, glob, sys
con = duckdb.connect()
for i, f in enumerate(sorted(glob.glob(sys.argv[1] + '/*.csv'))):
    con.execute(f"CREATE TEMP TABLE t{i} AS SELECT * FROM read_csv('{f}')")
"""


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{cmd} failed: {err}")
    return wall, usage.ru_maxrss / 1024


def prepare(n_sales: int) -> Path:
    root = WORK / f"sales-{n_sales}"
    if not (root / "data" / "sales.csv").exists():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        subprocess.run(
            [
                PY,
                "-m",
                "craftveil",
                "generate",
                "--out",
                str(root / "data"),
                "--sales",
                str(n_sales),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    text = (ROOT / "src" / "craftveil" / "demo" / "policy.yaml").read_text()
    (root / "policy.yaml").write_text(text)
    (root / "operators.yaml").write_text(operators_only(text))
    (root / "secret.key").write_text("b" * 64 + "\n")
    return root


def operators_only(text: str) -> str:
    """The demo policy without its risk, utility and DP sections: the masking operators alone."""
    policy = yaml.safe_load(text)
    for key in ("utility", "dp", "aggregates"):
        policy.pop(key, None)
    for table in policy["tables"].values():
        table.pop("risk", None)
    return str(yaml.safe_dump(policy, sort_keys=False, allow_unicode=True))


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def spread(values: list[float]) -> str:
    return f"{min(values):.1f} (×{max(values) / min(values):.2f})"


def main(sizes: list[int], repeat: int) -> None:
    rows = [
        "| sales rows | input MB | policy | scan s, best (spread) | release s, best (spread) | "
        "ratio | scan peak MiB | release peak MiB | load |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    policies = (("operators.yaml", "operators only"), ("policy.yaml", "full demo"))
    for n in sizes:
        root = prepare(n)
        size_mb = sum(p.stat().st_size for p in (root / "data").glob("*.csv")) / 1e6
        scans: list[tuple[float, float]] = []
        releases: dict[str, list[tuple[float, float]]] = {label: [] for _, label in policies}
        loads: list[float] = []
        for _ in range(repeat):
            loads.append(load_average())
            scans.append(run([PY, "-c", SCAN, str(root / "data")]))
            for policy, label in policies:
                out = root / f"release-{Path(policy).stem}"
                shutil.rmtree(out, ignore_errors=True)
                shutil.rmtree(root / "dp-store", ignore_errors=True)
                for state in ("dp-ledger.sqlite", "dp-calibrations.json"):
                    (root / state).unlink(missing_ok=True)
                releases[label].append(
                    run([PY, "-m", "craftveil", "release", str(root / policy), "--out", str(out)])
                )
                print(f"{n:,} {label}: scan {scans[-1]}, release {releases[label][-1]}", flush=True)
            loads.append(load_average())
        scan_s = [w for w, _ in scans]
        for _, label in policies:
            rel_s = [w for w, _ in releases[label]]
            rows.append(
                f"| {n:,} | {size_mb:,.0f} | {label} | {spread(scan_s)} | {spread(rel_s)} | "
                f"{min(rel_s) / min(scan_s):.1f}× | {max(m for _, m in scans):,.0f} | "
                f"{max(m for _, m in releases[label]):,.0f} | "
                f"{min(loads):.1f}–{max(loads):.1f} |"
            )
            print(rows[-1], flush=True)
    print("\n".join(rows))


if __name__ == "__main__":
    args = sys.argv[1:]
    repeats = 3
    if args[:1] == ["--repeat"]:
        repeats, args = int(args[1]), args[2:]
    main([int(a) for a in args] or [1_000_000, 10_000_000], repeats)
