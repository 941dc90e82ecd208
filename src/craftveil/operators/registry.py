"""The explicit operator registry: action name → function (one grep finds the code)."""

from __future__ import annotations

from craftveil.operators.base import Operator
from craftveil.operators.bin_range import bin_range
from craftveil.operators.generalize import generalize
from craftveil.operators.keep_drop import drop, keep
from craftveil.operators.mask_categories import mask_categories
from craftveil.operators.pseudonymize import pseudonymize
from craftveil.operators.rescale import rescale
from craftveil.operators.suppress import suppress

OPERATORS: dict[str, Operator] = {
    "keep": keep,
    "drop": drop,
    "pseudonymize": pseudonymize,
    "generalize": generalize,
    "mask_categories": mask_categories,
    "bin_range": bin_range,
    "rescale": rescale,
    "suppress": suppress,
}
