"""Helpers shared by the DP tests (a plain module, so test files can import it by name)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from craftveil.policy.dp import DPPolicy


def make_policy(**overrides: Any) -> DPPolicy:
    """A valid small policy; ``overrides`` replace top-level keys."""
    data: dict[str, Any] = {
        "budget": {"epsilon": 1.0, "delta": 1e-7, "period": "all_time"},
        "taxonomy": {"region": ["north", "south"]},
        "statistics": [
            {"name": "vendors", "kind": "count_vendors", "cells": ["region"]},
            {
                "name": "sales",
                "kind": "sum",
                "column": "amount",
                "cells": ["region"],
                "bounds": {"lower": 0, "upper": 100, "max_cells_per_vendor": 1},
                "money_minor_units": 100,
            },
        ],
    }
    data.update(overrides)
    return DPPolicy.model_validate(data)


def policy_with_mean(**overrides: Any) -> DPPolicy:
    """``make_policy`` plus ``average``: the mean of the amount per region (clamp 100.00)."""
    mean = {
        "name": "average", "kind": "mean", "column": "amount", "cells": ["region"],
        "bounds": {"upper": 100}, "money_minor_units": 100,
    }  # fmt: skip
    return make_policy(statistics=[*make_policy().model_dump()["statistics"], mean], **overrides)


# --- Workers run in separate processes (spawned: real, independent interpreters) -------------


def reserve_many(path: str, attempts: int, rho: float, start: Any, out: Any) -> None:
    """Try ``attempts`` reserve+commit cycles after ``start`` is set; put the successes on out."""
    from craftveil.dp import Ledger
    from craftveil.errors import BudgetError

    ledger = Ledger(path)
    start.wait()
    won = 0
    for attempt in range(attempts):
        try:
            reservation = ledger.reserve(
                "d", "vendor", "2026", rho, f"release-{os.getpid()}-{attempt}", "s", total_rho=1.0
            )
        except BudgetError:
            continue
        ledger.commit(reservation)
        won += 1
    out.put(won)


def reserve_and_hang(path: str, reserved: Any) -> None:
    """Reserve, signal the parent, then wait to be killed (SIGKILL) before committing."""
    from craftveil.dp import Ledger

    Ledger(path).reserve("d", "vendor", "2026", 0.25, "doomed", "s", total_rho=1.0)
    reserved.set()
    time.sleep(120)


def release_and_hang(
    data: dict[str, list[Any]], ledger_path: str, store: str, hang_in: str, reached: Any
) -> None:
    """Run compute_statistics but hang inside ``hang_in`` (noise or commit) until killed."""
    import ibis

    from craftveil.dp import Ledger, compute_statistics, statistics

    def hang(*args: Any, **kwargs: Any) -> Any:
        reached.set()
        time.sleep(120)

    if hang_in == "noise":
        statistics.noisy_values = hang  # type: ignore[assignment]
    else:
        Ledger.commit = hang  # type: ignore[method-assign]
    compute_statistics(
        ibis.memtable(data),
        make_policy(),
        "vendor",
        ledger=Ledger(ledger_path),
        dataset="d",
        release_id="killed",
        store_dir=Path(store),
    )
