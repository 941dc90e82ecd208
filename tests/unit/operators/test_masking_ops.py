"""mask_categories, bin_range, rescale, suppress."""

from __future__ import annotations

import statistics

from craftveil.keys import SecretKey
from craftveil.operators.mask_categories import letters
from craftveil.policy.columns import BinRange, MaskCategories, Rescale, Suppress


def _mask(**kw: object) -> MaskCategories:
    return MaskCategories.model_validate(
        {"role": "sensitive", "action": "mask_categories", "label": "blend", "why": "x", **kw}
    )


def test_letters_sequence() -> None:
    assert [letters(i) for i in (0, 1, 25, 26, 27, 701, 702)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


def test_mask_categories_orders_labels_by_keyed_hash_and_groups_rare(apply_op) -> None:  # type: ignore[no-untyped-def]
    blends = ["alpaca", "wool", "silk", "alpaca", "wool", "silk", "yak", "alpaca", "wool", "silk"]
    vendors = ["a", "a", "a", "b", "b", "b", "c", "c", "c", "c"]
    out, notes = apply_op({"blend": blends, "vendor": vendors}, "blend", _mask(min_vendors=2))
    assert notes == {"categories": 4, "labelled": 3, "grouped_as_other": 1}
    mapping = dict(zip(blends, out, strict=True))
    assert mapping["yak"] == "other"  # held by one vendor only
    # Independent re-computation of the order: by HMAC of the (derived) key, not by name.
    key = SecretKey(b"k" * 32).derive("mask_categories")
    order = sorted(["alpaca", "silk", "wool"], key=lambda v: key.token("t.blend", v, 64))
    assert [mapping[v] for v in order] == ["blend A", "blend B", "blend C"]


def test_rare_categories_are_counted_in_vendors_not_rows(apply_op) -> None:  # type: ignore[no-untyped-def]
    # 50 rows of one blend from a single vendor: still rare (1 vendor < 2).
    out, _ = apply_op(
        {"blend": ["cashmere"] * 50 + ["wool", "wool"], "vendor": ["a"] * 50 + ["a", "b"]},
        "blend",
        _mask(min_vendors=2),
    )
    assert set(out[:50]) == {"other"}
    assert out[50] == "blend A"


def test_bin_range_lot_numbers(apply_op) -> None:  # type: ignore[no-untyped-def]
    spec = BinRange.model_validate(
        {"role": "quasi_identifier", "action": "bin_range", "width": 100, "why": "x"}
    )
    out, _ = apply_op({"lot": ["40213", "40299", "40300", "LP-C211", None]}, "lot", spec)
    assert out == ["40200–40299", "40200–40299", "40300–40399", None, None]


def test_rescale_by_vendor_median(apply_op) -> None:  # type: ignore[no-untyped-def]
    qty = [10, 20, 30, 100, 300]
    vendors = ["a", "a", "a", "b", "b"]
    spec = Rescale.model_validate(
        {"role": "measure", "action": "rescale", "by": "vendor_median", "why": "x"}
    )
    out, _ = apply_op({"q": qty, "vendor": vendors}, "q", spec)
    med_a, med_b = statistics.median([10, 20, 30]), statistics.median([100, 300])
    expected = [
        round(q / (med_a if v == "a" else med_b), 3) for q, v in zip(qty, vendors, strict=True)
    ]
    assert out == expected


def test_rescale_by_category_median(apply_op) -> None:  # type: ignore[no-untyped-def]
    spec = Rescale.model_validate(
        {
            "role": "measure",
            "action": "rescale",
            "by": "category_median",
            "category_column": "cat",
            "why": "x",
        }
    )
    out, _ = apply_op(
        {"q": [2, 4, 9], "cat": ["x", "x", "y"], "vendor": ["a", "b", "c"]}, "q", spec
    )
    assert out == [round(2 / 3, 3), round(4 / 3, 3), 1.0]


def test_suppress_whole_column_and_conditionally(apply_op) -> None:  # type: ignore[no-untyped-def]
    data = {"price": [1.5, 2.5, 3.5], "channel": ["market", "wholesale", None]}
    everywhere = Suppress.model_validate({"role": "measure", "action": "suppress", "why": "x"})
    out, _ = apply_op(data, "price", everywhere)
    assert out == [None, None, None]
    when = Suppress.model_validate(
        {
            "role": "measure",
            "action": "suppress",
            "why": "x",
            "when": {"column": "channel", "equals": "wholesale"},
        }
    )
    out, _ = apply_op(data, "price", when)
    assert out == [1.5, None, 3.5]
