"""The durable privacy-budget ledger: SQLite, one row per reservation, reserve → commit/rollback.

No DP library keeps a budget across processes (DP_NOTES.md), so craftveil keeps its own, in the
spirit of Tumult Analytics' single budget check that states requested vs remaining. The ledger
is keyed by (dataset, privacy unit, period) and counts privacy loss in zCDP ρ, which adds up
under composition (Bun & Steinke 2016). Private partition selection also spends δ (approximate
zCDP, Bun & Steinke 2016, §8: δs add up under composition), so each period has a second budget,
``total_delta``, and each row a ``delta``; both are checked in the same transaction and an
overspend of either is refused, stating requested vs remaining.

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
    total_delta REAL NOT NULL DEFAULT 0 CHECK (total_delta >= 0),
    PRIMARY KEY (dataset, privacy_unit, period));
CREATE TABLE IF NOT EXISTS spending (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset TEXT NOT NULL, privacy_unit TEXT NOT NULL, period TEXT NOT NULL,
    release_id TEXT NOT NULL, statistic TEXT NOT NULL, rho REAL NOT NULL CHECK (rho > 0),
    state TEXT NOT NULL CHECK (state IN ('reserved', 'committed', 'rolled_back', 'reclaimed')),
    pid INTEGER NOT NULL, host TEXT NOT NULL, reserved_at TEXT NOT NULL,
    settled_at TEXT, note TEXT NOT NULL DEFAULT '',
    delta REAL NOT NULL DEFAULT 0 CHECK (delta >= 0));
CREATE UNIQUE INDEX IF NOT EXISTS one_active_spending
    ON spending (dataset, privacy_unit, period, release_id, statistic)
    WHERE state IN ('reserved', 'committed');
"""
_MIGRATIONS = (
    # ledgers written before private partition selection: no δ columns (δ spent was 0)
    ("budget", "total_delta", "REAL NOT NULL DEFAULT 0 CHECK (total_delta >= 0)"),
    ("spending", "delta", "REAL NOT NULL DEFAULT 0 CHECK (delta >= 0)"),
)
_ACTIVE = "state IN ('reserved', 'committed')"
_TOLERANCE = 1e-12
_VERSION = 2


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
    delta: float = 0.0


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
    delta: float = 0.0


Request = tuple[str, float] | tuple[str, float, float]
"""(statistic, ρ) or (statistic, ρ, δ) — δ only for private partition selection."""


