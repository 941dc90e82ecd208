"""Profile data files and suggest a starting policy (``craftveil init``).

``profile_table`` gathers each column's statistics and a distinct-value sample in one engine query;
``detectors`` say what the values look like; ``suggest`` turns that into a role and an action;
``writer`` emits the policy YAML with the evidence as comments.
"""

from craftveil.profile.detectors import Detection, Kind, detect
from craftveil.profile.profile import ColumnProfile, TableProfile, profile_table
from craftveil.profile.suggest import ColumnSuggestion, suggest_column
from craftveil.profile.vendor import VendorGuess, guess_vendor_columns
from craftveil.profile.writer import init_policy, suggest_policy

__all__ = [
    "ColumnProfile",
    "ColumnSuggestion",
    "Detection",
    "Kind",
    "TableProfile",
    "VendorGuess",
    "detect",
    "guess_vendor_columns",
    "init_policy",
    "profile_table",
    "suggest_column",
    "suggest_policy",
]
