"""The frequency set: distinct quasi-identifier combinations with their rows and vendors.

ARX's speed comes from never touching raw rows during the search: one pass builds the distinct
QI combinations with their counts, and every lattice node is evaluated by merging those
(Kohlmayer et al., "Flash: efficient, stable and optimal k-anonymity", 2012). Here the one pass
is ONE engine query (a group-by over QIs, vendor and sensitive columns), so it runs on DuckDB or
Spark alike; everything after it is numpy on the much smaller result.

Because the privacy unit is the vendor, the set keeps (combination, vendor) pairs: after merging
combinations at any lattice node we can still count DISTINCT vendors per class (a vendor's rows
are a household, sdcMicro's term).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import numpy as np
import numpy.typing as npt
import pandas as pd

from craftveil.errors import DataError

NULL_LABEL = (
    "NULL"  # how a missing QI value is spelled (ARX's NULL value); hierarchies must cover it
)
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class SensitiveCounts:
    """One sensitive attribute: rows per (combination, vendor, sensitive value)."""

    name: str
    values: npt.NDArray[np.object_]
    combo: IntArray
    vendor: IntArray
    code: IntArray
    rows: IntArray


@dataclass(frozen=True)
class FrequencySet:
    """Distinct QI combinations (level-0 codes) with rows and vendors; see module docstring."""

    qis: tuple[str, ...]
    vendor_column: str
    values: tuple[npt.NDArray[np.object_], ...]
    combos: IntArray
    combo_rows: IntArray
    combo_vendors: IntArray
    pair_combo: IntArray
    pair_vendor: IntArray
    pair_rows: IntArray
    n_rows: int
    n_vendors: int
    sensitive: dict[str, SensitiveCounts]

    @property
    def vendors_additive(self) -> bool:
        """True when every vendor sits in exactly one combination (vendor-level QIs, or Adult)."""
        return len(self.pair_combo) == self.n_vendors

    def value_counts(self, position: int) -> IntArray:
        """Rows per original value of the QI at ``position`` (code order)."""
        return np.bincount(
            self.combos[:, position], weights=self.combo_rows, minlength=len(self.values[position])
        ).astype(np.int64)


def combine_codes(columns: Sequence[IntArray], sizes: Sequence[int]) -> IntArray:
    """One int64 key per row from several code columns (mixed radix, re-densified on overflow)."""
    key = np.zeros(len(columns[0]) if columns else 0, dtype=np.int64)
    span = 1
    for column, size in zip(columns, sizes, strict=True):
        if span * max(size, 1) >= 2**62:
            _, key = np.unique(key, return_inverse=True)
            span = int(key.max()) + 1 if len(key) else 1
        key = key * max(size, 1) + column
        span *= max(size, 1)
    return key


def frequency_set(
    table: ibis.Table,
    qis: Sequence[str],
    vendor_column: str,
    sensitive: Sequence[str] = (),
) -> FrequencySet:
    """Run ONE engine group-by and build the frequency set from its (small) result."""
    qis = tuple(qis)
    missing = [c for c in (*qis, vendor_column, *sensitive) if c not in table.columns]
    if missing:
        raise DataError(
            f"columns {missing} are not in the table (it has {list(table.columns)}) — "
            "check the policy's quasi-identifiers, sensitive columns and vendor column"
        )
    if not qis:
        raise DataError("no quasi-identifiers given — declare at least one column as one")
    keys = {f"q{i}": table[q].cast("string").fill_null(NULL_LABEL) for i, q in enumerate(qis)}
    keys["vendor"] = table[vendor_column].cast("string")
    keys |= {
        f"s{i}": table[s].cast("string").fill_null(NULL_LABEL) for i, s in enumerate(sensitive)
    }
    grouped = table.select(**keys).group_by(list(keys)).aggregate(rows=ibis._.count())
    frame = grouped.to_pandas()
    if frame.empty:
        raise DataError("the table has no rows — nothing to measure or release")
    if frame["vendor"].isna().any():
        raise DataError(
            f"column {vendor_column!r} has missing vendor ids — every row needs its vendor"
        )
    return _build(frame, qis, vendor_column, tuple(sensitive))


def _factorize(series: pd.Series) -> tuple[IntArray, npt.NDArray[np.object_]]:
    codes, uniques = pd.factorize(series, sort=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _build(
    frame: pd.DataFrame, qis: tuple[str, ...], vendor_column: str, sensitive: tuple[str, ...]
) -> FrequencySet:
    rows = frame["rows"].to_numpy(dtype=np.int64)
    coded = [_factorize(frame[f"q{i}"]) for i in range(len(qis))]
    values = tuple(u for _, u in coded)
    key = combine_codes([c for c, _ in coded], [len(u) for u in values])
    uniq, combo_of = np.unique(key, return_inverse=True)
    first = np.zeros(len(uniq), dtype=np.int64)
    first[combo_of[::-1]] = np.arange(len(combo_of))[::-1]
    combos = np.stack([c[first] for c, _ in coded], axis=1)
    vendor, vendor_values = _factorize(frame["vendor"])
    n_vendors = len(vendor_values)
    pair_key = combo_of * n_vendors + vendor
    pair_uniq, pair_of = np.unique(pair_key, return_inverse=True)
    pair_rows = np.bincount(pair_of, weights=rows).astype(np.int64)
    pair_combo = pair_uniq // n_vendors
    sens: dict[str, SensitiveCounts] = {}
    for i, name in enumerate(sensitive):
        code, svalues = _factorize(frame[f"s{i}"])
        triple = (pair_of * len(svalues)) + code
        t_uniq, t_of = np.unique(triple, return_inverse=True)
        t_pair = t_uniq // len(svalues)
        sens[name] = SensitiveCounts(
            name=name,
            values=svalues,
            combo=pair_combo[t_pair],
            vendor=(pair_uniq % n_vendors)[t_pair],
            code=t_uniq % len(svalues),
            rows=np.bincount(t_of, weights=rows).astype(np.int64),
        )
    return FrequencySet(
        qis=qis,
        vendor_column=vendor_column,
        values=values,
        combos=combos,
        combo_rows=np.bincount(combo_of, weights=rows).astype(np.int64),
        combo_vendors=np.bincount(pair_combo, minlength=len(uniq)).astype(np.int64),
        pair_combo=pair_combo,
        pair_vendor=pair_uniq % n_vendors,
        pair_rows=pair_rows,
        n_rows=int(rows.sum()),
        n_vendors=n_vendors,
        sensitive=sens,
    )