class Ledger:
    """A SQLite privacy-budget ledger at ``path`` (created on first use)."""

    def __init__(self, path: Path | str, *, timeout_seconds: float = 60.0) -> None:
        self.path = Path(path)
        self.timeout_seconds = timeout_seconds
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as connection:
            if connection.execute("PRAGMA user_version").fetchone()[0] < _VERSION:
                # one transaction (one fsync), and one process creates or migrates at a time
                connection.execute("BEGIN IMMEDIATE")
                try:
                    for statement in _SCHEMA.split(";"):
                        if statement.strip():
                            connection.execute(statement)
                    _migrate(connection)
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
                connection.execute("COMMIT")

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

    def declare_budget(
        self, dataset: str, unit: str, period: str, total_rho: float, total_delta: float = 0.0
    ) -> None:
        """Record the period's total ρ and selection δ; different totals are refused later."""
        with self._transaction() as connection:
            self._declare(connection, dataset, unit, period, total_rho, total_delta)

    @staticmethod
    def _declare(
        connection: sqlite3.Connection,
        dataset: str,
        unit: str,
        period: str,
        total_rho: float,
        total_delta: float | None,
    ) -> tuple[float, float]:
        row = connection.execute(
            "SELECT total_rho, total_delta FROM budget "
            "WHERE dataset=? AND privacy_unit=? AND period=?",
            (dataset, unit, period),
        ).fetchone()
        if row is None:
            connection.execute(
                "INSERT INTO budget (dataset, privacy_unit, period, total_rho, declared_at, "
                "total_delta) VALUES (?, ?, ?, ?, ?, ?)",
                (dataset, unit, period, total_rho, _now(), total_delta or 0.0),
            )
            return total_rho, total_delta or 0.0
        stored, stored_delta = float(row[0]), float(row[1])
        changed = abs(stored - total_rho) > _TOLERANCE * max(stored, total_rho)
        if total_delta is not None and not changed:
            changed = abs(stored_delta - total_delta) > _TOLERANCE * max(stored_delta, total_delta)
        if changed:
            with_delta = bool(stored_delta or total_delta)
            held = f"ρ = {stored:.6g}" + (
                f" and selection δ = {stored_delta:.3g}" if with_delta else ""
            )
            asked = f"ρ = {total_rho:.6g}" + (
                f" and selection δ = {total_delta or 0.0:.3g}" if with_delta else ""
            )
            raise BudgetError(
                f"the ledger holds a total budget of {held} for {dataset} / {unit} / {period}, "
                f"but the policy now declares {asked}",
                what_would_help=[
                    "restore the policy's budget for this period, or",
                    "change it deliberately with Ledger.set_total_budget (a governance decision)",
                ],
            )
        return stored, stored_delta

    def set_total_budget(
        self, dataset: str, unit: str, period: str, total_rho: float, total_delta: float = 0.0
    ) -> None:
        """Change a period's totals on purpose (steward action; spent budget stays spent)."""
        with self._transaction() as connection:
            connection.execute(
                "INSERT INTO budget (dataset, privacy_unit, period, total_rho, declared_at, "
                "total_delta) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT "
                "(dataset, privacy_unit, period) DO UPDATE SET total_rho = excluded.total_rho, "
                "total_delta = excluded.total_delta",
                (dataset, unit, period, total_rho, _now(), total_delta),
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
        requests: Sequence[Request],
        release_id: str,
        *,
        total_rho: float | None = None,
        total_delta: float | None = None,
    ) -> list[Reservation]:
        """Hold ρ (and δ) for several statistics of one release in ONE transaction: all or none.

        ``total_rho`` / ``total_delta`` declare the period's budget on first use (and must match
        it later). δ is requested only by private partition selection.
        """
        wanted = [(r[0], r[1], r[2] if len(r) == 3 else 0.0) for r in requests]
        if not wanted or any(not rho > 0 or delta < 0 for _, rho, delta in wanted):
            raise BudgetError(f"requested ρ must be positive and δ ≥ 0, got {list(requests)}")
        asked = sum(rho for _, rho, _ in wanted)
        asked_delta = sum(delta for _, _, delta in wanted)
        names = [name for name, _, _ in wanted]
        what = (
            f"statistic {names[0]!r} of release {release_id!r}"
            if len(names) == 1
            else f"release {release_id!r} (statistics {', '.join(names)})"
        )
        with self._transaction() as connection:
            if total_rho is not None:
                total, total_d = self._declare(
                    connection, dataset, unit, period, total_rho, total_delta
                )
            else:
                total, total_d = self._totals(connection, dataset, unit, period)
            spent, spent_delta = self._spent_both(connection, dataset, unit, period)
            remaining = total - spent
            if remaining < _TOLERANCE * total:
                remaining = 0.0
            remaining_delta = max(total_d - spent_delta, 0.0)
            if asked_delta > remaining_delta + _TOLERANCE * max(total_d, asked_delta):
                raise BudgetError(
                    f"{what} requests δ = {asked_delta:.3g} for private partition selection, but "
                    f"only δ = {remaining_delta:.3g} of {total_d:.3g} remains for {dataset} / "
                    f"{unit} / {period}",
                    what_would_help=[
                        "wait for the next period",
                        "declare the cells as public keys (dp.taxonomy, keys: public)",
                        "give the private-keys statistics smaller shares",
                    ],
                )
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
                self._insert(connection, dataset, unit, period, release_id, name, rho, delta)
                for name, rho, delta in wanted
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
        delta: float = 0.0,
    ) -> Reservation:
        try:
            cursor = connection.execute(
                "INSERT INTO spending (dataset, privacy_unit, period, release_id, statistic, "
                "rho, state, pid, host, reserved_at, delta) VALUES (?, ?, ?, ?, ?, ?, "
                "'reserved', ?, ?, ?, ?)",
                (dataset, unit, period, release_id, statistic, rho, os.getpid(),
                 socket.gethostname(), _now(), delta),
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
        return Reservation(
            cursor.lastrowid, dataset, unit, period, rho, release_id, statistic, delta
        )

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
    def _totals(
        connection: sqlite3.Connection, dataset: str, unit: str, period: str
    ) -> tuple[float, float]:
        row = connection.execute(
            "SELECT total_rho, total_delta FROM budget "
            "WHERE dataset=? AND privacy_unit=? AND period=?",
            (dataset, unit, period),
        ).fetchone()
        if row is None:
            raise BudgetError(
                f"no budget is declared in the ledger for {dataset} / {unit} / {period}",
                what_would_help=["declare the period's budget in the policy's dp.budget"],
            )
        return float(row[0]), float(row[1])

    @classmethod
    def _total(cls, connection: sqlite3.Connection, dataset: str, unit: str, period: str) -> float:
        return cls._totals(connection, dataset, unit, period)[0]

    @staticmethod
    def _spent_both(
        connection: sqlite3.Connection, dataset: str, unit: str, period: str
    ) -> tuple[float, float]:
        row = connection.execute(
            f"SELECT COALESCE(SUM(rho), 0), COALESCE(SUM(delta), 0) FROM spending "
            f"WHERE dataset=? AND privacy_unit=? AND period=? AND {_ACTIVE}",
            (dataset, unit, period),
        ).fetchone()
        return float(row[0]), float(row[1])

    @classmethod
    def _spent(cls, connection: sqlite3.Connection, dataset: str, unit: str, period: str) -> float:
        return cls._spent_both(connection, dataset, unit, period)[0]

    def spent_delta(self, dataset: str, unit: str, period: str) -> float:
        """Selection δ spent or held (committed + reserved) in the period."""
        with self._connection() as connection:
            return self._spent_both(connection, dataset, unit, period)[1]

    def remaining_delta(self, dataset: str, unit: str, period: str) -> float:
        """Selection δ still available in the period (total − spent)."""
        with self._connection() as connection:
            total = self._totals(connection, dataset, unit, period)[1]
            return total - self._spent_both(connection, dataset, unit, period)[1]

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
                "SELECT id, release_id, statistic, rho, state, pid, host, reserved_at, delta "
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


def _migrate(connection: sqlite3.Connection) -> None:
    """Add the δ columns to a ledger written by an older version (δ spent there was 0)."""
    for table, column, declaration in _MIGRATIONS:
        columns = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
        if column not in columns:
            connection.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
    connection.execute(f"PRAGMA user_version = {_VERSION}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
