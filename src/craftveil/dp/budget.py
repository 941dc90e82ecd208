"""Turning the policy's budget into ρ per statistic, and ρ back into (ε, δ) for reporting.

The ledger composes in zero-concentrated DP: ρ adds up over statistics and releases (Bun &
Steinke 2016). A budget declared as (ε, δ) becomes the largest ρ whose conversion back to
(ε, δ) — OpenDP's ``make_zCDP_to_approxDP`` — stays within ε. A statistic's share given as ε
becomes ρ the same way for Gaussian noise, and ε²/2 for Laplace noise (pure ε-DP ⇒ ε²/2-zCDP).
Statistics without a share split what the others leave, evenly.

Private partition selection (``keys: private``) also spends δ. The policy's δ is split: the
*selection δ* (``dp.budget.selection_delta``, default half of δ) is a second budget the ledger
keeps, and the rest — the *conversion δ* — converts ρ to ε. A private-keys statistic spends the
share of the selection δ that its ρ is of the total ρ. Reporting composes by approximate zCDP
(Bun & Steinke 2016, §8): ρ adds up and the selection δs add up, and δ-approximate ρ-zCDP gives
(ε(ρ, δ′), δ + δ′)-DP — exactly what OpenDP's ``make_zCDP_to_approxDP`` computes for its
Gaussian threshold (checked in tests/unit/dp/test_dp_selection.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from craftveil.dp import calibration, mechanisms
from craftveil.errors import PolicyError, Problem
from craftveil.policy.dp import DPPolicy, DPStatistic


@dataclass(frozen=True)
class Allocation:
    """ρ (and selection δ) per statistic name, the period totals, and the δ split."""

    total_rho: float
    per_statistic: dict[str, float]
    delta: float
    """The policy's total δ per period (conversion δ + selection δ)."""
    total_selection_delta: float = 0.0
    per_statistic_delta: dict[str, float] = field(default_factory=dict)

    @property
    def conversion_delta(self) -> float:
        """The δ at which ρ is converted to ε."""
        return self.delta - self.total_selection_delta

    def epsilon(self, rho: float) -> float:
        """ε at the conversion δ implied by ``rho`` (OpenDP's conversion)."""
        return mechanisms.rho_to_epsilon(rho, self.conversion_delta)

    def reported_delta(self, selection_delta: float) -> float:
        """Total δ of a release that spent ``selection_delta`` on partition selection."""
        return self.conversion_delta + selection_delta


def total_rho(policy: DPPolicy) -> float:
    """The period's total budget in ρ."""
    budget = policy.budget
    if budget.rho is not None:
        return budget.rho
    if budget.epsilon is None:  # the policy model guarantees one of them
        raise PolicyError([Problem("dp.budget", "needs epsilon or rho")])
    return calibration.epsilon_to_rho(budget.epsilon, policy.conversion_delta())


def share_rho(policy: DPPolicy, statistic: DPStatistic) -> float | None:
    """The statistic's own share in ρ, or None when it shares the rest evenly."""
    if statistic.rho is not None:
        return statistic.rho
    if statistic.epsilon is None:
        return None
    if statistic.epsilon > policy.max_epsilon:
        raise PolicyError(
            [
                Problem(
                    f"dp.statistics[{statistic.name}].epsilon",
                    f"{statistic.epsilon} is above dp.max_epsilon {policy.max_epsilon}",
                    "lower the share",
                )
            ]
        )
    if policy.mechanism == "laplace":
        return statistic.epsilon**2 / 2.0
    return calibration.epsilon_to_rho(statistic.epsilon, policy.conversion_delta())


def allocate(policy: DPPolicy) -> Allocation:
    """ρ for every declared statistic; PolicyError (nothing spent) if the shares overspend."""
    total = total_rho(policy)
    shares = {s.name: share_rho(policy, s) for s in policy.statistics}
    fixed = sum(v for v in shares.values() if v is not None)
    open_names = [name for name, v in shares.items() if v is None]
    problems: list[Problem] = []
    if fixed > total * (1 + 1e-9):
        problems.append(
            Problem(
                "dp.statistics",
                f"the statistics' shares add up to ρ = {fixed:.6g}, above the budget "
                f"ρ = {total:.6g}",
                "lower the shares or raise dp.budget",
            )
        )
    rest = total - fixed
    if open_names and rest <= total * 1e-9:
        problems.append(
            Problem(
                "dp.statistics",
                f"{open_names} have no share and nothing is left of the budget",
                "give them shares or lower the others",
            )
        )
    if problems:
        raise PolicyError(problems, header="the dp budget does not fit the statistics:")
    per_statistic = {
        name: (value if value is not None else rest / len(open_names))
        for name, value in shares.items()
    }
    selection = policy.selection_delta()
    per_delta = {
        s.name: selection * min(per_statistic[s.name] / total, 1.0)
        for s in policy.statistics
        if s.keys == "private"
    }
    return Allocation(total, per_statistic, policy.budget.delta, selection, per_delta)
