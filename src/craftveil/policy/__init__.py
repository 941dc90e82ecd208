"""Policy: the frozen, validated declaration of a release (imports nothing else of craftveil)."""

from craftveil.policy.columns import Role
from craftveil.policy.load import load_policy, parse_policy
from craftveil.policy.model import Policy, TableSpec

__all__ = ["Policy", "Role", "TableSpec", "load_policy", "parse_policy"]
