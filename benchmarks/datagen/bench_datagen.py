"""Time and peak memory of ``craftveil generate`` at 1 k, 100 k, 1 M and 10 M sales rows.

Each size runs in a fresh Python process so that its peak resident memory
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) is its own. Output goes to
``benchmarks/.work/datagen`` (ignored by git) and is deleted after each run unless ``--keep``.

    python benchmarks/datagen/bench_datagen.py                 # all sizes, csv and parquet
    python benchmarks/datagen/bench_datagen.py --sizes 1000 100000 --formats csv
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

WORK = Path(__file__).resolve().parents[1] / ".work" / "datagen"
DEFAULT_SIZES = (1_000, 100_000, 1_000_000, 10_000_000)


def run_one(n_sales: int, fmt: str, out_dir: Path) -> dict[str, object]:
    """Generate one dataset in this process and measure it."""
    from craftveil.datagen import GeneratorConfig, generate

    started = time.perf_counter()
    cpu_started = time.process_time()
    result = generate(out_dir, GeneratorConfig(n_sales=n_sales, fmt=fmt), overwrite=True)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    size = sum(p.stat().st_size for p in result.paths.values())
    return {
        "n_sales": n_sales,
        "format": fmt,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "output_mib": round(size / 2**20, 1),
        "row_counts": dict(result.row_counts),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--formats", nargs="+", default=["csv", "parquet"])
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--one", nargs=3, metavar=("N", "FMT", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        n, fmt, out = args.one
        print(json.dumps(run_one(int(n), fmt, Path(out))))
        return

    print(f"# {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cpus")
    header = "| sales rows | format | wall s | CPU s | peak RSS MiB | output MiB | batches rows |"
    print(header)
    print("|" + "---|" * 7)
    for n_sales in args.sizes:
        for fmt in args.formats:
            out_dir = WORK / f"{n_sales}-{fmt}"
            completed = subprocess.run(
                [sys.executable, __file__, "--one", str(n_sales), fmt, str(out_dir)],
                check=True,
                capture_output=True,
                text=True,
            )
            r = json.loads(completed.stdout.strip().splitlines()[-1])
            print(
                f"| {n_sales:,} | {fmt} | {r['seconds']} | {r['cpu_seconds']} | "
                f"{r['peak_rss_mib']} | {r['output_mib']} | {r['row_counts']['batches']:,} |",
                flush=True,
            )
            if not args.keep:
                shutil.rmtree(out_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
