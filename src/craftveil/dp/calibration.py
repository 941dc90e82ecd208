"""The calibration cache: data-independent noise per statistic template, in memory and on disk.

Calibration depends on the mechanism, the sensitivity, L0 and the budget — never on the data —
so it is computed once per template (DP_NOTES.md measured 11 s of a 14 s OpenDP run spent on
it). Entries live in memory for the process and, after a successful release, in a small JSON
file next to the ledger so the next process starts warm. A file entry is never trusted blindly:
on loading, OpenDP's privacy map is evaluated once at the cached scale, and an entry whose loss
exceeds its template's budget is dropped (a corrupted or edited file cannot lower the noise).
The margin and SD are accuracy figures, not privacy-critical, and are taken from the file.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from craftveil.dp import mechanisms

_TOLERANCE = 1e-12


@dataclass(frozen=True)
class Calibration:
    """Data-independent noise of one statistic template: scale, SD and 95 % margin."""

    scale: float
    noise_sd: float
    margin_of_error_95: float


_MEMORY: dict[tuple[str, int, int, float], Calibration] = {}
_RHO_FOR_EPSILON: dict[tuple[float, float], float] = {}


def calibrate(
    mechanism: mechanisms.Mechanism, sensitivity: int, cells_per_vendor: int, rho: float
) -> Calibration:
    """Scale, SD and margin for a template (cached: depends on bounds and budget, not data)."""
    key = (mechanism, sensitivity, cells_per_vendor, rho)
    if key not in _MEMORY:
        scale = mechanisms.calibrate_noise_scale(mechanism, sensitivity, cells_per_vendor, rho)
        _MEMORY[key] = Calibration(
            scale,
            mechanisms.noise_standard_deviation(mechanism, scale),
            mechanisms.margin_of_error(mechanism, scale),
        )
    return _MEMORY[key]


def epsilon_to_rho(epsilon: float, delta: float) -> float:
    """Largest ρ whose (ε, δ) conversion stays within ε (cached; see mechanisms)."""
    key = (epsilon, delta)
    if key not in _RHO_FOR_EPSILON:
        _RHO_FOR_EPSILON[key] = mechanisms.epsilon_to_rho(epsilon, delta)
    return _RHO_FOR_EPSILON[key]


def _private_enough(
    mechanism: mechanisms.Mechanism, key: tuple[str, int, int, float], scale: float
) -> bool:
    _, sensitivity, cells_per_vendor, rho = key
    if sensitivity == 0:
        return True
    if scale <= 0:
        return False
    allowed = mechanisms.cell_loss(mechanism, rho) / cells_per_vendor
    loss = mechanisms.noise_privacy_loss(mechanism, scale, sensitivity)
    return loss <= allowed * (1 + _TOLERANCE)


def load(path: Path) -> int:
    """Merge verified entries of the cache file into memory; returns how many were accepted."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    accepted = 0
    for entry in data.get("noise", []):
        key = (str(entry["mechanism"]), int(entry["sensitivity"]),
               int(entry["cells_per_vendor"]), float(entry["rho"]))  # fmt: skip
        mechanism: mechanisms.Mechanism = "laplace" if key[0] == "laplace" else "gaussian"
        value = Calibration(**entry["calibration"])
        if key not in _MEMORY and _private_enough(mechanism, key, value.scale):
            _MEMORY[key] = value
            accepted += 1
    for entry in data.get("rho_for_epsilon", []):
        epsilon, delta, rho = float(entry["epsilon"]), float(entry["delta"]), float(entry["rho"])
        if mechanisms.rho_to_epsilon(rho, delta) <= epsilon * (1 + _TOLERANCE):
            _RHO_FOR_EPSILON.setdefault((epsilon, delta), rho)
    return accepted


def save(path: Path) -> None:
    """Write every known calibration (atomically); failures to write are not errors."""
    payload = {
        "noise": [
            {"mechanism": m, "sensitivity": s, "cells_per_vendor": c, "rho": r,
             "calibration": asdict(value)}
            for (m, s, c, r), value in list(_MEMORY.items())
        ],
        "rho_for_epsilon": [
            {"epsilon": e, "delta": d, "rho": rho}
            for (e, d), rho in list(_RHO_FOR_EPSILON.items())
        ],
    }  # fmt: skip
    temporary = path.with_suffix(f".tmp-{os.getpid()}")
    try:
        temporary.write_text(json.dumps(payload), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)


def clear() -> None:
    """Forget every in-memory entry (tests)."""
    _MEMORY.clear()
    _RHO_FOR_EPSILON.clear()
