"""Run the risk step of an Adult policy with the risk library alone (no release pipeline).

Usage: python examples/adult/run.py examples/adult/policy.yaml
Prints the risk before, the chosen transformation, and the risk after, as JSON.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import ibis
import yaml

from craftveil.hierarchies import load_arx_hierarchy
from craftveil.policy.risk import RiskPolicy
from craftveil.risk import apply_generalisation, frequency_set, measure_risk, search


def main(policy_path: Path) -> None:
    raw = yaml.safe_load(policy_path.read_text())
    base = policy_path.parent
    policy = RiskPolicy.model_validate(raw["risk"])
    (table_spec,) = raw["tables"].values()
    roles = {c: spec["role"] for c, spec in table_spec["columns"].items()}
    qis = [c for c, r in roles.items() if r == "quasi_identifier"]
    hierarchies = {
        q: load_arx_hierarchy((base / raw["hierarchies"][q]["file"]).resolve(), q) for q in qis
    }
    con = ibis.duckdb.connect()
    delimiter = table_spec.get("csv", {}).get("delimiter", ",")
    path = (base / table_spec["path"]).resolve()
    table = con.read_csv(str(path), delim=delimiter, all_varchar=True)
    table = table.mutate(vendor=ibis.row_number())  # Adult: one row per person
    started = time.perf_counter()
    fs = frequency_set(table, qis, "vendor", policy.sensitive)
    built = time.perf_counter() - started
    before = measure_risk(fs, policy)
    result = search(fs, hierarchies, policy)
    released = apply_generalisation(table, hierarchies, result)
    after = measure_risk(frequency_set(released, qis, "vendor", policy.sensitive), policy)
    summary = result.to_dict()
    summary.pop("suppressed_combinations")
    print(json.dumps({"frequency_set_seconds": built, "search": summary}, indent=2))
    print("\nBefore:\n" + before.to_text() + "\n\nAfter:\n" + after.to_text())


if __name__ == "__main__":
    main(Path(sys.argv[1]))
