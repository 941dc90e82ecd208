"""One run, side by side: Adult search alone, whole `craftveil release` processes, Python peers.

Usage: python benchmarks/risk/bench_suite.py [--data DIR] [--repeat 5] [--releases 3]
                                             [--generated] [--skip-anonypy]
Phases (all in this one process run, on the same machine state):
1. search alone, best of --repeat, for ARX's three Adult settings (as bench_adult.py);
2. ``craftveil release`` of examples/adult/{policy_k5_s0,policy,policy_l5_occupation}.yaml as a
   subprocess, --releases times each: wall time, and peak RSS / CPU from os.wait4;
3. peers, each in its own venv under benchmarks/.work/ (see README): ANJANA 1.2.3 (three
   settings), anonypy (Mondrian, k and distinct l), anonymity-api (k and entropy l);
4. optionally (--generated) bench_generated.py (1 M rows / 20 k vendors) as a subprocess.

Information loss is recomputed HERE, the same way for every tool, by a small implementation
independent of craftveil's objective code: ARX's non-uniform entropy, per QI and record
``log2(count(cell's set of original values) / count(original value))`` with counts over the whole
original column (Gionis & Tassa's definition, which also covers local recoding: a released cell
stands for the set of original values it covers). Full-domain tools (craftveil, ANJANA) are scored
from their levels, suppressed rows charged at the node's level (ARX's monotonic variant, as the
search's objective); the craftveil value is checked against the search's objective. Local-recoding
tools are scored row by row; rows a tool drops are charged as fully generalised ("*").
k (and entropy l) achieved are measured on each tool's released table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pandas as pd

from craftveil.hierarchies import load_arx_hierarchy
from craftveil.policy.risk import RiskPolicy
from craftveil.risk import apply_generalisation, frequency_set, search

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WORK = ROOT / "benchmarks" / ".work"
QIS = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass",
       "occupation", "salary-class"]  # fmt: skip
QIS8 = [q for q in QIS if q != "occupation"]
CASES: list[dict[str, Any]] = [
    {"id": "k5s0", "name": "k=5, 0 %", "qis": QIS,
     "policy": RiskPolicy(k=5, suppression_limit=0.0),
     "arx_s": 0.06, "yaml": "policy_k5_s0.yaml", "supp": 0.0, "l": 0},
    {"id": "k5s4", "name": "k=5, 4 %", "qis": QIS,
     "policy": RiskPolicy(k=5, suppression_limit=0.04),
     "arx_s": 1.8, "yaml": "policy.yaml", "supp": 4.0, "l": 0},
    {"id": "l5", "name": "k=5 + entropy l=5 (occupation), 4 %", "qis": QIS8,
     "policy": RiskPolicy(k=5, l=5, l_variant="entropy", sensitive=["occupation"],
                          suppression_limit=0.04),
     "arx_s": 1.3, "yaml": "policy_l5_occupation.yaml", "supp": 4.0, "l": 5},
]  # fmt: skip


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine() -> dict[str, Any]:
    cpu = next(
        (ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
         if ln.startswith("model name")), "?")  # fmt: skip
    mem = next(ln for ln in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in ln)
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "ram_gb": round(int(mem.split()[1]) / 1024**2, 1),
        "cpu": cpu,
        "started_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "load_at_start": loadavg(),
    }


def run_process(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run cmd through measure.py (os.wait4): wall time, peak RSS and CPU of the process alone."""
    launcher = [sys.executable, str(HERE / "measure.py"), str(log), "--", *cmd]
    done = subprocess.run(launcher, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    if result["exit"] != 0:
        raise RuntimeError(f"{cmd[:3]} failed ({result['exit']}); see {log}")
    return {**result, "load": loadavg()}


class Loss:
    """ARX's non-uniform entropy, recomputed independently on any tool's output."""

    def __init__(self, arx: Path) -> None:
        self.orig = pd.read_csv(arx / "adult.csv", sep=";", dtype=str)
        self.n = len(self.orig)
        self.cnt = {q: Counter(self.orig[q]) for q in QIS}
        self.rows: dict[str, dict[str, list[str]]] = {}
        self.cover: dict[str, dict[str, set[str]]] = {}
        for q in QIS:
            lines = (arx / f"adult_hierarchy_{q}.csv").read_text().splitlines()
            rows = [ln.split(";") for ln in lines if ln.strip()]
            self.rows[q] = {r[0]: r for r in rows}
            cover: dict[str, set[str]] = defaultdict(set)
            level_of: dict[str, set[int]] = defaultdict(set)
            for r in rows:
                for level, label in enumerate(r):
                    cover[label].add(r[0])
                    level_of[label].add(level)
            clash = [lab for lab, lv in level_of.items() if len(lv) > 1]
            assert not clash, f"{q}: labels at several levels {clash[:5]}"
            self.cover[q] = cover

    def count(self, q: str, values: set[str]) -> int:
        return sum(self.cnt[q].get(v, 0) for v in values)

    def of_levels(self, levels: dict[str, int]) -> float:
        total = 0.0
        for q, level in levels.items():
            anc: Counter[str] = Counter()
            for v, c in self.cnt[q].items():
                anc[self.rows[q][v][level]] += c
            total += sum(c * math.log2(anc[self.rows[q][v][level]] / c)
                         for v, c in self.cnt[q].items())  # fmt: skip
        return total

    def age_range(self, cell: str) -> set[str] | None:
        m = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", cell)
        if m is None:
            return None
        lo, hi = int(m.group(1)), int(m.group(2))
        return {v for v in self.cnt["age"] if lo <= int(v) <= hi}

    def of_cells(self, released: pd.DataFrame, qis: list[str], style: str) -> tuple[float, int]:
        """Row by row; released has the original row number in __row. Returns (loss, dropped)."""
        rows = released["__row"].to_numpy()
        assert len(set(rows)) == len(rows), "a row released twice"
        dropped = sorted(set(range(self.n)) - set(rows.tolist()))
        total = 0.0
        for q in qis:
            cache: dict[str, int] = {}
            orig = self.orig[q].to_numpy()
            for cell, v in zip(released[q].astype(str), orig[rows], strict=True):
                if cell not in cache:
                    cache[cell] = self.count(q, self.cover_of(q, cell, style))
                total += math.log2(cache[cell] / self.cnt[q][v])
            total += sum(math.log2(self.n / self.cnt[q][v]) for v in orig[dropped])
        return total, len(dropped)

    def cover_of(self, q: str, cell: str, style: str) -> set[str]:
        if q == "age" and style in ("anonypy", "anonymity-api"):
            rng = self.age_range(cell)
            return rng if rng is not None else {cell}
        if style == "anonypy":
            return set(cell.split(","))
        return self.cover[q][cell]  # an ARX hierarchy label (any level)


def classes(released: pd.DataFrame, qis: list[str], weight: str | None = None) -> pd.Series:
    sizes = released.groupby(qis, dropna=False).size() if weight is None else (
        released.groupby(qis, dropna=False)[weight].sum())  # fmt: skip
    return sizes


def entropy_l(released: pd.DataFrame, qis: list[str], weight: str | None = None) -> str:
    """Worst class: exp(entropy of occupation) (entropy l) / distinct occupations (distinct l)."""
    frame = released.assign(__w=1 if weight is None else released[weight])
    counts = frame.groupby([*qis, "occupation"], dropna=False)["__w"].sum()
    worst, distinct = math.inf, math.inf
    for _, group in counts.groupby(level=list(range(len(qis)))):
        p = group.to_numpy() / group.sum()
        p = p[p > 0]
        worst = min(worst, math.exp(-(p * np.log(p)).sum()))
        distinct = min(distinct, len(p))
    return f"{worst:.2f} / {distinct}"


def search_alone(arx: Path, repeat: int) -> dict[str, Any]:
    table = ibis.duckdb.connect().read_csv(str(arx / "adult.csv"), delim=";", all_varchar=True)
    table = table.mutate(vendor=ibis.row_number())
    out = {}
    for case in CASES:
        started = time.perf_counter()
        fs = frequency_set(table, case["qis"], "vendor", case["policy"].sensitive)
        fs_s = time.perf_counter() - started
        hs = {q: load_arx_hierarchy(arx / f"adult_hierarchy_{q}.csv", q) for q in case["qis"]}
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            result = search(fs, hs, case["policy"])
            times.append(time.perf_counter() - started)
        out[case["id"]] = {
            "levels": dict(zip(case["qis"], (int(v) for v in result.node), strict=True)),
            "objective": result.objective_value, "suppressed": result.suppressed_rows,
            "nodes_evaluated": result.nodes_evaluated, "lattice": result.lattice_size,
            "best_s": min(times), "median_s": statistics.median(times), "fs_s": fs_s,
            "load": loadavg(),
        }  # fmt: skip
        print(f"search {case['id']}: {out[case['id']]}", flush=True)
    return out


def local_recoding(arx: Path, loss: Loss, repeat: int) -> dict[str, Any]:
    """craftveil's opt-in local recoding (risk.local_recoding: true), k=5: the like-for-like
    comparison for the Mondrian-style peers."""
    table = ibis.duckdb.connect().read_csv(str(arx / "adult.csv"), delim=";", all_varchar=True)
    table = table.mutate(__row=ibis.row_number())
    fs = frequency_set(table, QIS, "__row")
    hs = {q: load_arx_hierarchy(arx / f"adult_hierarchy_{q}.csv", q) for q in QIS}
    policy = RiskPolicy(k=5, suppression_limit=0.0, local_recoding=True)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = search(fs, hs, policy)
        times.append(time.perf_counter() - started)
    released = apply_generalisation(table, hs, result).to_pandas()
    released["__row"] = released["__row"].astype(int)
    value, dropped = loss.of_cells(released, QIS, "arx")
    sizes = classes(released, QIS)
    out = {"objective": result.objective_value, "loss": value, "dropped": dropped,
           "k": int(sizes.min()), "classes": len(sizes), "best_s": min(times),
           "median_s": statistics.median(times), "load": loadavg()}  # fmt: skip
    print(f"local recoding: {out}", flush=True)
    return out


def releases(n: int, loss: Loss) -> dict[str, Any]:
    env = dict(os.environ)
    if len(env.get("CRAFTVEIL_KEY", "")) < 32:
        env["CRAFTVEIL_KEY"] = secrets.token_hex(32)  # a throwaway key for the benchmark
    exe = str(ROOT / ".venv" / "bin" / "craftveil")
    base = WORK / "riskbench" / "release"
    base.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {}
    for case in CASES:
        runs = []
        for i in range(n):
            target = base / f"{case['id']}-{i}"
            if target.exists():
                shutil.rmtree(target)
            policy = ROOT / "examples" / "adult" / case["yaml"]
            runs.append(run_process([exe, "release", str(policy), "--out", str(target)],
                                    base / f"{case['id']}-{i}.log", env))  # fmt: skip
            print(f"release {case['id']} #{i}: {runs[-1]}", flush=True)
        manifest = json.loads((target / "manifest.json").read_text())
        gen = manifest["guarantees"]["adult"]["generalisation"]
        report = (target / "report.json").read_text()
        nodes = re.search(r'"nodes_evaluated": (\d+)', report)
        released = pd.read_csv(target / "public" / "adult.csv", dtype=str)
        qis = case["qis"]
        supp = released[qis].eq("*").all(axis=1)
        kept = released[~supp]
        sizes = classes(kept, qis)
        out[case["id"]] = {
            "runs": runs, "levels": gen["transformation"], "objective": gen["objective_value"],
            "suppressed": gen["suppressed_rows"], "released_suppressed_rows": int(supp.sum()),
            "nodes_evaluated": int(nodes.group(1)) if nodes else None,
            "k": int(sizes.min()), "classes": len(sizes),
            "l_entropy": entropy_l(kept, qis) if case["l"] else None,
            "loss": loss.of_levels(gen["transformation"]),
        }  # fmt: skip
    return out


def venv_python(name: str) -> str:
    return str(WORK / name / "bin" / "python")


def peers(loss: Loss, skip_anonypy: bool) -> dict[str, Any]:
    tmp = WORK / "riskbench" / "peers"
    tmp.mkdir(parents=True, exist_ok=True)
    data = str(loss_data_dir)
    out: dict[str, Any] = {}
    for case in CASES:  # ANJANA: all three settings, full-domain with ARX's hierarchies
        js, csv = tmp / f"anjana-{case['id']}.json", tmp / f"anjana-{case['id']}.csv"
        proc = run_process(
            [venv_python("peers-venv"), str(HERE / "peer_anjana.py"), data, "5",
             str(case["supp"]), str(js), "l" if case["l"] else "k", str(case["l"] or 0),
             str(csv)], tmp / f"anjana-{case['id']}.log")  # fmt: skip
        res = json.loads(js.read_text())
        released = pd.read_csv(csv, dtype=str)
        sizes = classes(released, case["qis"])
        out[f"anjana-{case['id']}"] = {
            "case": case["id"], "tool": "ANJANA 1.2.3", "seconds": res["seconds"], "proc": proc,
            "levels": res["levels"], "suppressed": res["suppressed"], "k": int(sizes.min()),
            "l_entropy": entropy_l(released, case["qis"]) if case["l"] else None,
            "loss": loss.of_levels(res["levels"]),
        }  # fmt: skip
        print(f"peer anjana {case['id']}: {out['anjana-' + case['id']]}", flush=True)
    for tool, venv, script, style in (
        ("anonymity-api", "anonymity-api-venv", "peer_anonymity_api.py", "anonymity-api"),
        ("anonypy", "anonypy-venv", "peer_anonypy.py", "anonypy"),
    ):
        if tool == "anonypy" and skip_anonypy:
            continue
        for mode, case_id in (("k", "k5s0"), ("l", "l5")):
            qis = QIS if mode == "k" else QIS8
            js, csv = tmp / f"{tool}-{mode}.json", tmp / f"{tool}-{mode}.csv"
            proc = run_process(
                [venv_python(venv), str(HERE / script), data, mode, "5", "5", str(js), str(csv)],
                tmp / f"{tool}-{mode}.log")  # fmt: skip
            res = json.loads(js.read_text())
            per_row = pd.read_csv(csv, dtype=str)
            per_row["__row"] = per_row["__row"].astype(int)
            value, dropped = loss.of_cells(per_row, qis, style)
            if tool == "anonypy":  # k and l on what anonypy actually releases (rows + counts)
                rel = pd.read_csv(csv.with_suffix(".released.csv"), dtype=str)
                rel["count"] = rel["count"].astype(int)
                sizes = classes(rel, qis, "count")
                l_ent = entropy_l(rel, qis, "count") if mode == "l" else None
            else:
                sizes = classes(per_row, qis)
                l_ent = entropy_l(per_row, qis) if mode == "l" else None
            out[f"{tool}-{mode}"] = {
                "case": case_id, "tool": tool, "seconds": res["seconds"], "proc": proc,
                "suppressed": dropped, "k": int(sizes.min()), "classes": len(sizes),
                "l_entropy": l_ent, "loss": value, "info": res,
            }  # fmt: skip
            print(f"peer {tool} {mode}: {out[f'{tool}-{mode}']}", flush=True)
    return out


def generated() -> dict[str, Any]:
    log = WORK / "riskbench" / "generated.log"
    proc = run_process([str(ROOT / ".venv" / "bin" / "python"),
                        str(HERE / "bench_generated.py")], log)  # fmt: skip
    return {"proc": proc, "stdout": log.read_text()}


def times(r: float) -> str:
    return f"{r:.2f}×" if r < 10 else f"{r:.0f}×"


def levels_str(levels: dict[str, int], qis: list[str]) -> str:
    return ",".join("·" if q not in levels else str(levels[q]) for q in qis)


def render(results: dict[str, Any]) -> str:
    """The README table from a results JSON."""
    m, lines = results["machine"], []
    loads = [results["search"][c["id"]]["load"] for c in CASES]
    loads += [r["load"] for rel in results["release"].values() for r in rel["runs"]]
    loads += [p["proc"]["load"] for p in results["peers"].values()]
    firsts = [float(x.split()[0]) for x in loads]
    lines.append(
        f"Run {m['started_utc']}–{m['finished_utc'][11:]} UTC; {m['nproc']} CPUs (nproc), "
        f'{m["ram_gb"]} GB RAM, CPU model "{m["cpu"]}"; 1-min load average '
        f"{min(firsts):.2f}–{max(firsts):.2f} during the run (start {m['load_at_start']}, end "
        f"{m['load_at_end']})."
    )
    lines.append("")
    lines.append("| setting | tool — what is timed | transformation | k | entropy l / distinct l "
                 "| suppressed rows | non-uniform entropy (bits) | vs optimum | seconds "
                 "| peak RSS (MB) | time ÷ ARX 3.9.2's "
                 "| peer time ÷ craftveil search |")  # fmt: skip
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for case in CASES:
        cid, qis = case["id"], QIS  # levels shown in the 9-QI order; · = not a QI
        s, rel = results["search"][cid], results["release"][cid]
        opt, ours_s = s["objective"], s["best_s"]
        walls = [r["wall_s"] for r in rel["runs"]]
        rss = max(r["peak_rss_mb"] for r in rel["runs"])
        lev = levels_str(s["levels"], qis)
        name = case["name"]

        def fmt_l(x: str | None) -> str:
            return "—" if x is None else x

        lines.append(
            f"| {name} | **craftveil — search alone** (best of {results.get('repeat', 5)}; "
            f"{s['nodes_evaluated']:,} of {s['lattice']:,} nodes evaluated) | {lev} | "
            f"{rel['k']} | {fmt_l(rel['l_entropy'])} | {s['suppressed']:,} | {opt:,.0f} | — | "
            f"{ours_s:.3f} | — | {times(ours_s / case['arx_s'])} | — |"
        )
        lines.append(
            f"| {name} | **craftveil — whole `craftveil release` process** (median of "
            f"{len(walls)}: {', '.join(f'{w:.1f}' for w in walls)}) | "
            f"{levels_str(rel['levels'], qis)} | {rel['k']} | {fmt_l(rel['l_entropy'])} | "
            f"{rel['suppressed']:,} | {rel['loss']:,.0f} | — | {statistics.median(walls):.1f} | "
            f"{rss:.0f} | {times(statistics.median(walls) / case['arx_s'])} | — |"
        )
        peers = [p for p in results["peers"].values() if p["case"] == cid]
        if cid == "k5s0" and "loss" in results.get("local_recoding", {}):
            lr = results["local_recoding"]
            lines.append(
                f"| {name} | craftveil — local recoding, opt-in (search alone, best of "
                f"{results.get('repeat', 5)}) | "
                f"per part | {lr['k']} | — | 0 | {lr['loss']:,.0f} | {lr['loss'] / opt - 1:+.1%} |"
                f" {lr['best_s']:.3f} | — | — | — |"
            )
        for p in peers:
            lev = levels_str(p["levels"], qis) if "levels" in p else (
                "Mondrian on age + hierarchy LCA" if p["tool"] == "anonymity-api"
                else "Mondrian, value sets / ranges")  # fmt: skip
            tool = p["tool"] if p["tool"] != "anonypy" or cid != "l5" else "anonypy (distinct l)"
            lines.append(
                f"| {name} | {tool} — its anonymisation call | {lev} | {p['k']} | "
                f"{fmt_l(p['l_entropy'])} | {p['suppressed']:,} | {p['loss']:,.0f} | "
                f"{p['loss'] / opt - 1:+.1%} | {p['seconds']:.2f} | "
                f"{p['proc']['peak_rss_mb']:.0f} | — | {times(p['seconds'] / ours_s)} |"
            )
    if "generated" in results:
        lines.extend(generated_rows(results["generated"]))
    return "\n".join(lines)


def generated_rows(gen: dict[str, Any]) -> list[str]:
    text, proc = gen["stdout"], gen["proc"]
    step = dict(re.findall(r"\| ([^|]+?) \| ([\d.]+) s \|", text))
    head = re.search(r"generated (\d+) rows, (\d+) vendors", text)
    res = re.search(r"levels \{(.*)\}; suppressed rows (\d+); nodes (\d+)/(\d+); after: "
                    r"k_vendors (\d+), classes (\d+)", text)  # fmt: skip
    if head is None or res is None:
        return ["", "(generated benchmark output not recognised)"]
    levels = ",".join(re.findall(r": (\d+)", res.group(1)))
    rows, vendors = int(head.group(1)), int(head.group(2))
    name = f"generated: {rows:,} rows / {vendors:,} vendors, 7 QIs, k=5 vendors, 4 %"
    common = f"{levels} | {res.group(5)} | — | {int(res.group(2)):,} | — | — |"
    return [
        f"| {name} | **craftveil — search alone** ({int(res.group(3)):,} of "
        f"{int(res.group(4)):,} nodes evaluated) | {common} {float(step['search']):.1f} "
        "| — | — | — |",
        f"| {name} | **craftveil — whole risk step** (frequency set "
        f"{float(step['frequency set (1 engine query)']):.1f} s + risk before "
        f"{float(step['risk measures before']):.1f} s + search + apply & risk after "
        f"{float(step['apply + risk measures after']):.1f} s; in one process) | {common} "
        f"{float(step['total risk step + search']):.1f} | {proc['peak_rss_mb']:.0f} (whole "
        f"process, incl. generating the data: {proc['wall_s']:.0f} s wall) | — | — |",
    ]


loss_data_dir = ROOT.parent / "shared" / "data"


def main() -> None:
    global loss_data_dir
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=loss_data_dir)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--releases", type=int, default=3)
    parser.add_argument("--generated", action="store_true")
    parser.add_argument("--skip-anonypy", action="store_true")
    parser.add_argument("--render", type=Path, help="print the table of a results JSON and exit")
    args = parser.parse_args()
    if args.render:
        print(render(json.loads(args.render.read_text())))
        return
    loss_data_dir = args.data
    arx = args.data / "adult" / "arx"
    results: dict[str, Any] = {"machine": machine(), "repeat": args.repeat}
    print(results["machine"], flush=True)
    loss = Loss(arx)
    results["search"] = search_alone(arx, args.repeat)
    for cid, s in results["search"].items():  # the independent loss must agree with ours
        s["loss_independent"] = loss.of_levels(s["levels"])
        assert abs(s["loss_independent"] - s["objective"]) < 1e-6 * s["objective"], (cid, s)
    try:
        results["local_recoding"] = local_recoding(arx, loss, args.repeat)
    except Exception as exc:  # reported, not fatal to the run
        results["local_recoding"] = {"error": repr(exc)}
        print(f"local recoding failed: {exc!r}", flush=True)
    results["release"] = releases(args.releases, loss)
    results["peers"] = peers(loss, args.skip_anonypy)
    if args.generated:
        results["generated"] = generated()
    results["machine"]["finished_utc"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    results["machine"]["load_at_end"] = loadavg()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = WORK / "riskbench" / f"results-{stamp}.json"
    path.write_text(json.dumps(results, indent=1, default=str))
    print(f"results: {path}")
    print(render(results))


if __name__ == "__main__":
    main()
