"""Noise drawn ahead of the data, so OpenDP's samplers run while the engine bounds the rows.

The discrete Gaussian and discrete Laplace mechanisms release ``x + Z`` with ``Z`` drawn
independently of ``x`` (Canonne, Kamath & Steinke 2020, "The Discrete Gaussian for Differential
Privacy", §1; OpenDP's ``make_gaussian`` / ``make_laplace`` on integer vectors add one sample to
each value). ``Z`` can therefore be drawn before ``x`` is known and added afterwards in exact
integer arithmetic — the same mechanism and the same output distribution. With public keys the
number of cells is the taxonomy's and the scale depends only on bounds and budget, so the whole
noise vector of a statistic is known before the data is read.

Rules that keep this equal to drawing after the data:

* a draw is used at most once — :meth:`NoiseDraws.take` removes it — so two statistics, or two
  parts of a mean, never share noise even when their templates are equal;
* a request that was not drawn ahead (private keys, bounds chosen privately, a count that does
  not match) is drawn on the spot: never a draw of a different template or length;
* a draw that is never taken is dropped with the object; it says nothing about the data.

Measured (benchmarks/dp, 1 M rows, 2,400 cells × 4 noise vectors): the samplers take ~0.12 s of
CPU (≈ 12 µs a draw); overlapped with the bounding query, which leaves the GIL while DuckDB runs.
"""

from __future__ import annotations

import threading
from concurrent.futures import Executor, Future
from dataclasses import dataclass

from craftveil.dp import mechanisms
from craftveil.dp.calibration import Calibration, calibrate


@dataclass(frozen=True)
class NoiseRequest:
    """One noise vector: whose it is, its template (calibration key) and its length."""

    statistic: str
    part: str
    """``value`` (count, sum), or ``sum`` / ``count`` for the two halves of a mean."""
    mechanism: mechanisms.Mechanism
    sensitivity: int
    cells_per_vendor: int
    rho: float
    count: int


def draw(request: NoiseRequest) -> tuple[Calibration, list[int]]:
    """Calibrate the request's template (cached) and draw its noise vector with OpenDP."""
    calibration = calibrate(
        request.mechanism, request.sensitivity, request.cells_per_vendor, request.rho
    )
    noise = mechanisms.draw_noise(request.mechanism, calibration.scale, request.count)
    return calibration, noise


class NoiseDraws:
    """Noise vectors requested ahead (on ``pool``) and handed out once each."""

    def __init__(self, pool: Executor | None = None) -> None:
        self._pool = pool
        self._pending: dict[NoiseRequest, Future[tuple[Calibration, list[int]]]] = {}
        self._lock = threading.Lock()

    def prefetch(self, request: NoiseRequest) -> None:
        """Start drawing ``request`` in the background (no-op without a pool)."""
        if self._pool is None:
            return
        with self._lock:
            if request not in self._pending:
                self._pending[request] = self._pool.submit(draw, request)

    def take(self, request: NoiseRequest) -> tuple[Calibration, list[int]]:
        """The calibration and noise for ``request``: the draw made ahead, or a fresh one."""
        with self._lock:
            future = self._pending.pop(request, None)
        if future is None:
            return draw(request)
        return future.result()

    @property
    def pending(self) -> int:
        """Draws made ahead and not taken (tests; a release leaves none when all were used)."""
        with self._lock:
            return len(self._pending)


def add(values: list[int], noise: list[int]) -> list[int]:
    """``values + noise`` elementwise, exactly (Python integers)."""
    if len(values) != len(noise):
        raise ValueError(f"{len(values)} values but {len(noise)} noise draws")
    return [int(v) + int(z) for v, z in zip(values, noise, strict=True)]
