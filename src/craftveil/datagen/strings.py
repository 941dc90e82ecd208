"""Column-at-a-time text builders: identifiers, zero-padded codes and seeded random streams.

Ten million sale identifiers cannot be formatted one Python string at a time, so the fixed-width
columns (``V000123``, ``S000000001``, postal code ``04412``, lot number ``40213``) are written as
bytes straight into an Arrow string buffer. Leading zeros survive because the codes are text
from the start — the loss ARCHITECTURE.md measured when CSV readers infer integers.
"""

from __future__ import annotations

import zlib

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def rng_for(seed: int, purpose: str, index: int = 0) -> np.random.Generator:
    """One independent, reproducible random stream per purpose (and chunk index).

    Streams are keyed by a CRC of the purpose's name rather than by call order, so adding a
    column to one table never shifts the random numbers of another.
    """
    return np.random.default_rng([seed, zlib.crc32(purpose.encode()), index])


def fixed_width_codes(numbers: npt.ArrayLike, width: int, prefix: str = "") -> pa.StringArray:
    """Format non-negative integers as zero-padded text of ``width`` digits behind ``prefix``.

    >>> fixed_width_codes([7, 123], 6, "V").to_pylist()
    ['V000007', 'V000123']
    """
    values = np.asarray(numbers, dtype=np.int64)
    if values.size and (values.min() < 0 or values.max() >= 10**width):
        raise ValueError(
            f"fixed_width_codes: values must lie in [0, {10**width - 1}] for width={width}; "
            f"got min={values.min()}, max={values.max()}"
        )
    head = prefix.encode("ascii")
    row_width = len(head) + width
    n = values.size
    data = np.empty((n, row_width), dtype=np.uint8)
    if head:
        data[:, : len(head)] = np.frombuffer(head, dtype=np.uint8)
    remaining = values.copy()
    for position in range(row_width - 1, len(head) - 1, -1):
        data[:, position] = 48 + remaining % 10
        remaining //= 10
    offsets = np.arange(0, (n + 1) * row_width, row_width, dtype=np.int64)
    if offsets[-1] < 2**31 - 1:
        return pa.Array.from_buffers(
            pa.string(), n, [None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)]
        )
    large = pa.Array.from_buffers(
        pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    return large.cast(pa.string())


def pick(vocabulary: list[str] | tuple[str, ...], indices: npt.ArrayLike) -> pa.StringArray:
    """Vocabulary entries by index, as an Arrow string column (a dictionary decode)."""
    words = pa.array(list(vocabulary), type=pa.string())
    return pc.take(words, pa.array(np.asarray(indices, dtype=np.int64)))


def join_columns(*parts: pa.Array | str, separator: str = "") -> pa.StringArray:
    """Concatenate string columns and literal strings element-wise (nulls propagate)."""
    return pc.binary_join_element_wise(*parts, separator)


def money_column(cents: npt.ArrayLike, precision: int = 12) -> pa.Decimal128Array:
    """Integer cents as an exact ``decimal128(precision, 2)`` column ("12.50", never "12.499…").

    Money is kept in integer cents while generating (DP_NOTES: store money as cents) and only
    becomes a two-decimal value when written, so CSV and Parquet show the same exact amounts.
    """
    values = np.asarray(cents, dtype=np.int64)
    if values.size and values.min() < 0:
        raise ValueError(f"money_column: cents must be non-negative; got min={values.min()}")
    words = np.zeros((values.size, 2), dtype=np.int64)
    words[:, 0] = values
    return pa.Array.from_buffers(
        pa.decimal128(precision, 2), values.size, [None, pa.py_buffer(words)]
    )


def cumulative(weights: npt.ArrayLike) -> FloatArray:
    """Normalised cumulative distribution of non-negative weights (last entry exactly 1)."""
    w = np.asarray(weights, dtype=np.float64)
    total = w.sum()
    if not total > 0:
        raise ValueError("cumulative: weights must have a positive sum")
    cdf = np.cumsum(w / total)
    cdf[-1] = 1.0
    return cdf


def draw(cdf: FloatArray, uniforms: FloatArray) -> IntArray:
    """Inverse-CDF sampling: index of the category each uniform falls into."""
    return np.searchsorted(cdf, uniforms, side="right").astype(np.int64)
