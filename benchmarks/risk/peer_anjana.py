"""Run ANJANA's k-anonymity on Adult with ARX's hierarchies (executed in its own venv).

Usage (by bench_peers.py / bench_suite.py):
  peers-venv/bin/python peer_anjana.py DATA_DIR K SUPP_PERCENT OUT_JSON [MODE L OUT_CSV]
MODE "k" (default): ``k_anonymity_inner`` on the 9 QIs. MODE "l": ``entropy_l_diversity`` with
k and l on the 8 QIs, occupation sensitive (ARX's l-diversity setting).
Times the anonymisation call alone and reports ANJANA's chosen level per QI; with OUT_CSV it also
writes the released table (with a non-QI ``__row`` column: the original row number).
"""

import json
import sys
import time
from pathlib import Path

import pandas as pd
from anjana.anonymity import _k_anonymity, entropy_l_diversity  # type: ignore[import-not-found]
from anjana.anonymity.utils import utils  # type: ignore[import-not-found]

QIS = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass",
       "occupation", "salary-class"]  # fmt: skip


def main() -> None:
    data_dir, k, supp, out = Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    mode = sys.argv[5] if len(sys.argv) > 5 else "k"
    l_div = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    out_csv = sys.argv[7] if len(sys.argv) > 7 else None
    arx = data_dir / "adult" / "arx"
    data = pd.read_csv(arx / "adult.csv", sep=";", dtype=str)
    if out_csv:
        data["__row"] = range(len(data))  # not a QI: carried through untouched
    qis = QIS if mode == "k" else [q for q in QIS if q != "occupation"]
    hierarchies = {
        q: dict(pd.read_csv(arx / f"adult_hierarchy_{q}.csv", sep=";", header=None, dtype=str))
        for q in qis
    }
    started = time.perf_counter()
    if mode == "k":
        released, suppressed, levels = _k_anonymity.k_anonymity_inner(
            data, [], qis, k, supp, hierarchies
        )
    else:
        released = entropy_l_diversity(data, [], qis, "occupation", k, l_div, supp, hierarchies)
        suppressed = len(data) - len(released)
        levels = None
    seconds = time.perf_counter() - started
    if levels is None:
        levels = utils.check_gen_level(released, qis, hierarchies)
    if out_csv:
        released[[*qis, *(["occupation"] if mode == "l" else []), "__row"]].to_csv(
            out_csv, index=False
        )
    result = {"seconds": seconds, "suppressed": int(suppressed), "rows": len(released),
              "levels": {q: int(levels[q]) for q in qis}}  # fmt: skip
    Path(out).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
