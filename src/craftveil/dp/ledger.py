"""The durable privacy-budget ledger: SQLite, one row per reservation, reserve → commit/rollback.

No DP library keeps a budget across processes (DP_NOTES.md), so craftveil keeps its own, in the
spirit of Tumult Analytics' single budget check that states requested vs remaining. The ledger
is keyed by (dataset, privacy unit, period) and counts privacy loss in zCDP ρ, which adds up
under composition (Bun & Steinke 2016).

Concurrency: every reservation runs in one ``BEGIN IMMEDIATE`` transaction, which takes SQLite's
write lock before reading what is spent, so two processes can never both see the same remaining
budget. A unique index makes a second *active* reservation of the same statistic of the same
release impossible.

Interrupted releases — the documented rule: a reservation is ``reserved`` until its release
commits or rolls it back. A reservation left ``reserved`` by a process that died (its pid and
host are recorded) **still counts as spent** until a steward reclaims it explicitly with
:meth:`Ledger.reclaim`. Why: the process may have drawn — and shown, logged or written — the noisy
values before it died; releasing the budget automatically would allow a fresh draw of the same
statistic, which is exactly the averaging attack the ledger exists to prevent.
:meth:`Ledger.stale_reservations` lists the candidates (reserved by a pid that is gone).
"""

from __future__ import annotations

import os
import socket
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from craftveil.errors import BudgetError, InternalError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS budget (
    dataset TEXT NOT NULL, privacy_unit TEXT NOT NULL, period TEXT NOT NULL,
    total_rho REAL NOT NULL CHECK (total_rho > 0), declared_at TEXT NOT NULL,
    PRIMARY KEY (dataset, privacy_unit, period));
CREATE TABLE IF NOT EXISTS spending (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset TEXT NOT NULL, privacy_unit TEXT NOT NULL, period TEXT NOT NULL,
    release_id TEXT NOT NULL, statistic TEXT NOT NULL, rho REAL NOT NULL CHECK (rho > 0),
    state TEXT NOT NULL CHECK (state IN ('reserved', 'committed', 'rolled_back', 'reclaimed')),
    pid INTEGER NOT NULL, host TEXT NOT NULL, reserved_at TEXT NOT NULL,
    settled_at TEXT, note TEXT NOT NULL DEFAULT '');
CREATE UNIQUE INDEX IF NOT EXISTS one_active_spending
    ON spending (dataset, privacy_unit, period, release_id, statistic)
    WHERE state IN ('reserved', 'committed');
