"""Differentially private statistics per vendor, with a durable budget ledger and a planner.

Only :mod:`craftveil.dp.mechanisms` imports OpenDP. Entry points: :func:`compute_statistics`
(one release, ledger-guarded, stored values returned on re-runs), :func:`plan` (accuracy before
spending) and :class:`Ledger` (the SQLite budget ledger).
"""

from craftveil.dp.budget import Allocation, allocate
from craftveil.dp.ledger import Ledger, Reservation, SpendingRow
from craftveil.dp.planner import PlanReport, StatisticPlan, plan
from craftveil.dp.results import DPResult, DPValue, StatisticResult
from craftveil.dp.statistics import compute_statistics

__all__ = [
    "Allocation",
    "DPResult",
    "DPValue",
    "Ledger",
    "PlanReport",
    "Reservation",
    "SpendingRow",
    "StatisticPlan",
    "StatisticResult",
    "allocate",
    "compute_statistics",
    "plan",
]
