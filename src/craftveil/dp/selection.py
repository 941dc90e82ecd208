"""Private partition selection for ``keys: private``: which cells are published at all.

When the cell keys are not public (an open vocabulary: item names, towns typed by vendors), the
list of cells itself is private — a cell that exists only because one vendor sells there reveals
that vendor. The cells are therefore chosen by a DP mechanism (Korolova et al. 2009; Desfontaines,
Voss, Gipson & Mandayam 2022, "Differentially private partition selection"; Google's and
PipelineDP's thresholding): after L0 bounding, each candidate cell's number of vendors gets
discrete Gaussian noise and the cell is kept only if the noisy count reaches a threshold. We use
OpenDP's ``make_gaussian_threshold`` (Rogers 2023), whose privacy map gives (ρ, δ):

* ρ = L0 / (2σ²): one vendor changes the vendor count of at most L0 cells by one each;
* δ: the probability that the cells of one vendor that exist only with that vendor clear the
  threshold — it falls quickly with the threshold and grows with L0.

Calibration is data-independent: σ is the smallest scale within the ρ share, the threshold the
smallest integer within the δ share (:func:`craftveil.dp.mechanisms.calibrate_selection`).

Only cells with at least one vendor after bounding are candidates (a key never seen in the data
is never released, taxonomy or not), and cells not selected are simply absent from the release —
never "withheld" with a flag, which would reveal that they exist.

Budget: a ``count_vendors`` statistic publishes the selection's own noisy counts (all of its ρ
pays the threshold; the published counts of kept cells are biased upwards by the selection — a
cell near the threshold is kept when its noise was positive). Other statistics give
``SELECTION_SHARE`` of their ρ to the selection and the rest to their values, as PipelineDP
splits a metric's budget evenly with partition selection by default.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import pandas as pd

from craftveil.dp import mechanisms
from craftveil.dp.bounding import BoundedCells

SELECTION_SHARE = 0.5
"""Share of a (non count_vendors) private-keys statistic's ρ spent on choosing its cells."""

Z_95_ONE_SIDED = 1.6448536269514722


@dataclass(frozen=True)
class SelectionPlan:
    """The data-independent calibration of one partition selection and what it means."""

    rho: float
    delta: float
    noise_scale: float
    threshold: int

    @property
    def vendors_for_even_odds(self) -> float:
        """A cell with this many vendors (after bounding) is kept about half of the time."""
        return float(self.threshold)

    @property
    def vendors_for_95(self) -> float:
        """A cell needs about this many vendors to be kept with 95 % probability."""
        sd = mechanisms.noise_standard_deviation("gaussian", self.noise_scale)
        return math.ceil(self.threshold + Z_95_ONE_SIDED * sd)


@dataclass(frozen=True)
class Selection:
    """The selected cells (cell columns plus ``noisy_vendors``) and how they were selected."""

    cells: pd.DataFrame
    plan: SelectionPlan

    def summary(self) -> dict[str, float]:
        """What a release may state about the selection (all of it is DP or data-independent)."""
        return {
            "rho": self.plan.rho,
            "delta": self.plan.delta,
            "noise_scale": self.plan.noise_scale,
            "threshold": float(self.plan.threshold),
            "selected_cells": float(len(self.cells)),
        }


def plan_selection(cells_per_vendor: int, rho: float, delta: float) -> SelectionPlan:
    """Calibrate a selection for vendors of ≤ L0 cells that may cost (ρ, δ)."""
    scale, threshold = mechanisms.calibrate_selection(cells_per_vendor, rho, delta)
    return SelectionPlan(rho, delta, scale, threshold)


def _key(values: tuple[object, ...]) -> str:
    return json.dumps([None if v is None or v != v else str(v) for v in values])


def select_cells(bounded: BoundedCells, cell_columns: list[str], plan: SelectionPlan) -> Selection:
    """Run the threshold mechanism on the vendor counts of the cells present after bounding.

    ``bounded.cells`` holds one row per cell with at least one kept (vendor, cell) pair and its
    ``vendors`` count — each vendor counted in at most L0 cells, as the calibration assumes.
    """
    frame = bounded.cells
    frame = frame[frame["vendors"] > 0]
    if cell_columns:
        keys = [_key(row) for row in frame[cell_columns].itertuples(index=False, name=None)]
    else:
        keys = [_key(())] * len(frame)
    counts = dict(zip(keys, frame["vendors"].astype("int64").tolist(), strict=True))
    kept = mechanisms.select_partitions(counts, plan.noise_scale, plan.threshold)
    rows = [[*json.loads(key), noisy] for key, noisy in sorted(kept.items())]
    cells = pd.DataFrame(rows, columns=[*cell_columns, "noisy_vendors"])
    if cells.empty:
        cells = cells.astype({"noisy_vendors": "int64"})
    return Selection(cells, plan)
