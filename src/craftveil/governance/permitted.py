"""Permitted analyses: a release may only contain the analyses the governance section allows.

``governance.permitted_analyses`` lists kinds (``microdata``, ``aggregates``, ``dp``) and/or
named statistics (an aggregate table's or DP statistic's name, optionally prefixed
``aggregates:`` / ``dp:``). Every analysis the policy requests must be covered; a list that
covers none of them is reported as such, since it is almost certainly a mistake rather than a
deliberate refusal.
"""

from __future__ import annotations

from craftveil.errors import GovernanceError
from craftveil.policy.model import Policy


def requested_analyses(policy: Policy) -> list[tuple[str, str]]:
    """(kind, name) of everything the policy asks to release."""
    wanted: list[tuple[str, str]] = []
    if any(t.release for t in policy.tables.values()):
        wanted.append(("microdata", "microdata"))
    if policy.aggregates is not None:
        wanted += [("aggregates", t.name) for t in policy.aggregates.tables]
    if policy.dp is not None:
        wanted += [("dp", s.name) for s in policy.dp.statistics]
    return wanted


def _covered(kind: str, name: str, permitted: set[str]) -> bool:
    return kind in permitted or name in permitted or f"{kind}:{name}" in permitted


def check_permitted(policy: Policy) -> list[str]:
    """The permitted analyses actually used; GovernanceError when any request is not permitted."""
    permitted = set(policy.governance.permitted_analyses)
    wanted = requested_analyses(policy)
    refused = [(k, n) for k, n in wanted if not _covered(k, n, permitted)]
    if wanted and len(refused) == len(wanted):
        raise GovernanceError(
            "governance.permitted_analyses "
            f"{sorted(permitted) or '[]'} forbids everything this policy asks for "
            f"({', '.join(_label(k, n) for k, n in wanted)}) — add the analyses the owner "
            "approved to governance.permitted_analyses, or remove them from the policy"
        )
    if refused:
        raise GovernanceError(
            "governance.permitted_analyses does not permit "
            + ", ".join(_label(k, n) for k, n in refused)
            + f" (permitted: {sorted(permitted)}) — add "
            + ", ".join(repr(f"{k}:{n}" if k != "microdata" else k) for k, n in refused)
            + " to governance.permitted_analyses with the owner's approval, or remove "
            "them from the policy"
        )
    return [_label(k, n) for k, n in wanted]


def _label(kind: str, name: str) -> str:
    return kind if kind == name else f"{kind} statistic '{name}'"
