"""The frequency set: one engine query, distinct vendors kept, clear errors on bad input."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from craftveil.errors import DataError
from craftveil.risk import frequency_set


def _table() -> ibis.Table:
    return ibis.memtable(
        pd.DataFrame(
            {
                "vendor": ["A", "A", "A", "B", "C"],
                "region": ["n", "n", "s", "n", None],
                "craft": ["pot", "pot", "pot", "pot", "bake"],
                "price": [3, 4, 5, 6, 7],
            }
        )
    )


def test_combinations_rows_and_vendor_pairs() -> None:
    fs = frequency_set(_table(), ["region", "craft"], "vendor")
    assert fs.n_rows == 5
    assert fs.n_vendors == 3
    labels = {
        tuple(str(fs.values[i][c[i]]) for i in range(2)): (int(r), int(v))
        for c, r, v in zip(fs.combos, fs.combo_rows, fs.combo_vendors, strict=True)
    }
    # a missing QI value becomes its own value "NULL" (hierarchies must cover it)
    assert labels == {("n", "pot"): (3, 2), ("s", "pot"): (1, 1), ("NULL", "bake"): (1, 1)}
    assert not fs.vendors_additive  # vendor A sits in two combinations
    assert len(fs.pair_combo) == 4
    assert fs.value_counts(1).tolist() == [1, 4]  # bake, pot (sorted codes)


def test_missing_columns_and_vendors_are_errors() -> None:
    with pytest.raises(DataError, match=r"columns \['colour'\] are not in the table"):
        frequency_set(_table(), ["colour"], "vendor")
    frame = _table().to_pandas()
    frame.loc[0, "vendor"] = None
    with pytest.raises(DataError, match="column 'vendor' has missing vendor ids"):
        frequency_set(ibis.memtable(frame), ["region"], "vendor")
    with pytest.raises(DataError, match="no quasi-identifiers given"):
        frequency_set(_table(), [], "vendor")


def test_sensitive_counts_are_per_vendor() -> None:
    fs = frequency_set(_table(), ["craft"], "vendor", ["region"])
    s = fs.sensitive["region"]
    # vendor A has region n twice and s once under craft pot: one (combo, vendor, value) each
    assert len(s.combo) == 4
    assert int(np.sum(s.rows)) == 5
