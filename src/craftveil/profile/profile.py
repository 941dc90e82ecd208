"""Column statistics for one table, from ONE engine query.

The table is unpivoted into (column, value as text, value as number) rows; one grouped query then
gives, per column: rows, non-null count, exact distinct count, text lengths, the numeric range,
the first and last value, and a *bottom-k* sample of the distinct values — the ``SAMPLE_LIMIT``
values with the smallest hash. A bottom-k sample (the KMV synopsis of Beyer et al., "On synopses
for distinct-value estimation", SIGMOD 2007) is a uniform sample of the distinct values that a
sorted file or an alphabetical run cannot bias, and it picks the same values in every table, so
two columns' samples can be compared to find shared identifiers. Detection then runs on that small
sample in pandas (``detectors.py``); no Python loop touches the table's rows, and the expression is
plain Ibis, so it runs on DuckDB now and Spark later.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import ibis
import pandas as pd

from craftveil.engine import CsvFormat, Engine, LogicalType, SourceFile, make_engine
from craftveil.errors import DataError
from craftveil.profile.patterns import CODE_NAME_TOKENS, name_tokens

SAMPLE_LIMIT = 2000
"""At most this many distinct values per column are brought back for detection."""

SNIFF_BYTES = 1 << 16
"""Bytes read from the start of a CSV file to guess its delimiter and encoding."""

DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class ColumnProfile:
    """What the profiler learnt about one column (plain data, no engine objects)."""

    name: str
    detected_type: LogicalType
    read_as: LogicalType
    rows: int
    non_null: int
    distinct: int
    sample: tuple[str, ...]
    sample_hashes: tuple[int, ...] = ()
    min_length: int | None = None
    max_length: int | None = None
    mean_length: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    first: str | None = None
    last: str | None = None

    @property
    def null_share(self) -> float:
        return 1.0 - self.non_null / self.rows if self.rows else 0.0

    @property
    def distinct_ratio(self) -> float:
        """Distinct values per non-null value: 1.0 means every filled row differs."""
        return self.distinct / self.non_null if self.non_null else 0.0

    @property
    def unique_per_row(self) -> bool:
        return self.rows > 0 and self.non_null == self.rows and self.distinct == self.rows

    @property
    def sample_complete(self) -> bool:
        """True when the sample holds every distinct value."""
        return len(self.sample) >= self.distinct

    @property
    def is_numeric(self) -> bool:
        return self.read_as in ("integer", "decimal")

    @property
    def is_text(self) -> bool:
        return self.read_as == "text"

    @property
    def tokens(self) -> tuple[str, ...]:
        return name_tokens(self.name)

    def values(self) -> pd.Series:
        """The sampled distinct values as a pandas string Series (for vectorised regexes)."""
        return self._series.copy()

    @functools.cached_property
    def _series(self) -> pd.Series:
        return pd.Series(list(self.sample), dtype=object)


@dataclass(frozen=True)
class TableProfile:
    """One profiled table: where it came from and its columns, in file order."""

    name: str
    path: Path
    fmt: Literal["csv", "parquet"]
    rows: int
    columns: tuple[ColumnProfile, ...] = field(default=())
    csv: CsvFormat = field(default=CsvFormat())

    def column(self, name: str) -> ColumnProfile:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def table_name_for(path: Path) -> str:
    """A policy table name from a file name: lower case, words joined by underscores."""
    stem = path.name.split(".")[0]
    name = re.sub(r"[^0-9a-zA-Z]+", "_", stem).strip("_").lower()
    return name or "table"


def sniff_csv(path: Path) -> CsvFormat:
    """Delimiter and encoding from the file's first bytes (the header line decides the delimiter).

    A header with no comma but several semicolons (ARX's exports) is read with ';'; bytes that
    are not UTF-8 are read as latin-1, the two encodings the policy offers for 8-bit files.
    """
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    complete = head if len(head) < SNIFF_BYTES else head[: head.rfind(b"\n") + 1] or head
    try:
        text = complete.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        text = complete.decode("latin-1")
        encoding = "latin-1"
    header = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    counts = {d: header.count(d) for d in DELIMITERS}
    delimiter = "," if counts[","] else max(DELIMITERS, key=lambda d: counts[d])
    return CsvFormat(delimiter=delimiter if counts[delimiter] else ",", encoding=encoding)


def _read_types(detected: dict[str, LogicalType]) -> dict[str, LogicalType]:
    """Codes and identifiers are read as text so leading zeros survive (zip 02134, id 0042)."""
    forced: dict[str, LogicalType] = {}
    for name, kind in detected.items():
        if kind in ("integer", "decimal") and set(name_tokens(name)) & CODE_NAME_TOKENS:
            forced[name] = "text"
    return forced


def _kind_of(dtype: Any) -> LogicalType:
    """The logical type of a loaded column (anything unusual, e.g. TIME, is profiled as text)."""
    checks: tuple[tuple[str, LogicalType], ...] = (
        ("is_string", "text"),
        ("is_integer", "integer"),
        ("is_floating", "decimal"),
        ("is_decimal", "decimal"),
        ("is_date", "date"),
        ("is_timestamp", "timestamp"),
        ("is_boolean", "boolean"),
    )
    for method, kind in checks:
        if getattr(dtype, method)():
            return kind
    return "text"


def _unpivot(table: ibis.Table, kinds: dict[str, LogicalType]) -> ibis.Table:
    """(c: column position, v: value as text, x: value as a number or null) for every cell."""
    parts = []
    for i, (name, kind) in enumerate(kinds.items()):
        col = table[name]
        number = col.cast("float64") if kind in ("integer", "decimal") else ibis.null("float64")
        parts.append(table.select(c=ibis.literal(i, type="int32"), v=col.cast("string"), x=number))
    return ibis.union(*parts, distinct=False)


def profile_query(table: ibis.Table, kinds: dict[str, LogicalType]) -> ibis.Table:
    """One query: per-column statistics joined to each column's bottom-k distinct-value sample."""
    cells = _unpivot(table, kinds)
    length = cells.v.length()
    stats = cells.group_by("c").aggregate(
        rows=cells.count(),
        n=cells.v.count(),
        d=cells.v.nunique(),
        lo_len=length.min(),
        hi_len=length.max(),
        mean_len=length.mean(),
        lo=cells.x.min(),
        hi=cells.x.max(),
        first=cells.v.min(),
        last=cells.v.max(),
    )
    distinct = cells.filter(cells.v.notnull()).select("c", "v").distinct()
    hashed = distinct.mutate(h=distinct.v.hash())
    ranked = hashed.mutate(
        rank=ibis.row_number().over(group_by=hashed.c, order_by=[hashed.h, hashed.v])
    )
    sample = ranked.filter(ranked["rank"] < SAMPLE_LIMIT).select(
        sc="c", sv="v", sh="h", srank="rank"
    )
    return stats.left_join(sample, stats.c == sample.sc)


def _column_profile(
    stats: pd.Series, sample: pd.DataFrame, name: str, detected: LogicalType, kind: LogicalType
) -> ColumnProfile:
    def number(key: str) -> float | None:
        v = stats[key]
        return None if pd.isna(v) else float(v)

    def text(key: str) -> str | None:
        v = stats[key]
        return None if pd.isna(v) else str(v)

    common: dict[str, Any] = {
        "name": name,
        "detected_type": detected,
        "read_as": kind,
        "rows": int(stats["rows"]),
        "non_null": int(stats["n"]),
        "distinct": int(stats["d"]),
        "sample": tuple(str(v) for v in sample["sv"]),
        "sample_hashes": tuple(int(h) for h in sample["sh"]),
    }
    if kind == "text":
        lo, hi = number("lo_len"), number("hi_len")
        return ColumnProfile(
            **common,
            min_length=None if lo is None else int(lo),
            max_length=None if hi is None else int(hi),
            mean_length=number("mean_len"),
        )
    if kind in ("integer", "decimal"):
        return ColumnProfile(**common, minimum=number("lo"), maximum=number("hi"))
    return ColumnProfile(**common, first=text("first"), last=text("last"))


def profile_table(
    path: Path, *, name: str | None = None, engine: Engine | None = None
) -> TableProfile:
    """Profile one CSV or Parquet file: every column's statistics and a distinct-value sample."""
    path = Path(path)
    own_engine = engine is None
    eng = make_engine() if engine is None else engine
    try:
        tname = name or table_name_for(path)
        fmt: Literal["csv", "parquet"] = (
            "parquet" if path.suffix.lower() in {".parquet", ".pq"} else "csv"
        )
        csv = sniff_csv(path) if fmt == "csv" and path.is_file() else CsvFormat()
        detected = eng.columns(SourceFile(tname, path, fmt, csv))
        forced = _read_types(detected)
        types = tuple(sorted(forced.items()))
        table = eng.load(SourceFile(tname, path, fmt, csv, types))
        schema = table.schema()
        kinds = {c: _kind_of(schema[c]) for c in detected}
        frame = profile_query(table, kinds).to_pyarrow().to_pandas()
        if frame.empty:
            raise DataError(
                f"{path}: table '{tname}' has no rows — there is nothing to profile; check the "
                "file (and its delimiter), or leave it out"
            )
        names = list(detected)
        columns = []
        for i, cname in enumerate(names):
            part = frame[frame["c"] == i]
            sample = part[part["sv"].notna()].sort_values("srank")
            columns.append(
                _column_profile(part.iloc[0], sample, cname, detected[cname], kinds[cname])
            )
        rows = columns[0].rows if columns else 0
        return TableProfile(tname, path, fmt, rows, tuple(columns), csv)
    finally:
        if own_engine:
            eng.close()
