"""The one error tree of craftveil.

Every error a user can cause derives from :class:`CraftveilError`; builtins are co-parents so
callers that catch ``ValueError`` / ``FileNotFoundError`` still work. Messages name the place
(file, row/column, policy key), the bad value, and the fix. Nothing here ever formats key material.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class CraftveilError(Exception):
    """Root of every error craftveil raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found while validating: where it is, what is wrong, how to fix it."""

    location: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        return f"{text} — {self.fix}" if self.fix else text


class ProblemsError(CraftveilError, ValueError):
    """Several problems collected and raised once (lazy validation, as pandera does)."""

    def __init__(self, problems: Sequence[Problem], header: str = "") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = [header] if header else []
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines) if lines else "no problems")


class PolicyError(ProblemsError):
    """The policy file is invalid (syntax, unknown keys, bad values, or does not fit the data)."""


class DataError(CraftveilError, ValueError):
    """An input data file is missing, unreadable, malformed, empty, or of the wrong type."""


class SecretError(CraftveilError, ValueError):
    """The secret key is missing, unreadable or too short. Never contains the key itself."""


class OutputExistsError(CraftveilError, FileExistsError):
    """The output location exists and the user did not ask to overwrite it."""


class PrivacyRequirementError(CraftveilError):
    """A privacy requirement of the policy cannot be met: fail closed, no release is written."""

    def __init__(self, message: str, *, what_would_help: Sequence[str] = ()) -> None:
        self.what_would_help = tuple(what_would_help)
        text = message
        if self.what_would_help:
            text += "\nWhat would make it possible:\n" + "\n".join(
                f"  - {h}" for h in self.what_would_help
            )
        super().__init__(text)


class BudgetError(PrivacyRequirementError):
    """The differential-privacy budget would be overspent (requested vs remaining in the text)."""


class UtilityGateError(CraftveilError):
    """A utility gate of the policy failed: the release would distort analytics too much."""


class GovernanceError(CraftveilError, PermissionError):
    """The policy's governance section forbids what was requested."""


class MissingExtraError(CraftveilError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""


class InternalError(CraftveilError, RuntimeError):
    """Something that should not happen did: probably a bug in craftveil — please report it."""
