"""Run ANJANA's k-anonymity on Adult with ARX's hierarchies (executed in its own venv).

Usage (by bench_peers.py): peers-venv/bin/python peer_anjana.py DATA_DIR K SUPP_PERCENT OUT_JSON
Times the anonymisation call alone and reports ANJANA's chosen level per QI.
"""

import json
import sys
import time
from pathlib import Path

import pandas as pd
from anjana.anonymity import _k_anonymity  # type: ignore[import-not-found]

QIS = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass",
       "occupation", "salary-class"]  # fmt: skip


def main() -> None:
    data_dir, k, supp, out = Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    arx = data_dir / "adult" / "arx"
    data = pd.read_csv(arx / "adult.csv", sep=";", dtype=str)
    hierarchies = {
        q: dict(pd.read_csv(arx / f"adult_hierarchy_{q}.csv", sep=";", header=None, dtype=str))
        for q in QIS
    }
    started = time.perf_counter()
    released, suppressed, levels = _k_anonymity.k_anonymity_inner(
        data, [], QIS, k, supp, hierarchies
    )
    seconds = time.perf_counter() - started
    result = {"seconds": seconds, "suppressed": int(suppressed), "rows": len(released),
              "levels": {q: int(levels[q]) for q in QIS}}  # fmt: skip
    Path(out).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
