"""Benchmark: a ~10,000-cell 3-dimensional hierarchical table from 1 M generated sales rows.

regions (states > regions > Total) × product types (types > categories > Total) × quarters
(quarters > years > Total). Runs craftveil's chain (aggregation in DuckDB through Ibis,
primary p% + frequency rules, secondary suppression — method "auto": HiTaS-style modular
subtables + whole-system repair on the hierarchical table, one exact MILP with cutting planes
on the flat one — and the LP audit)
and, on the same microdata, pytauargus (the τ-Argus engine with HiGHS) with MOD and OPT.
Prints one Markdown table row per run; results go into benchmarks/sdc/README.md by hand.

Usage: python benchmarks/sdc/run_benchmark.py [--rows 1000000] [--tau-timeout 900]
       [--parts hierarchical,flat,tau,tau-hierarchical] [--method auto|exact|modular]
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing as mp
import os
import resource
import time
from typing import Any

import ibis
import numpy as np
import pandas as pd

from craftveil.policy.aggregates import AggregatesPolicy
from craftveil.sdc import audit, build_tables, primary_suppression, secondary_suppression
from craftveil.sdc.secondary import (
    ROUND_NODE_LIMIT,
    SUBTABLE_NODE_LIMIT,
    Method,
    available_cores,
)

NODE_LIMITS = [ROUND_NODE_LIMIT, SUBTABLE_NODE_LIMIT]  # set from --node-limits
THREADS: list[int | None] = [None]

P_PERCENT = 15.0
MIN_VENDORS = 3


def generate(rows: int, seed: int = 7) -> pd.DataFrame:
    """Synthetic artisanal sales: vendors live in one state and make 1–4 product types."""
    rng = np.random.default_rng(seed)
    n_states, n_regions, n_types, n_categories, n_vendors = 20, 4, 20, 5, 2500
    vendor_state = rng.integers(0, n_states, n_vendors)
    vendor_types = rng.integers(0, n_types, (n_vendors, 4))
    vendor_width = rng.integers(1, 5, n_vendors)
    vendor_scale = rng.lognormal(0.0, 1.3, n_vendors)
    vendor_weight = vendor_scale / vendor_scale.sum()
    vendor = rng.choice(n_vendors, rows, p=vendor_weight)
    slot = (rng.random(rows) * vendor_width[vendor]).astype(int)
    ptype = vendor_types[vendor, slot]
    quarter = rng.integers(0, 12, rows)
    amount = np.round(rng.lognormal(3.0, 0.8, rows) * (1 + vendor_scale[vendor] / 5), 2)
    state = vendor_state[vendor]
    return pd.DataFrame(
        {
            "vendor": pd.Series(vendor).map(lambda v: f"V{v:05d}"),
            "state": pd.Series(state).map(lambda s: f"S{s:02d}"),
            "region": pd.Series(state % n_regions).map(lambda r: f"R{r}"),
            "ptype": pd.Series(ptype).map(lambda t: f"T{t:02d}"),
            "category": pd.Series(ptype % n_categories).map(lambda c: f"C{c}"),
            "quarter": pd.Series(quarter).map(lambda q: f"{2021 + q // 4}-Q{q % 4 + 1}"),
            "year": pd.Series(quarter).map(lambda q: f"{2021 + q // 4}"),
            "amount": amount,
        }
    )


def policy_for(frame: pd.DataFrame, flat: bool) -> AggregatesPolicy:
    if flat:
        return AggregatesPolicy.model_validate(
            {
                "dimensions": {
                    "location": {"column": "state"},
                    "product": {"column": "ptype"},
                    "period": {"column": "quarter"},
                },
                "rules": {"min_vendors": MIN_VENDORS, "p_percent": P_PERCENT},
                "tables": [
                    {
                        "name": "sales",
                        "dimensions": ["location", "product", "period"],
                        "measure_column": "amount",
                        "measures": ["vendors", "total"],
                    }
                ],
            }
        )
    states = frame[["state", "region"]].drop_duplicates()
    types = frame[["ptype", "category"]].drop_duplicates()
    quarters = frame[["quarter", "year"]].drop_duplicates()
    return AggregatesPolicy.model_validate(
        {
            "dimensions": {
                "location": {
                    "column": "state",
                    "hierarchy": {
                        "levels": ["region"],
                        "mapping": {
                            s: [r] for s, r in zip(states.state, states.region, strict=True)
                        },
                    },
                },
                "product": {
                    "column": "ptype",
                    "hierarchy": {
                        "levels": ["category"],
                        "mapping": {
                            t: [c] for t, c in zip(types.ptype, types.category, strict=True)
                        },
                    },
                },
                "period": {
                    "column": "quarter",
                    "hierarchy": {
                        "levels": ["year"],
                        "mapping": {
                            q: [y] for q, y in zip(quarters.quarter, quarters.year, strict=True)
                        },
                    },
                },
            },
            "rules": {"min_vendors": MIN_VENDORS, "p_percent": P_PERCENT},
            "tables": [
                {
                    "name": "sales",
                    "dimensions": ["location", "product", "period"],
                    "measure_column": "amount",
                    "measures": ["vendors", "total"],
                }
            ],
        }
    )


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_craftveil(
    frame: pd.DataFrame, flat: bool, exact_rounds: int = 3, method: Method = "auto"
) -> dict[str, Any]:
    con = ibis.duckdb.connect()
    source = con.create_table("sales", frame)
    policy = policy_for(frame, flat)
    t0 = time.perf_counter()
    system = build_tables(source, policy, "vendor")
    t1 = time.perf_counter()
    primary_suppression(system, policy.rules)
    t2 = time.perf_counter()
    system, report = secondary_suppression(
        system,
        method=method,
        exact_rounds=exact_rounds,
        round_node_limit=NODE_LIMITS[0],
        subtable_node_limit=NODE_LIMITS[1],
        threads=THREADS[0],
    )
    t3 = time.perf_counter()
    result = audit(system)
    t4 = time.perf_counter()
    status = system.cells["status"]
    return {
        "tool": f"craftveil ({report.method}, HiGHS)" + (" flat" if flat else " hierarchical"),
        "cells": len(status),
        "primary": int((status == "primary").sum()),
        "secondary": int((status == "secondary").sum()),
        "secondary_value": round(report.secondary_value, 1),
        "aggregate_s": round(t1 - t0, 2),
        "primary_s": round(t2 - t1, 2),
        "secondary_s": round(t3 - t2, 2),
        "audit_s": round(t4 - t3, 2),
        "total_s": round(t4 - t0, 2),
        "audit_passed": result.passed,
        "rounds": report.rounds,
        "exact_rounds": exact_rounds,
        "subtables": report.subtables,
        "subtable_rounds": report.subtable_rounds,
        "subtable_failures": report.subtable_failures,
        "repaired": report.repaired,
        "pruned": report.pruned,
        "timed_out_rounds": report.timed_out_rounds,
        "node_limits": NODE_LIMITS,
        "threads": THREADS[0] or available_cores(),
        "cuts": report.cuts,
        "peak_mb": round(peak_mb()),
    }


def _tau_worker(frame: pd.DataFrame, method: str, queue: Any, hierarchical: bool = False) -> None:
    import tempfile

    import pytauargus

    os.chdir(tempfile.mkdtemp(prefix="tau_bench_"))  # τ-Argus writes its logs into the cwd
    t0 = time.perf_counter()
    # holding-level rules: τ-Argus reads P slots 3-4 and the 2nd FREQ slot as holding rules.
    # τ-Argus needs the microdata sorted by the holding variable: unsorted, every holding rule
    # silently found 0 unsafe cells here.
    columns = ["state", "ptype", "quarter", "amount", "vendor"]
    if hierarchical:
        columns += ["region", "category", "year"]
    data = frame[columns]
    data = data.sort_values("vendor", kind="stable").reset_index(drop=True)
    res = pytauargus.protect(
        data,
        tables=[["state", "ptype", "quarter"]],
        response="amount",
        safety_rules=f"P(0,1)|P(0,1)|P({int(P_PERCENT)},1)|FREQ(0,0)|FREQ({MIN_VENDORS},10)",
        suppress=method,
        holding_var="vendor",
        hrc={"state": "state > region", "ptype": "ptype > category", "quarter": "quarter > year"}
        if hierarchical
        else None,
    )
    out = res.tables[0].dataframe()
    queue.put(
        {
            "status_counts": out["status"].value_counts().to_dict(),
            "cells": len(out),
            "seconds": round(time.perf_counter() - t0, 2),
            "peak_mb": round(peak_mb()),
        }
    )


def run_tau(
    frame: pd.DataFrame, method: str, timeout: float, hierarchical: bool = False
) -> dict[str, Any]:
    queue: Any = mp.Queue()
    proc = mp.Process(target=_tau_worker, args=(frame, method, queue, hierarchical))
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return {"tool": f"pytauargus {method}", "result": f"did not finish in {timeout:.0f} s"}
    if queue.empty():
        return {"tool": f"pytauargus {method}", "result": f"failed (exit code {proc.exitcode})"}
    label = f"pytauargus {method}" + (" hierarchical" if hierarchical else " flat")
    return {"tool": label, **queue.get()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--tau-timeout", type=float, default=900.0)
    parser.add_argument("--skip-tau", action="store_true")
    parser.add_argument(
        "--parts",
        default="hierarchical,flat,tau",
        help="comma list of: hierarchical, flat, tau, tau-hierarchical",
    )
    parser.add_argument("--exact-rounds", type=int, default=3)
    parser.add_argument("--method", choices=["auto", "exact", "modular"], default="auto")
    parser.add_argument(
        "--node-limits",
        default=f"{ROUND_NODE_LIMIT},{SUBTABLE_NODE_LIMIT}",
        help="branch-and-bound nodes per MILP round: whole system, subtable",
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="modular pass threads (default: all cores)"
    )
    args = parser.parse_args()
    THREADS[0] = args.threads
    NODE_LIMITS[:] = [int(v) for v in args.node_limits.split(",")]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    t0 = time.perf_counter()
    frame = generate(args.rows)
    print(f"generated {len(frame)} rows in {time.perf_counter() - t0:.1f} s", flush=True)
    parts = set(args.parts.split(","))
    if "hierarchical" in parts:
        print(run_craftveil(frame, False, args.exact_rounds, args.method), flush=True)
    if "flat" in parts:
        print(run_craftveil(frame, True, args.exact_rounds, args.method), flush=True)
    if "tau" in parts and not args.skip_tau:
        for method in ("MOD(1)", "OPT(1)"):
            print(run_tau(frame, method, args.tau_timeout), flush=True)
    if "tau-hierarchical" in parts:
        for method in ("MOD(1)", "OPT(1)"):
            print(run_tau(frame, method, args.tau_timeout, hierarchical=True), flush=True)


if __name__ == "__main__":
    main()
