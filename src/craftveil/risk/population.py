"""Population uniqueness estimated from the sample: Pitman, Zayatz and Dankar's decision rule.

Inputs are the class-size histogram (how many classes have 1, 2, ... members) and the sampling
fraction n / N. The models are the ones ARX implements:

* Pitman (Hoshino 2001): fit the Pitman sampling formula's (theta, alpha) by maximum likelihood
  and estimate population uniques as Gamma(theta+1) / Gamma(theta+alpha) * N^alpha.
* Zayatz (1991): the share of sample uniques that are population uniques, from hypergeometric
  probabilities of drawing a class of each size once, divided by the sampling fraction.
* Dankar et al. (2012) choose: Pitman when the sampling fraction is <= 10% (Zayatz if Pitman does
  not converge); above 10% ARX compares SNB and Zayatz — SNB is not implemented here, so Zayatz
  is used (stated in the result).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from craftveil.risk.frequency import IntArray


def _pitman(sizes: IntArray, counts: IntArray, n: int, population: int) -> float:
    from scipy import optimize, special  # imported here: scipy costs ~1 s at start-up

    u = float(counts.sum())
    c1 = float(counts[sizes == 1].sum())
    c2 = float(counts[sizes == 2].sum()) or 1.0
    c = c1 * (c1 - 1) / c2
    t0 = (n * u * c - c1 * (n - 1) * (2 * u + c)) / (2 * c1 * u + c1 * c - n * c)
    a0 = (t0 * (c1 - n) + (n - 1) * c1) / (n * u)
    big = sizes > 1

    def score(x: Any) -> list[float]:
        t, a = float(x[0]), float(x[1])
        s1 = (special.digamma(t / a + u) - special.digamma(t / a + 1)) / a
        o1 = s1 - (special.digamma(n + t) - special.digamma(t + 1))
        o3 = (u - 1) / a - (t / a) * s1
        o4 = float(np.sum(counts[big] * (special.digamma(sizes[big] - a) - special.digamma(1 - a))))
        return [float(o1), float(o3 - o4)]

    try:
        solution = optimize.root(score, [t0, a0], method="hybr")
    except (ValueError, FloatingPointError, ZeroDivisionError):
        return math.nan
    t, a = solution.x
    if not solution.success or not (0 < a < 1) or t <= -a:
        return math.nan
    value = math.exp(special.gammaln(t + 1) - special.gammaln(t + a) + a * math.log(population))
    return value if 0 <= value <= population else math.nan


def _zayatz(sizes: IntArray, counts: IntArray, n: int, population: int) -> float:
    from scipy import stats

    classes = counts.sum()
    c1 = float(counts[sizes == 1].sum())
    probability = stats.hypergeom(population, sizes, n).pmf(1)
    denominator = float(np.sum(counts / classes * probability))
    single = float(stats.hypergeom(population, 1, n).pmf(1))
    conditional = (c1 / classes) * single / denominator if denominator else 0.0
    return c1 * conditional / (n / population)


def population_uniqueness(class_sizes: IntArray, population: int) -> dict[str, Any]:
    """Estimated share of the population that is unique on the QIs, per model and by Dankar."""
    n = int(class_sizes.sum())
    sizes, counts = np.unique(class_sizes, return_counts=True)
    out: dict[str, Any] = {"population_size": population, "sampling_fraction": n / population}
    if not (sizes == 1).any():
        return out | {"pitman": 0.0, "zayatz": 0.0, "dankar": 0.0, "dankar_model": "none"}
    pitman = _pitman(sizes, counts, n, population) if population > n else math.nan
    zayatz = _zayatz(sizes, counts, n, population)
    use_pitman = n / population <= 0.1 and not math.isnan(pitman) and pitman > 0
    chosen = pitman if use_pitman else zayatz
    return out | {
        "pitman": None if math.isnan(pitman) else pitman / population,
        "zayatz": zayatz / population,
        "dankar": chosen / population,
        "dankar_model": "pitman" if use_pitman else "zayatz (SNB not implemented)",
    }
