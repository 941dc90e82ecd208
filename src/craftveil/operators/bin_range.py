"""``bin_range``: lot / batch numbers → a range bin (lot 40213 → "40200–40299").

Non-numeric lot numbers become null (counted in the masking record as nulled).
"""

from __future__ import annotations

import ibis

from craftveil.operators.base import OperatorContext
from craftveil.policy.columns import BinRange


def bin_range(
    table: ibis.Table, column: str, out: str, spec: BinRange, ctx: OperatorContext
) -> ibis.Table:
    text = table[column].cast("string").strip()
    digits = text.re_search(r"^[0-9]+$")
    number = ibis.ifelse(digits, text.cast("int64"), ibis.null("int64"))
    low = (number // spec.width) * spec.width
    high = low + (spec.width - 1)
    label = low.cast("string") + "–" + high.cast("string")
    return table.mutate(**{out: label})
