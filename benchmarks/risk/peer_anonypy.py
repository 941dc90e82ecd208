"""Run anonypy's Mondrian on Adult (executed in its own venv, benchmarks/.work/anonypy-venv).

Usage (by bench_suite.py):
  anonypy-venv/bin/python peer_anonypy.py DATA_DIR MODE K L OUT_JSON OUT_CSV
MODE "k": k-anonymity on the 9 QIs; MODE "l": distinct l-diversity (anonypy has no entropy
variant) with k on the 8 QIs, occupation sensitive.

What anonypy can and cannot do here: it has no hierarchies and no suppression. Mondrian splits
numeric columns (age) at the median and categorical columns by halving the list of distinct
values in order of appearance; a released cell is "min-max" (numeric) or the comma-joined set of
the values in the part (categorical). The timed call is exactly what ``Preserver.anonymize_*``
does (``Mondrian.partition`` then ``anonymize``), done through the two public functions so the
parts (original row indices) can be written out for measuring information loss afterwards.
"""

import json
import sys
import time
from pathlib import Path

import anonypy  # type: ignore[import-not-found]
import pandas as pd
from anonypy.anonypy import agg_categorical_column, agg_numerical_column  # type: ignore

QIS = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass",
       "occupation", "salary-class"]  # fmt: skip


def main() -> None:
    data_dir, mode, k, l_div = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    out_json, out_csv = Path(sys.argv[5]), Path(sys.argv[6])
    df = pd.read_csv(data_dir / "adult" / "arx" / "adult.csv", sep=";", dtype=str)
    df["age"] = df["age"].astype(int)
    if mode == "k":
        qis, sensitive, l_arg = QIS, "__none", 0
        df[sensitive] = 0  # anonymize() needs a sensitive column; a constant one = one row/part
    else:
        qis, sensitive, l_arg = [q for q in QIS if q != "occupation"], "occupation", l_div
    for c in QIS:
        if c != "age":
            df[c] = df[c].astype("category")
    started = time.perf_counter()
    mondrian = anonypy.Mondrian(df, qis, sensitive)
    parts = mondrian.partition(k, l_arg, 0.0)
    rows = anonypy.anonymize(df, parts, qis, sensitive)
    seconds = time.perf_counter() - started
    # Per original row, the released cells of its part (same aggregation functions as anonymize).
    per_row = []
    for part_id, part in enumerate(parts):
        cells = {}
        for q in qis:
            agg = agg_categorical_column if q != "age" else agg_numerical_column
            cells[q] = agg(df.loc[part, q])[0]
        for r in part:
            per_row.append({"__row": int(r), "__part": part_id, **cells})
    pd.DataFrame(per_row).to_csv(out_csv, index=False)
    released = pd.DataFrame(rows)
    for q in qis:  # anonypy's aggregations return one-element lists
        released[q] = released[q].map(lambda x: x[0] if isinstance(x, list) else x)
    released.to_csv(out_csv.with_suffix(".released.csv"), index=False)
    out_json.write_text(json.dumps({
        "seconds": seconds, "parts": len(parts), "released_rows": len(released),
        "rows_covered": int(released["count"].sum()), "qis": qis, "sensitive": sensitive,
        "pandas": pd.__version__,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
