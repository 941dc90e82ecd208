"""The analytics people run, raw vs released, and how far apart they are.

Analysis-specific utility (Hundepool et al., "Statistical Disclosure Control", 2012, §3.3.3):
run the same analysis on the original and on the protected data and measure the difference —
correlation of the seasonal series, error of the regional shares (largest error in percentage
points and the total variation distance ½·Σ|p−q| between the two share vectors), errors of
rolling averages and of sales velocity (units per distinct vendor), and agreement of median
price bands. Inputs are the small summaries of :mod:`craftveil.utility.summaries`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from craftveil.utility.summaries import Summaries


def _grid(raw: pd.DataFrame, rel: pd.DataFrame, value: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both sides on the union of (period × group), missing cells as 0."""
    a = raw.pivot_table(index="period", columns="grp", values=value, aggfunc="sum")
    b = rel.pivot_table(index="period", columns="grp", values=value, aggfunc="sum")
    index = a.index.union(b.index)
    columns = a.columns.union(b.columns)
    a = a.reindex(index=index, columns=columns).fillna(0.0).astype(float)
    b = b.reindex(index=index, columns=columns).fillna(0.0).astype(float)
    return a, b


def _relative_errors(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    mask = np.isfinite(a) & np.isfinite(b) & (np.abs(a) > 0)
    return np.asarray(np.abs(b[mask] - a[mask]) / np.abs(a[mask]))


def _distribution(errors: np.ndarray) -> dict[str, float | None]:
    if errors.size == 0:
        return {"median": None, "p90": None, "max": None, "count": 0}
    return {
        "median": float(np.median(errors)),
        "p90": float(np.quantile(errors, 0.9)),
        "max": float(errors.max()),
        "count": int(errors.size),
    }


def _pearson(a: np.ndarray, b: np.ndarray) -> float | None:
    if a.size < 2 or np.std(a) == 0 or np.std(b) == 0:
        return None
    return float(np.corrcoef(a, b)[0, 1])


def seasonality(raw: Summaries, rel: Summaries) -> dict[str, Any]:
    a, b = _grid(raw.totals, rel.totals, "total")
    ta, tb = a.sum(axis=1), b.sum(axis=1)
    amp_a = float((ta.max() - ta.min()) / ta.mean()) if ta.mean() else 0.0
    amp_b = float((tb.max() - tb.min()) / tb.mean()) if tb.mean() else 0.0
    return {
        "correlation": _pearson(a.to_numpy().ravel(), b.to_numpy().ravel()),
        "correlation_of_totals": _pearson(ta.to_numpy(), tb.to_numpy()),
        "peak_raw": _day(ta.idxmax()),
        "peak_released": _day(tb.idxmax()),
        "peak_preserved": bool(ta.idxmax() == tb.idxmax()),
        "amplitude_raw": amp_a,
        "amplitude_released": amp_b,
        "amplitude_error": abs(amp_b - amp_a) / amp_a if amp_a else abs(amp_b),
        "series": [
            {
                "period": _day(p),
                "group": str(g),
                "raw": float(x),
                "released": float(y),
            }
            for p, row_a, row_b in zip(a.index, a.to_numpy(), b.to_numpy(), strict=True)
            for g, x, y in zip(a.columns, row_a, row_b, strict=True)
        ],
    }


def rolling_and_velocity(raw: Summaries, rel: Summaries, window: int) -> dict[str, Any]:
    a, b = _grid(raw.totals, rel.totals, "total")
    roll_a = a.rolling(window).mean().to_numpy().ravel()
    roll_b = b.rolling(window).mean().to_numpy().ravel()
    va, vb = _grid(raw.totals, rel.totals, "vendors")
    with np.errstate(divide="ignore", invalid="ignore"):
        vel_a = np.where(va.to_numpy() > 0, a.to_numpy() / va.to_numpy(), np.nan).ravel()
        vel_b = np.where(vb.to_numpy() > 0, b.to_numpy() / vb.to_numpy(), np.nan).ravel()
    return {
        "window": window,
        "rolling_average_error": _distribution(_relative_errors(roll_a, roll_b)),
        "sales_velocity_error": _distribution(_relative_errors(vel_a, vel_b)),
    }


def shares(raw: Summaries, rel: Summaries) -> dict[str, Any]:
    pa = raw.totals.groupby("grp")["total"].sum()
    pb = rel.totals.groupby("grp")["total"].sum()
    groups = pa.index.union(pb.index)
    pa = pa.reindex(groups).fillna(0.0)
    pb = pb.reindex(groups).fillna(0.0)
    pa = pa / pa.sum() if pa.sum() else pa
    pb = pb / pb.sum() if pb.sum() else pb
    diff = (pb - pa).abs()
    return {
        "max_error_pp": float(100.0 * diff.max()),
        "total_variation": float(0.5 * diff.sum()),
        "shares": [{"group": g, "raw": float(pa[g]), "released": float(pb[g])} for g in groups],
    }


def _bands(values: np.ndarray, edges: list[float]) -> np.ndarray:
    return np.searchsorted(np.asarray(edges), values, side="right")


def vendors_band_moved(
    raw: pd.Series, rel: pd.Series, edges: list[float], link: Mapping[str, str]
) -> tuple[float | None, int]:
    """Exact share of vendors whose median price band moved, matching raw ids to released tokens.

    ``link`` maps each raw vendor id to its released (pseudonymised) id — the release knows it,
    the public does not. Vendors without a released price (all suppressed) are not compared.
    """
    raw_bands = dict(zip(raw.index.astype(str), _bands(raw.to_numpy(), edges), strict=True))
    rel_bands = dict(zip(rel.index.astype(str), _bands(rel.to_numpy(), edges), strict=True))
    pairs = [(b, rel_bands[link[v]]) for v, b in raw_bands.items() if link.get(v) in rel_bands]
    if not pairs:
        return None, 0
    return float(np.mean([a != b for a, b in pairs])), len(pairs)


def price_bands(
    raw: Summaries,
    rel: Summaries,
    edges: list[float] | None,
    vendor_link: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    if raw.vendor_price.empty:
        return {"available": False}
    if edges is None:
        qs = np.quantile(raw.vendor_price.to_numpy(), [0.2, 0.4, 0.6, 0.8])
        edges = sorted({round(float(q), 2) for q in qs})
    ca = raw.category_price.set_index("category")["median_price"].astype(float)
    cb = rel.category_price.set_index("category")["median_price"].astype(float)
    cats = ca.index.union(cb.index)
    ca, cb = ca.reindex(cats), cb.reindex(cats)
    same = [
        bool(
            np.isfinite(x)
            and np.isfinite(y)
            and _bands(np.array([x]), edges)[0] == _bands(np.array([y]), edges)[0]
        )
        for x, y in zip(ca.to_numpy(), cb.to_numpy(), strict=True)
    ]
    n_bands = len(edges) + 1
    da = np.bincount(_bands(raw.vendor_price.to_numpy(), edges), minlength=n_bands)
    db = np.bincount(_bands(rel.vendor_price.to_numpy(), edges), minlength=n_bands)
    pa = da / da.sum() if da.sum() else da.astype(float)
    pb = db / db.sum() if db.sum() else db.astype(float)
    moved, compared = (
        vendors_band_moved(raw.vendor_price, rel.vendor_price, edges, vendor_link)
        if vendor_link is not None
        else (None, 0)
    )
    return {
        "available": True,
        "vendors_moved": moved,
        "vendors_compared": compared,
        "edges": [float(e) for e in edges],
        "agreement": float(np.mean(same)) if same else None,
        "vendor_shift": float(0.5 * np.abs(pa - pb).sum()),
        "categories": [
            {"category": c, "raw": _num(x), "released": _num(y), "same_band": s}
            for c, x, y, s in zip(cats, ca.to_numpy(), cb.to_numpy(), same, strict=True)
        ],
    }


def _day(value: object) -> str:
    return pd.Timestamp(str(value)).date().isoformat()


def _num(value: float | np.floating[Any]) -> float | None:
    return float(value) if np.isfinite(value) else None
