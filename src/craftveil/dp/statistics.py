"""``compute_statistics``: one DP release of the policy's statistics, with the ledger.

The order is what makes it safe (ARCHITECTURE.md, "Differential privacy"):

1. stored values of this release id → returned as they are; nothing is spent or drawn again;
2. check the declaration and the data (budget split, column types, taxonomy keys, δ < 1/vendors)
   and bound everything in the engine — any problem raises before a single ρ is reserved;
3. reserve every statistic's ρ in the ledger (one transaction: all or nothing);
4. choose bounds privately where the policy asks (a tenth of that statistic's ρ), choose the
   cells privately where the keys are private (craftveil.dp.selection: part of the statistic's ρ
   and its share of the selection δ), draw the noise and write the values next to the release
   (atomically) — the selected cells are stored with them, so a re-run returns the same cells;
5. commit the reservations. A failure in 4 rolls them back: no value left the process.

The noise of statistics with public keys and declared bounds is drawn on a background pool
while step 2 runs (craftveil.dp.draws: the mechanisms add data-independent noise, so drawing it
first is the same mechanism); it is added to the data only after step 3, and a run that fails
before that discards it unused.

A process killed between 3 and 5 leaves ``reserved`` rows, which count as spent until a steward
reclaims them (see ``craftveil.dp.ledger``); re-running the same release id is then refused unless
its values were already stored, in which case they are returned and the rows committed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import ibis

from craftveil.dp import budget, calibration, store
from craftveil.dp.bounding import BoundedCells, bound_all, integer_bounds, new_salt
from craftveil.dp.checks import (
    check_keys_and_vendors,
    check_schema,
    check_supported,
    placeholder_bounds,
)
from craftveil.dp.draws import NoiseDraws
from craftveil.dp.ledger import Ledger, Reservation
from craftveil.dp.noise import noise_requests, noisy_values, selected_counts
from craftveil.dp.private_bounds import CHOICE_SHARE, choose_bounds
from craftveil.dp.results import DPResult, StatisticResult
from craftveil.dp.selection import SELECTION_SHARE, plan_selection, select_cells
from craftveil.errors import BudgetError
from craftveil.journal import Journal
from craftveil.policy.dp import DPBounds, DPPolicy, DPStatistic

_NOISE_THREADS = 2
CALIBRATION_FILE = "dp-calibrations.json"
"""Calibration cache written next to the ledger (see craftveil.dp.calibration)."""


def compute_statistics(
    source: ibis.Table,
    policy: DPPolicy,
    vendor_column: str,
    *,
    ledger: Ledger,
    dataset: str,
    release_id: str,
    store_dir: Path,
    rng_seed: int | None = None,
    when: date | None = None,
    journal: Journal | None = None,
) -> DPResult:
    """Release the policy's DP statistics of ``source`` once; later calls return the stored values.

    ``rng_seed`` fixes only the L0 cell choice (for tests); the noise always comes from OpenDP's
    cryptographically seeded samplers. ``when`` picks the budget period (default: today, UTC).
    """
    unit = policy.privacy_unit
    period = policy.period_label(when or datetime.now(UTC).date())
    fingerprint = store.fingerprint(policy, dataset, vendor_column)
    stored = store.load(store_dir, release_id, fingerprint)
    if stored is not None:
        _settle_interrupted(ledger, dataset, unit, period, release_id)
        if journal is not None:
            journal.add(
                "dp",
                f"DP statistics of release {release_id} returned from the store; no budget spent.",
                release_id=release_id,
            )
        return stored
    earlier = [
        r
        for r in ledger.release_rows(dataset, unit, period, release_id)
        if r.state in {"reserved", "committed"}
    ]
    if earlier:
        raise BudgetError(
            f"release {release_id!r} already holds budget in the ledger "
            f"({len(earlier)} statistics, states {sorted({r.state for r in earlier})}) but its "
            "values are not in the store: an earlier run was interrupted after reserving",
            what_would_help=[
                "use a new release id (the held budget stays spent), or",
                "if that run surely published nothing, reclaim its rows with Ledger.reclaim",
            ],
        )

    cache_file = ledger.path.parent / CALIBRATION_FILE
    calibration.load(cache_file)
    check_supported(policy)
    allocation = budget.allocate(policy)
    check_schema(source, policy, vendor_column)
    run = _Run(
        source, policy, vendor_column, ledger, dataset, release_id, period, store_dir,
        fingerprint, cache_file, journal,
    )  # fmt: skip
    with ThreadPoolExecutor(max_workers=_NOISE_THREADS) as pool:
        draws = NoiseDraws(pool)
        _prefetch(draws, policy, allocation)
        try:
            return _release_all(run, allocation, draws, new_salt(rng_seed))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class _Run:
    """What one call of compute_statistics works on."""

    source: ibis.Table
    policy: DPPolicy
    vendor_column: str
    ledger: Ledger
    dataset: str
    release_id: str
    period: str
    store_dir: Path
    fingerprint: str
    cache_file: Path
    journal: Journal | None


def _prefetch(draws: NoiseDraws, policy: DPPolicy, allocation: budget.Allocation) -> None:
    """Start drawing the noise that does not depend on the data: public keys, declared bounds."""
    for stat in policy.statistics:
        if stat.keys != "public" or not isinstance(stat.bounds, DPBounds):
            continue
        cells = math.prod(len(policy.taxonomy[c]) for c in stat.cells)
        limits = integer_bounds(stat)
        rho = allocation.per_statistic[stat.name]
        for request in noise_requests(policy, stat, limits, rho, cells).values():
            draws.prefetch(request)


def _release_all(
    run: _Run, allocation: budget.Allocation, draws: NoiseDraws, salt: str
) -> DPResult:
    """Steps 2–5 of the module docstring (the noise may already be drawing on ``draws``)."""
    policy, ledger = run.policy, run.ledger
    checked = [placeholder_bounds(s) for s in policy.statistics]
    everything = bound_all(run.source, checked, run.vendor_column, salt)
    check_keys_and_vendors(everything, policy)

    def release(stat: DPStatistic) -> StatisticResult:
        return _release_statistic(
            run.source, policy, stat, run.vendor_column, salt, allocation,
            everything.statistics, draws,
        )  # fmt: skip

    reservations = _reserve_all(ledger, policy, allocation, run.dataset, run.period, run.release_id)
    try:
        results = _map_statistics(release, policy)
        spent = sum(r.rho for r in reservations)
        spent_delta = sum(r.delta for r in reservations)
        result = DPResult(
            run.release_id, run.dataset, policy.privacy_unit, run.period, spent,
            allocation.epsilon(spent), allocation.reported_delta(spent_delta), results,
            delta_spent=spent_delta,
        )  # fmt: skip
        store.save(run.store_dir, result, run.fingerprint)
    except BaseException:
        ledger.rollback(*reservations)
        raise
    ledger.commit(*reservations)
    calibration.save(run.cache_file)
    if run.journal is not None:
        _journal(run.journal, result)
        for warning in policy.warnings():
            run.journal.add("dp", f"Warning: {warning}.", warning=warning)
    return result


def _map_statistics(
    release: Callable[[DPStatistic], StatisticResult], policy: DPPolicy
) -> list[StatisticResult]:
    """Release every statistic, in declaration order — the noise of several in parallel.

    OpenDP's samplers run in its Rust library and ctypes releases the GIL around the call, so
    two statistics' noise is drawn on two cores (measured: ~30 % of the noise time saved). Only
    when no statistic chooses its bounds privately: that runs engine queries, which share one
    connection and stay on this thread.
    """
    if len(policy.statistics) < 2 or any(
        not isinstance(s.bounds, DPBounds) for s in policy.statistics
    ):
        return [release(stat) for stat in policy.statistics]
    with ThreadPoolExecutor(max_workers=_NOISE_THREADS) as pool:
        return list(pool.map(release, policy.statistics))


def _release_statistic(
    source: ibis.Table,
    policy: DPPolicy,
    stat: DPStatistic,
    vendor_column: str,
    salt: str,
    allocation: budget.Allocation,
    bounded: dict[str, BoundedCells],
    draws: NoiseDraws,
) -> StatisticResult:
    """Noise for one statistic (choosing its bounds first when the policy asks for it)."""
    rho = allocation.per_statistic[stat.name]
    noise_rho = rho
    chosen = not isinstance(stat.bounds, DPBounds)
    if chosen:
        cells = math.prod(len(policy.taxonomy[c]) for c in stat.cells)
        choice_rho = rho * CHOICE_SHARE
        bounds = choose_bounds(source, stat, vendor_column, salt, choice_rho, cells)
        stat = stat.model_copy(update={"bounds": bounds})
        bounded = bound_all(source, [stat], vendor_column, salt).statistics
        noise_rho = rho - choice_rho
    limits = integer_bounds(stat)
    delta = allocation.per_statistic_delta.get(stat.name, 0.0)
    summary: dict[str, float] | None = None
    if stat.keys == "private":
        selection_rho = rho if stat.kind == "count_vendors" else noise_rho * SELECTION_SHARE
        plan = plan_selection(limits.cells_per_vendor, selection_rho, delta)
        selection = select_cells(bounded[stat.name], list(stat.cells), plan)
        summary = selection.summary()
        if stat.kind == "count_vendors":
            values, calibration = selected_counts(stat, selection.cells, plan.noise_scale)
        else:
            values, calibration = noisy_values(
                policy, stat, bounded[stat.name], limits, noise_rho - selection_rho,
                selection.cells, draws,
            )  # fmt: skip
    else:
        values, calibration = noisy_values(
            policy, stat, bounded[stat.name], limits, noise_rho, draws=draws
        )
    declared = stat.bounds if isinstance(stat.bounds, DPBounds) else DPBounds()
    return StatisticResult(
        stat.name, stat.kind, policy.mechanism, rho, allocation.epsilon(rho),
        calibration.scale, limits.sensitivity, limits.cells_per_vendor,
        stat.money_minor_units, bounded[stat.name].impact, values,
        bounds={"lower": declared.lower, "upper": declared.upper,
                "max_cells_per_vendor": declared.max_cells_per_vendor},
        bounds_chosen_privately=chosen, keys=stat.keys, delta=delta,
        cell_columns=list(stat.cells), selection=summary,
    )  # fmt: skip


def _reserve_all(
    ledger: Ledger,
    policy: DPPolicy,
    allocation: budget.Allocation,
    dataset: str,
    period: str,
    release_id: str,
) -> list[Reservation]:
    """Every statistic's ρ (and selection δ) in one ledger transaction: all reserved, or none."""
    requests = [
        (s.name, allocation.per_statistic[s.name], allocation.per_statistic_delta.get(s.name, 0.0))
        for s in policy.statistics
    ]
    return ledger.reserve_many(
        dataset, policy.privacy_unit, period, requests, release_id,
        total_rho=allocation.total_rho, total_delta=allocation.total_selection_delta,
    )  # fmt: skip


