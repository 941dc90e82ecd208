"""Find *where* a CSV file is malformed, for an error message that names the row and the fix.

Runs only after the engine has failed to read a file, so it may be slow: it streams the file
with Python's csv module (strict mode) and stops at the first problem it can name.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from craftveil.engine.base import CsvFormat


def _first_bad_encoding(path: Path, encoding: str) -> str | None:
    if encoding.lower() not in {"utf-8", "utf8"}:
        return None
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                bad = raw[exc.start : exc.start + 1].hex()
                return (
                    f"line {number}, byte {exc.start + 1}: byte 0x{bad} is not UTF-8 "
                    "(the file mixes encodings) — re-save it as UTF-8, or set "
                    "csv.encoding: latin-1 if the whole file is Latin-1"
                )
    return None


def diagnose_csv(path: Path, fmt: CsvFormat, max_rows: int = 5_000_000) -> str | None:
    """A sentence naming the first malformed row (and how to fix it), or None if none found."""
    problem = _first_bad_encoding(path, fmt.encoding)
    if problem:
        return problem
    header = read_header(path, fmt.encoding)
    guess = guess_delimiter(header)
    if fmt.delimiter not in header and guess is not None and guess != fmt.delimiter:
        shown = "\\t" if guess == "\t" else guess
        return (
            f"line 1: the header has no '{fmt.delimiter}' but is '{shown}'-separated — "
            f"set csv.delimiter: '{shown}' for this table"
        )
    with path.open("r", encoding=fmt.encoding, errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=fmt.delimiter, quotechar=fmt.quote, strict=True)
        width: int | None = None
        start = 1
        try:
            for row in reader:
                if reader.line_num > max_rows:
                    return None
                if width is None:
                    width = len(row)
                elif row and len(row) != width:
                    return (
                        f"line {start}: {len(row)} fields where the header has {width} "
                        "— check the delimiter and quoting of that line"
                    )
                start = reader.line_num + 1
        except csv.Error as exc:
            return (
                f"line {start}: {exc} — an opening quote is probably never closed; "
                "fix the quoting of that line"
            )
    if width is None:
        return "the file is empty — it needs at least a header line"
    return None


def guess_delimiter(header_line: str) -> str | None:
    """The likely delimiter when a whole header was read as one column."""
    counts = {d: header_line.count(d) for d in (";", "\t", "|", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else None


def read_header(path: Path, encoding: str) -> str:
    with path.open("r", encoding=encoding, errors="replace") as fh:
        return io.StringIO(fh.readline()).getvalue().rstrip("\r\n")
