"""suggest_column: the fallbacks by statistics, and the vendor column first."""

from __future__ import annotations

from craftveil.policy.columns import Role
from craftveil.profile import ColumnProfile, suggest_column


def column(
    name: str, *, rows: int, non_null: int, distinct: int, sample: tuple[str, ...]
) -> ColumnProfile:
    return ColumnProfile(
        name=name,
        detected_type="text",
        read_as="text",
        rows=rows,
        non_null=non_null,
        distinct=distinct,
        sample=sample,
        mean_length=8.0,
    )


def decision(col: ColumnProfile, vendor: str | None = None) -> tuple[Role, str]:
    s = suggest_column(col, table="t", vendor_namespace=vendor)
    return s.role, s.action


def test_categories_are_kept() -> None:
    col = column("glaze", rows=1000, non_null=1000, distinct=12, sample=("celadon", "tenmoku"))
    assert decision(col) == (Role.other, "keep")


def test_sparse_unique_strings_are_not_categories() -> None:
    """12 distinct values in 12 filled rows is not a category: each row is its own value."""
    col = column("remark", rows=1000, non_null=12, distinct=12, sample=("qq1", "qq2"))
    assert decision(col) == (Role.identifier, "drop")


def test_medium_cardinality_text_is_a_quasi_identifier_to_drop() -> None:
    col = column("kiln_model", rows=1000, non_null=1000, distinct=300, sample=("k1", "k2"))
    assert decision(col) == (Role.quasi_identifier, "drop")


def test_high_cardinality_text_is_an_identifier() -> None:
    col = column("code_word", rows=1000, non_null=1000, distinct=900, sample=("ab", "cd"))
    assert decision(col) == (Role.identifier, "drop")


def test_empty_and_constant_columns() -> None:
    empty = column("nothing", rows=10, non_null=0, distinct=0, sample=())
    assert decision(empty) == (Role.other, "drop")
    constant = column("species", rows=10, non_null=10, distinct=1, sample=("Arabica",))
    assert decision(constant) == (Role.other, "keep")


def test_vendor_column_is_pseudonymised_in_its_namespace() -> None:
    col = column("maker_code", rows=10, non_null=10, distinct=4, sample=("a", "b"))
    s = suggest_column(col, table="t", vendor_namespace="maker")
    assert (s.role, s.action, s.parameters) == (
        Role.identifier,
        "pseudonymize",
        {"namespace": "maker"},
    )
    assert s.why.startswith("TODO")


def test_numeric_altitude_is_banded() -> None:
    col = ColumnProfile(
        name="altitude_m",
        detected_type="integer",
        read_as="integer",
        rows=100,
        non_null=100,
        distinct=80,
        sample=(),
        minimum=900.0,
        maximum=2300.0,
    )
    s = suggest_column(col, table="t")
    assert (s.role, s.action) == (Role.quasi_identifier, "generalize")
    assert s.parameters == {"bands": {"width": 500}}
