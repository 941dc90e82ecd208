"""``rescale``: quantities → a relative index, value / median of the vendor (or category).

Trends and relative movements survive; absolute volumes — which identify big vendors — do not.
Medians are computed in the engine by a group-by joined back (portable to Spark).
"""

from __future__ import annotations

import ibis

from craftveil.operators.base import OperatorContext
from craftveil.policy.columns import Rescale


def rescale(
    table: ibis.Table, column: str, out: str, spec: Rescale, ctx: OperatorContext
) -> ibis.Table:
    group = ctx.vendor_column if spec.by == "vendor_median" else spec.category_column
    assert group is not None  # the policy validator guarantees it
    value = table[column].cast("float64")
    medians = (
        table.select(__cv_g=table[group], __cv_x=value)
        .group_by("__cv_g")
        .agg(__cv_med=ibis._.__cv_x.median())
    )
    joined = table.left_join(medians, table[group] == medians.__cv_g)
    index = ibis.ifelse(
        joined.__cv_med == 0, ibis.null("float64"), joined[column] / joined.__cv_med
    )
    return joined.mutate(**{out: index.round(spec.decimals)}).drop("__cv_g", "__cv_med")
