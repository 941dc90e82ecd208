"""craftveil: share artisanal producers' data for analytics without exposing any single vendor.

The Python API mirrors the command line: :func:`init_policy`, :func:`check`, :func:`release`.
"""

from __future__ import annotations

__version__ = "0.1.0"

from craftveil.api import CheckReport, ReleaseResult, check, init_policy, release

__all__ = ["CheckReport", "ReleaseResult", "__version__", "check", "init_policy", "release"]
