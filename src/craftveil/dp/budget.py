"""Turning the policy's budget into ρ per statistic, and ρ back into (ε, δ) for reporting.

The ledger composes in zero-concentrated DP: ρ adds up over statistics and releases (Bun &
Steinke 2016). A budget declared as (ε, δ) becomes the largest ρ whose conversion back to
(ε, δ) — OpenDP's ``make_zCDP_to_approxDP`` — stays within ε. A statistic's share given as ε
becomes ρ the same way for Gaussian noise, and ε²/2 for Laplace noise (pure ε-DP ⇒ ε²/2-zCDP).
Statistics without a share split what the others leave, evenly.
"""

from __future__ import annotations

from dataclasses import dataclass

from craftveil.dp import calibration, mechanisms
from craftveil.errors import PolicyError, Problem
from craftveil.policy.dp import DPPolicy, DPStatistic


@dataclass(frozen=True)
class Allocation:
    """ρ per statistic name, the period total, and δ used for reporting."""

    total_rho: float
    per_statistic: dict[str, float]
    delta: float

    def epsilon(self, rho: float) -> float:
        """ε at the policy's δ implied by ``rho`` (OpenDP's conversion)."""
        return mechanisms.rho_to_epsilon(rho, self.delta)


def total_rho(policy: DPPolicy) -> float:
    """The period's total budget in ρ."""
    budget = policy.budget
    if budget.rho is not None:
        return budget.rho
    if budget.epsilon is None:  # the policy model guarantees one of them
        raise PolicyError([Problem("dp.budget", "needs epsilon or rho")])
    return calibration.epsilon_to_rho(budget.epsilon, budget.delta)


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
    return calibration.epsilon_to_rho(statistic.epsilon, policy.budget.delta)


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
    return Allocation(total, per_statistic, policy.budget.delta)
