"""Release history: earlier releases of one dataset side by side, with risk and utility trends.

Reads each release directory's ``manifest.json`` (dataset, name, creation time) and
``report.json`` (the utility metrics and, when the risk step ran, its headline figures). All
directories must hold releases of the same dataset — mixing datasets would make the trend
meaningless, so it is an error naming the odd one out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from craftveil.errors import DataError

#: Headline risk figures: name → path inside each table's entry of the risk section.
RISK_PATHS = {
    "k_vendors": ("after", "k_vendors"),
    "highest_risk": ("after", "prosecutor", "vendor_level", "highest"),
    "average_risk": ("after", "prosecutor", "vendor_level", "average"),
    "suppressed_rows": ("search", "suppressed_rows"),
}


@dataclass(frozen=True)
class ReleaseSummary:
    directory: Path
    release_name: str
    dataset: str
    created_at: str
    risk: dict[str, Any]
    utility: dict[str, float | None]


def _read_json(path: Path, what: str) -> Any:
    if not path.is_file():
        raise DataError(f"{path.parent}: no {path.name} — {what}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None


def _section(report: dict[str, Any], section_id: str) -> Any:
    return next((s for s in report.get("sections", []) if s.get("id") == section_id), None)


def _at(value: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _risk_figures(data: Any) -> dict[str, Any]:
    """``<table>.<figure>`` for every table of the risk section that has the figure."""
    figures: dict[str, Any] = {}
    if isinstance(data, dict):
        for table, entry in data.items():
            for name, path in RISK_PATHS.items():
                if (value := _at(entry, path)) is not None:
                    figures[f"{table}.{name}"] = value
    return figures


def read_release(directory: Path) -> ReleaseSummary:
    manifest = _read_json(directory / "manifest.json", "is this a craftveil release directory?")
    report_path = directory / "report.json"
    report = _read_json(report_path, "released without a report") if report_path.exists() else {}
    risk_section = _section(report, "risk")
    risk = _risk_figures(risk_section["data"]) if risk_section is not None else {}
    utility_section = _section(report, "utility")
    metrics = utility_section["data"]["metrics"] if utility_section else {}
    return ReleaseSummary(
        directory=directory,
        release_name=str(manifest["release_name"]),
        dataset=str(manifest["dataset"]),
        created_at=str(manifest["created_at"]),
        risk=risk,
        utility=dict(metrics),
    )


def release_history(directories: list[Path]) -> list[ReleaseSummary]:
    """The releases, oldest first; DataError when they are not all of one dataset."""
    if not directories:
        raise DataError("no release directories given — pass one or more release directories")
    releases = [read_release(d) for d in directories]
    datasets = {r.dataset for r in releases}
    if len(datasets) > 1:
        first = releases[0].dataset
        odd = [f"{r.directory} (dataset '{r.dataset}')" for r in releases if r.dataset != first]
        raise DataError(
            f"the releases are of different datasets: {releases[0].directory} is '{first}', "
            f"but {', '.join(odd)} — give releases of one dataset only"
        )
    return sorted(releases, key=lambda r: (r.created_at, r.release_name))


def trend(releases: list[ReleaseSummary]) -> dict[str, float]:
    """Change of each numeric figure from the oldest to the newest release that has it."""
    changes: dict[str, float] = {}
    keys = dict.fromkeys(
        [f"risk.{k}" for r in releases for k in r.risk]
        + [f"utility.{k}" for r in releases for k in r.utility]
    )
    for key in keys:
        kind, name = key.split(".", 1)
        values = [
            v
            for r in releases
            if isinstance(v := (r.risk if kind == "risk" else r.utility).get(name), int | float)
            and not isinstance(v, bool)
        ]
        if len(values) >= 2:
            changes[key] = float(values[-1]) - float(values[0])
    return changes
