"""Tabular statistical disclosure control: tabulate, primary rules, secondary suppression, audit.

See SDC_RULES.md (design) and each module's docstring for the definitions used.
"""

from __future__ import annotations

from craftveil.sdc.audit import AuditResult, audit
from craftveil.sdc.cells import CellSystem
from craftveil.sdc.protect import ProtectedTables, protect
from craftveil.sdc.rules import primary_suppression
from craftveil.sdc.secondary import SecondaryReport, secondary_suppression
from craftveil.sdc.tabulate import build_tables

__all__ = [
    "AuditResult",
    "CellSystem",
    "ProtectedTables",
    "SecondaryReport",
    "audit",
    "build_tables",
    "primary_suppression",
    "protect",
    "secondary_suppression",
]
