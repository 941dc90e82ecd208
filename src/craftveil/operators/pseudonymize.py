"""``pseudonymize``: keyed HMAC-SHA256 tokens, the same in every table of one namespace.

Tokens are computed in Python for the *distinct* values only (few), then joined back in the
engine (ARCHITECTURE.md: near free and identical on every engine). Nulls stay null.
"""

from __future__ import annotations

import ibis

from craftveil.operators.base import KnownEffect, OperatorContext
from craftveil.policy.columns import Pseudonymize


def pseudonymize(
    table: ibis.Table, column: str, out: str, spec: Pseudonymize, ctx: OperatorContext
) -> ibis.Table:
    key = ctx.scoped_key(spec.scope)
    source = table[column].cast("string")
    distinct = ctx.engine.fetch(table.select(v=source).filter(ibis._.v.notnull()).distinct())
    values = [str(v) for v in distinct.column("v").to_pylist()]
    known = ctx.token_cache.setdefault((spec.namespace, spec.scope, spec.length), {})
    new = [v for v in values if v not in known]
    known.update(zip(new, key.tokens(spec.namespace, new, spec.length), strict=True))
    tokens = [known[v] for v in values]
    lookup = ctx.engine.memtable(
        {"__cv_v": values, "__cv_t": tokens}, f"tok_{ctx.table_name}_{column}"
    )
    ctx.notes["distinct_values"] = len(values)
    if all(v != t for v, t in zip(values, tokens, strict=True)):
        # Every value of this table has its token (nulls stay null): the effect is exact here.
        ctx.known_effect = KnownEffect(len(values), len(set(tokens)))
    joined = table.left_join(lookup, source == lookup.__cv_v)
    return joined.mutate(**{out: joined.__cv_t}).drop("__cv_v", "__cv_t")
