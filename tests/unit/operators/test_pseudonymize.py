"""Keyed pseudonyms: HMAC-SHA256 (RFC 2104), consistent per namespace, scoped per release."""

from __future__ import annotations

import hashlib
import hmac

from craftveil.policy.columns import Pseudonymize

KEY = b"k" * 32


def _spec(**kw: object) -> Pseudonymize:
    return Pseudonymize.model_validate(
        {"role": "identifier", "action": "pseudonymize", "namespace": "vendor", "why": "x", **kw}
    )


def _reference(key: bytes, namespace: str, value: str, length: int = 16) -> str:
    return hmac.new(key, f"{namespace}\x00{value}".encode(), hashlib.sha256).hexdigest()[:length]


def test_tokens_are_hmac_sha256_of_namespace_and_value(apply_op) -> None:  # type: ignore[no-untyped-def]
    out, notes = apply_op({"vendor": ["V1", "V2", "V1", None]}, "vendor", _spec())
    assert out[:3] == [_reference(KEY, "vendor", "V1"), _reference(KEY, "vendor", "V2"), out[0]]
    assert out[3] is None
    assert notes["distinct_values"] == 2


def test_same_value_same_token_across_tables_other_namespace_differs(apply_op) -> None:  # type: ignore[no-untyped-def]
    a, _ = apply_op({"vendor": ["V9"]}, "vendor", _spec(), table_name="sales")
    b, _ = apply_op({"seller": ["V9"]}, "seller", _spec(), table_name="products")
    c, _ = apply_op({"vendor": ["V9"]}, "vendor", _spec(namespace="product"))
    assert a == b
    assert a != c


def test_release_scope_changes_tokens_per_release_but_not_per_rerun(apply_op) -> None:  # type: ignore[no-untyped-def]
    spec = _spec(scope="release")
    first, _ = apply_op({"vendor": ["V1"]}, "vendor", spec, release_name="2026q1")
    again, _ = apply_op({"vendor": ["V1"]}, "vendor", spec, release_name="2026q1")
    other, _ = apply_op({"vendor": ["V1"]}, "vendor", spec, release_name="2026q2")
    stable, _ = apply_op({"vendor": ["V1"]}, "vendor", _spec())
    assert first == again
    assert first != other
    assert first != stable
    derived = hmac.new(KEY, b"release:2026q1", hashlib.sha256).digest()
    assert first == [_reference(derived, "vendor", "V1")]


def test_token_length_is_configurable(apply_op) -> None:  # type: ignore[no-untyped-def]
    out, _ = apply_op({"vendor": ["V1"]}, "vendor", _spec(length=32))
    assert len(out[0]) == 32
