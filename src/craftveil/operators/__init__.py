"""Masking operators: one per file, each an engine column expression."""

from craftveil.operators.base import OperatorContext
from craftveil.operators.registry import OPERATORS

__all__ = ["OPERATORS", "OperatorContext"]