def _settle_interrupted(ledger: Ledger, dataset: str, unit: str, period: str, release: str) -> None:
    """Values were stored but the run died before committing: the rows are spent — commit them."""
    for row in ledger.release_rows(dataset, unit, period, release):
        if row.state == "reserved":
            ledger.commit(
                Reservation(
                    row.id, dataset, unit, period, row.rho, release, row.statistic, row.delta
                )
            )


def _journal(journal: Journal, result: DPResult) -> None:
    journal.add(
        "dp",
        f"Released {len(result.statistics)} differentially private statistics per vendor, "
        f"spending ρ = {result.rho_spent:.4g} (ε = {result.epsilon:.3g} at δ = {result.delta:g}) "
        f"of the {result.period} budget.",
        release_id=result.release_id,
        rho=result.rho_spent,
        epsilon=result.epsilon,
        delta=result.delta,
        period=result.period,
    )
    for stat in result.statistics:
        if stat.selection is not None:
            journal.add(
                "dp",
                f"{stat.name}: cells chosen by private partition selection (keys: private) — "
                f"{int(stat.selection['selected_cells'])} kept whose noisy vendor count reached "
                f"{int(stat.selection['threshold'])} (noise scale "
                f"{stat.selection['noise_scale']:.4g}; ρ = {stat.selection['rho']:.4g}, "
                f"δ = {stat.selection['delta']:.3g}); the other cells are not published.",
                statistic=stat.name,
                selection=stat.selection,
            )
        withheld = sum(1 for v in stat.values if v.value is None)
        journal.add(
            "dp",
            f"{stat.name}: {stat.kind} with {stat.mechanism} noise of scale {stat.noise_scale:.4g} "
            f"(ρ = {stat.rho:.4g}); {withheld} of {len(stat.values)} cells withheld (CV ≥ 100 % "
            f"or ≤ 0); bounding changed {stat.bounding.share_vendors_clipped:.0%} of vendors and "
            f"removed {stat.bounding.share_total_clamped_away:.0%} of the total.",
            statistic=stat.name,
            rho=stat.rho,
            noise_scale=stat.noise_scale,
            cells=len(stat.values),
            withheld=withheld,
        )
