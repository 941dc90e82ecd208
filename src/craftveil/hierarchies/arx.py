"""Read ARX's hierarchy CSV format: ``;``-separated, no header, column i = level i.

The format is the one ARX's GUI and API write (``Hierarchy.create(...).save(...)``) and the one
the Adult benchmark hierarchies are distributed in. Files written on Windows carry CRLF line ends
and sometimes a UTF-8 byte-order mark; both are accepted.
"""

from __future__ import annotations

from pathlib import Path

from craftveil.errors import DataError
from craftveil.hierarchies.model import Hierarchy


def load_arx_hierarchy(path: Path, name: str | None = None, *, delimiter: str = ";") -> Hierarchy:
    """Load one ARX hierarchy file; ``name`` defaults to the file name without suffix."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as exc:
        raise DataError(f"{path}: hierarchy file not found — check the path") from exc
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason}) — save it as UTF-8") from exc
    rows: list[tuple[str, ...]] = []
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        row = tuple(cell.strip() for cell in line.split(delimiter))
        if not rows:
            depth = len(row)
        elif len(row) != depth:
            raise DataError(
                f"{path}, line {number}: {len(row)} levels but the first row has {depth} — give "
                f"every row the same number of '{delimiter}'-separated levels (original value "
                "first, '*' last)"
            )
        rows.append(row)
    if not rows:
        raise DataError(f"{path}: the hierarchy file is empty — give one row per original value")
    return Hierarchy(name or path.stem, tuple(rows), source=str(path))