"""
_ACTIVE = "state IN ('reserved', 'committed')"
_TOLERANCE = 1e-12


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Reservation:
    """Budget held for one statistic of one release until committed or rolled back."""

    id: int
    dataset: str
    privacy_unit: str
    period: str
    rho: float
    release_id: str
    statistic: str


@dataclass(frozen=True)
class SpendingRow:
    """One row of the ledger, for reports and for reclaiming stale reservations."""

    id: int
    release_id: str
    statistic: str
    rho: float
    state: str
    pid: int
    host: str
    reserved_at: str


class Ledger:
    """A SQLite privacy-budget ledger at ``path`` (created on first use)."""

    def __init__(self, path: Path | str, *, timeout_seconds: float = 60.0) -> None:
        self.path = Path(path)
        self.timeout_seconds = timeout_seconds
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as connection:
            connection.executescript(_SCHEMA)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.path, timeout=self.timeout_seconds, isolation_level=None)
        try:
            yield connection
        finally:
            connection.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connection() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def declare_budget(self, dataset: str, unit: str, period: str, total_rho: float) -> None:
        """Record the period's total ρ; a different total for an existing period is refused."""
        with self._transaction() as connection:
            self._declare(connection, dataset, unit, period, total_rho)

    @staticmethod
    def _declare(
        connection: sqlite3.Connection, dataset: str, unit: str, period: str, total_rho: float
    ) -> float:
        row = connection.execute(
            "SELECT total_rho FROM budget WHERE dataset=? AND privacy_unit=? AND period=?",
            (dataset, unit, period),
        ).fetchone()
        if row is None:
            connection.execute(
                "INSERT INTO budget VALUES (?, ?, ?, ?, ?)",
                (dataset, unit, period, total_rho, _now()),
            )
            return total_rho
        stored = float(row[0])
        if abs(stored - total_rho) > _TOLERANCE * max(stored, total_rho):
            raise BudgetError(
                f"the ledger holds a total budget of ρ = {stored:.6g} for {dataset} / {unit} / "
                f"{period}, but the policy now declares ρ = {total_rho:.6g}",
                what_would_help=[
                    "restore the policy's budget for this period, or",
                    "change it deliberately with Ledger.set_total_budget (a governance decision)",
                ],
            )
        return stored

    def set_total_budget(self, dataset: str, unit: str, period: str, total_rho: float) -> None:
        """Change a period's total ρ on purpose (steward action; spent budget stays spent)."""
        with self._transaction() as connection:
            connection.execute(
                "INSERT INTO budget VALUES (?, ?, ?, ?, ?) ON CONFLICT "
                "(dataset, privacy_unit, period) DO UPDATE SET total_rho = excluded.total_rho",
                (dataset, unit, period, total_rho, _now()),
            )

    def reserve(
        self,
        dataset: str,
        unit: str,
        period: str,
        rho: float,
        release_id: str,
        statistic: str,
        *,
        total_rho: float | None = None,
    ) -> Reservation:
        """Hold ρ for one statistic; BudgetError (requested vs remaining) if it would overspend."""
        (reservation,) = self.reserve_many(
            dataset, unit, period, [(statistic, rho)], release_id, total_rho=total_rho
        )
        return reservation

    def reserve_many(
        self,
        dataset: str,
        unit: str,
        period: str,
        requests: Sequence[tuple[str, float]],
        release_id: str,
        *,
        total_rho: float | None = None,
    ) -> list[Reservation]:
        """Hold ρ for several statistics of one release in ONE transaction: all or nothing."""
        if not requests or any(not rho > 0 for _, rho in requests):
            raise BudgetError(f"requested ρ must be positive, got {list(requests)}")
        asked = sum(rho for _, rho in requests)
        names = [name for name, _ in requests]
        what = (
            f"statistic {names[0]!r} of release {release_id!r}"
            if len(names) == 1
            else f"release {release_id!r} (statistics {', '.join(names)})"
        )
        with self._transaction() as connection:
            if total_rho is not None:
                total = self._declare(connection, dataset, unit, period, total_rho)
            else:
                total = self._total(connection, dataset, unit, period)
            remaining = total - self._spent(connection, dataset, unit, period)
            if remaining < _TOLERANCE * total:
                remaining = 0.0
            if asked > remaining + _TOLERANCE * total:
                raise BudgetError(
                    f"{what} requests ρ = {asked:.6g}, but only ρ = {remaining:.6g} of "
                    f"{total:.6g} remains for {dataset} / {unit} / {period}",
                    what_would_help=[
                        "wait for the next period",
                        "release fewer statistics or give them smaller shares",
                    ],
                )
            return [
                self._insert(connection, dataset, unit, period, release_id, name, rho)
                for name, rho in requests
            ]

    @staticmethod
    def _insert(
        connection: sqlite3.Connection,
        dataset: str,
        unit: str,
        period: str,
        release_id: str,
        statistic: str,
        rho: float,
    ) -> Reservation:
        try:
            cursor = connection.execute(
                "INSERT INTO spending (dataset, privacy_unit, period, release_id, statistic, "
                "rho, state, pid, host, reserved_at) VALUES (?, ?, ?, ?, ?, ?, 'reserved', "
                "?, ?, ?)",
                (dataset, unit, period, release_id, statistic, rho, os.getpid(),
                 socket.gethostname(), _now()),
            )  # fmt: skip
        except sqlite3.IntegrityError as error:
            raise BudgetError(
                f"statistic {statistic!r} of release {release_id!r} already holds budget in "
                f"{dataset} / {unit} / {period} (reserved or committed): its noise may have "
                "been drawn, so it is never drawn again",
                what_would_help=[
                    "re-run with the stored values of that release, or use a new release id",
                    "if an interrupted run surely published nothing: Ledger.reclaim(id)",
                ],
            ) from error
        if cursor.lastrowid is None:
            raise InternalError("SQLite returned no row id for a reservation")
        return Reservation(cursor.lastrowid, dataset, unit, period, rho, release_id, statistic)

    def commit(self, *reservations: Reservation) -> None:
        """Mark reservations spent for good (after the release's values were written)."""
        self._settle([r.id for r in reservations], "committed", ("reserved", "committed"))

    def rollback(self, *reservations: Reservation) -> None:
        """Give the budget back: the release failed before any noisy value left the process."""
        self._settle([r.id for r in reservations], "rolled_back", ("reserved",))

    def reclaim(self, reservation_id: int, note: str) -> None:
        """Steward action: free a stale reservation whose noise surely was never seen."""
        self._settle([reservation_id], "reclaimed", ("reserved",), note=note)

    def _settle(
        self, row_ids: list[int], state: str, from_states: tuple[str, ...], note: str = ""
    ) -> None:
        with self._transaction() as connection:
            for row_id in row_ids:
                row = connection.execute(
                    "SELECT state FROM spending WHERE id=?", (row_id,)
                ).fetchone()
                if row is None or row[0] not in from_states:
                    found = "no such reservation" if row is None else f"it is {row[0]}"
                    raise BudgetError(f"cannot mark ledger row {row_id} {state}: {found}")
                connection.execute(
                    "UPDATE spending SET state=?, settled_at=?, note=? WHERE id=?",
                    (state, _now(), note, row_id),
                )

    @staticmethod
    def _total(connection: sqlite3.Connection, dataset: str, unit: str, period: str) -> float:
        row = connection.execute(
            "SELECT total_rho FROM budget WHERE dataset=? AND privacy_unit=? AND period=?",
            (dataset, unit, period),
        ).fetchone()
        if row is None:
            raise BudgetError(
                f"no budget is declared in the ledger for {dataset} / {unit} / {period}",
                what_would_help=["declare the period's budget in the policy's dp.budget"],
            )
        return float(row[0])

    @staticmethod
    def _spent(connection: sqlite3.Connection, dataset: str, unit: str, period: str) -> float:
        row = connection.execute(
            f"SELECT COALESCE(SUM(rho), 0) FROM spending WHERE dataset=? AND privacy_unit=? "
            f"AND period=? AND {_ACTIVE}",
            (dataset, unit, period),
        ).fetchone()
        return float(row[0])

    def spent(self, dataset: str, unit: str, period: str) -> float:
        """ρ spent or held (committed + reserved, stale reservations included)."""
        with self._connection() as connection:
            return self._spent(connection, dataset, unit, period)

    def remaining(self, dataset: str, unit: str, period: str) -> float:
        """ρ still available in the period (total − spent)."""
        with self._connection() as connection:
            total = self._total(connection, dataset, unit, period)
            return total - self._spent(connection, dataset, unit, period)

    def rows(self, dataset: str, unit: str, period: str) -> list[SpendingRow]:
        """Every ledger row of the period, oldest first."""
        with self._connection() as connection:
            found = connection.execute(
                "SELECT id, release_id, statistic, rho, state, pid, host, reserved_at "
                "FROM spending WHERE dataset=? AND privacy_unit=? AND period=? ORDER BY id",
                (dataset, unit, period),
            ).fetchall()
        return [SpendingRow(*row) for row in found]

    def release_rows(
        self, dataset: str, unit: str, period: str, release_id: str
    ) -> list[SpendingRow]:
        """Rows of one release (used to detect an interrupted earlier run)."""
        return [r for r in self.rows(dataset, unit, period) if r.release_id == release_id]

    def stale_reservations(self, dataset: str, unit: str, period: str) -> list[SpendingRow]:
        """Reservations still held by a process of this host that no longer runs."""
        host = socket.gethostname()
        return [
            r
            for r in self.rows(dataset, unit, period)
            if r.state == "reserved" and r.host == host and not _pid_alive(r.pid)
        ]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
