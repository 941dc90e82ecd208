"""craftveil: share artisanal producers' data for analytics without exposing any single vendor."""

from __future__ import annotations

__version__ = "0.1.0"
