"""Run anonymity-api on Adult (executed in its own venv, benchmarks/.work/anonymity-api-venv).

Usage (by bench_suite.py):
  anonymity-api-venv/bin/python peer_anonymity_api.py DATA_DIR MODE K L OUT_JSON OUT_CSV
MODE "k": ``anonymity.k_anonymity`` on the 9 QIs; MODE "l": ``anonymity.entropy_l_diversity``
on the 8 QIs, occupation sensitive (it has no k parameter; entropy l=5 implies >= 5 rows a class).

What it does with ARX's hierarchies: its Mondrian splits only on *numeric* QIs (here age, the only
one); each final part's string QIs are replaced by the lowest label their values share in the
ARX hierarchy file given as ``taxonomies`` (local recoding), age by "min - max". No suppression
parameter; entropy l-diversity drops parts that are not l-diverse. A non-QI column ``__row`` is
carried through untouched so every released row can be matched to its original.
"""

import json
import sys
import time
from pathlib import Path

import pandas as pd
from anonymity_api import anonymity  # type: ignore[import-not-found]

QIS = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass",
       "occupation", "salary-class"]  # fmt: skip


def main() -> None:
    data_dir, mode, k, l_div = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    out_json, out_csv = Path(sys.argv[5]), Path(sys.argv[6])
    arx = data_dir / "adult" / "arx"
    df = pd.read_csv(arx / "adult.csv", sep=";")  # age is read as int, the rest as strings
    df["__row"] = range(len(df))
    qis = QIS if mode == "k" else [q for q in QIS if q != "occupation"]
    # Only string QIs may be given (it deletes numeric ones while iterating the dict).
    taxonomies = {q: str(arx / f"adult_hierarchy_{q}.csv") for q in qis if q != "age"}
    started = time.perf_counter()
    if mode == "k":
        released = anonymity.k_anonymity(df, qis, k, taxonomies=taxonomies)
    else:
        released = anonymity.entropy_l_diversity(
            df, qis, ["occupation"], l_div, taxonomies=taxonomies
        )
    seconds = time.perf_counter() - started
    released.to_csv(out_csv, index=False)
    out_json.write_text(json.dumps({
        "seconds": seconds, "released_rows": len(released), "qis": qis,
        "pandas": pd.__version__,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
