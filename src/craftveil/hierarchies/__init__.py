"""Generalisation hierarchies: the model, the ARX CSV loader, and builders from data values."""

from craftveil.hierarchies.arx import load_arx_hierarchy
from craftveil.hierarchies.builders import date_hierarchy, interval_hierarchy, prefix_hierarchy
from craftveil.hierarchies.model import SUPPRESSED, Hierarchy, check_coverage

__all__ = [
    "SUPPRESSED",
    "Hierarchy",
    "check_coverage",
    "date_hierarchy",
    "interval_hierarchy",
    "load_arx_hierarchy",
    "prefix_hierarchy",
]
