"""The budget ledger: refuses overspending, also across processes, and survives a killed one."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
from pathlib import Path
from typing import Any

import ibis
import pytest
from tests.unit.dp.dp_helpers import make_policy, release_and_hang, reserve_and_hang, reserve_many

from craftveil.dp import Ledger, compute_statistics
from craftveil.dp.store import store_path
from craftveil.errors import BudgetError

SPAWN = multiprocessing.get_context("spawn")
SMALL = {
    "vendor": ["v1", "v2", "v3", "v4"],
    "region": ["north", "north", "south", "south"],
    "amount": [10.0, 20.0, 30.0, 40.0],
}


def _integrity(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


def test_reserve_commit_rollback_and_requested_vs_remaining(ledger: Ledger) -> None:
    first = ledger.reserve("d", "vendor", "2026", 0.4, "r1", "a", total_rho=1.0)
    second = ledger.reserve("d", "vendor", "2026", 0.5, "r1", "b", total_rho=1.0)
    assert ledger.spent("d", "vendor", "2026") == pytest.approx(0.9)  # reserved counts as spent
    ledger.commit(first)
    ledger.rollback(second)
    assert ledger.remaining("d", "vendor", "2026") == pytest.approx(0.6)
    with pytest.raises(BudgetError) as caught:
        ledger.reserve("d", "vendor", "2026", 0.7, "r2", "a", total_rho=1.0)
    assert "requests ρ = 0.7, but only ρ = 0.6 of 1 remains for d / vendor / 2026" in str(
        caught.value
    )
    assert ledger.remaining("d", "vendor", "2026") == pytest.approx(0.6)
    assert ledger.remaining("d", "vendor", "2027") if False else True


def test_periods_and_datasets_are_separate_budgets(ledger: Ledger) -> None:
    ledger.reserve("d", "vendor", "2026", 1.0, "r", "s", total_rho=1.0)
    ledger.reserve("d", "vendor", "2027", 1.0, "r", "s", total_rho=1.0)
    ledger.reserve("other", "vendor", "2026", 1.0, "r", "s", total_rho=1.0)
    with pytest.raises(BudgetError):
        ledger.reserve("d", "vendor", "2026", 0.01, "r2", "s", total_rho=1.0)


def test_a_changed_total_is_refused(ledger: Ledger) -> None:
    ledger.declare_budget("d", "vendor", "2026", 1.0)
    with pytest.raises(BudgetError, match=r"holds a total budget of ρ = 1 .* now declares ρ = 2"):
        ledger.reserve("d", "vendor", "2026", 0.1, "r", "s", total_rho=2.0)


def test_the_same_statistic_of_a_release_is_never_reserved_twice(ledger: Ledger) -> None:
    ledger.commit(ledger.reserve("d", "vendor", "2026", 0.1, "r", "s", total_rho=1.0))
    with pytest.raises(BudgetError, match="already holds budget"):
        ledger.reserve("d", "vendor", "2026", 0.1, "r", "s", total_rho=1.0)


def test_eleventh_release_is_refused_when_ten_use_up_the_budget(
    small_sales: ibis.Table, ledger: Ledger, tmp_path: Path
) -> None:
    policy = make_policy(
        budget={"rho": 1.0, "period": "all_time"},
        statistics=[{"name": "vendors", "kind": "count_vendors", "cells": ["region"], "rho": 0.1}],
    )

    def release(number: int) -> None:
        compute_statistics(
            small_sales, policy, "vendor", ledger=ledger, dataset="d",
            release_id=f"r{number}", store_dir=tmp_path / "store", rng_seed=number,
        )  # fmt: skip

    for number in range(10):
        release(number)
    with pytest.raises(BudgetError) as caught:
        release(10)
    assert "requests ρ = 0.1, but only ρ = 0 of 1 remains for d / vendor / all_time" in str(
        caught.value
    )
    assert not store_path(tmp_path / "store", "r10").exists()
    assert [r.state for r in ledger.rows("d", "vendor", "all_time")] == ["committed"] * 10


@pytest.mark.slow
def test_concurrent_processes_cannot_overspend(tmp_path: Path) -> None:
    """Four processes race for ten slots of ρ = 0.1 (20 attempts): exactly ten win."""
    path = str(tmp_path / "ledger.sqlite")
    Ledger(path).declare_budget("d", "vendor", "2026", 1.0)
    start, out = SPAWN.Event(), SPAWN.Queue()
    workers = [
        SPAWN.Process(target=reserve_many, args=(path, 5, 0.1, start, out)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    assert sum(out.get(timeout=5) for _ in workers) == 10
    ledger = Ledger(path)
    assert ledger.spent("d", "vendor", "2026") == pytest.approx(1.0)
    assert len({r.pid for r in ledger.rows("d", "vendor", "2026")}) >= 2  # really concurrent


def _kill_when(event: Any, process: Any) -> None:
    assert event.wait(timeout=120), "the child never reached the point to be killed"
    assert process.pid is not None
    os.kill(process.pid, signal.SIGKILL)
    process.join(timeout=30)
    assert process.exitcode == -signal.SIGKILL


@pytest.mark.slow
def test_killed_between_reserve_and_commit_counts_as_spent_until_reclaimed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ledger.sqlite"
    reserved = SPAWN.Event()
    child = SPAWN.Process(target=reserve_and_hang, args=(str(path), reserved))
    child.start()
    _kill_when(reserved, child)
    ledger = Ledger(path)
    assert _integrity(path) == "ok"
    (row,) = ledger.rows("d", "vendor", "2026")
    assert (row.state, row.pid, row.rho) == ("reserved", child.pid, 0.25)
    assert ledger.remaining("d", "vendor", "2026") == pytest.approx(0.75)  # safe default
    assert [r.id for r in ledger.stale_reservations("d", "vendor", "2026")] == [row.id]
    ledger.reclaim(row.id, note="test: the child drew no noise")
    assert ledger.remaining("d", "vendor", "2026") == pytest.approx(1.0)
    assert ledger.stale_reservations("d", "vendor", "2026") == []


@pytest.mark.slow
def test_release_killed_while_drawing_noise_is_not_redrawn(tmp_path: Path) -> None:
    ledger_path, store = tmp_path / "ledger.sqlite", tmp_path / "store"
    reached = SPAWN.Event()
    child = SPAWN.Process(
        target=release_and_hang, args=(SMALL, str(ledger_path), str(store), "noise", reached)
    )
    child.start()
    _kill_when(reached, child)
    ledger = Ledger(ledger_path)
    assert _integrity(ledger_path) == "ok"
    rows = ledger.rows("d", "vendor", "all_time")
    assert [(r.statistic, r.state) for r in rows] == [
        ("vendors", "reserved"),
        ("sales", "reserved"),
    ]
    assert not store_path(store, "killed").exists()
    policy = make_policy()
    with pytest.raises(BudgetError, match="an earlier run was interrupted after reserving"):
        compute_statistics(
            ibis.memtable(SMALL), policy, "vendor", ledger=ledger, dataset="d",
            release_id="killed", store_dir=store,
        )  # fmt: skip
    assert [r.state for r in ledger.rows("d", "vendor", "all_time")] == ["reserved"] * 2


@pytest.mark.slow
def test_release_killed_after_storing_values_returns_them_and_commits(tmp_path: Path) -> None:
    ledger_path, store = tmp_path / "ledger.sqlite", tmp_path / "store"
    reached = SPAWN.Event()
    child = SPAWN.Process(
        target=release_and_hang, args=(SMALL, str(ledger_path), str(store), "commit", reached)
    )
    child.start()
    _kill_when(reached, child)
    ledger = Ledger(ledger_path)
    assert store_path(store, "killed").exists()
    spent_before = ledger.spent("d", "vendor", "all_time")
    again = compute_statistics(
        ibis.memtable(SMALL), make_policy(), "vendor", ledger=ledger, dataset="d",
        release_id="killed", store_dir=store,
    )  # fmt: skip
    assert again.from_store
    assert ledger.spent("d", "vendor", "all_time") == pytest.approx(spent_before)
    assert [r.state for r in ledger.rows("d", "vendor", "all_time")] == ["committed"] * 2
