"""Region lookup files: named bounding boxes for ``generalize: regions`` (coordinates → region)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from craftveil.errors import DataError

COLUMNS = ("region", "lat_min", "lat_max", "lon_min", "lon_max")


@dataclass(frozen=True)
class RegionBox:
    name: str
    lat_min: float
    lat_max: float
    lon_min: float
    lon_max: float


def load_region_boxes(path: Path) -> list[RegionBox]:
    """Read ``region,lat_min,lat_max,lon_min,lon_max`` rows; errors name the file and line."""
    if not path.is_file():
        raise DataError(f"{path}: region lookup file not found — check generalize.regions.file")
    boxes: list[RegionBox] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError(
                f"{path}: missing column(s) {', '.join(missing)} — the header must be "
                + ",".join(COLUMNS)
            )
        for line, row in enumerate(reader, start=2):
            try:
                box = RegionBox(
                    row["region"],
                    float(row["lat_min"]),
                    float(row["lat_max"]),
                    float(row["lon_min"]),
                    float(row["lon_max"]),
                )
            except ValueError:
                raise DataError(f"{path}, line {line}: coordinates must be numbers") from None
            if box.lat_min > box.lat_max or box.lon_min > box.lon_max:
                raise DataError(f"{path}, line {line}: a minimum is above its maximum")
            if not box.name:
                raise DataError(f"{path}, line {line}: the region name is empty")
            boxes.append(box)
    if not boxes:
        raise DataError(f"{path}: no regions — add one row per region")
    return boxes
