"""Hierarchy model, ARX loader, builders: shapes from ARX's Adult files, errors naming the fix."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from craftveil.errors import DataError
from craftveil.hierarchies import (
    Hierarchy,
    check_coverage,
    date_hierarchy,
    interval_hierarchy,
    load_arx_hierarchy,
    prefix_hierarchy,
)

ADULT_QIS = (
    "sex", "age", "race", "marital-status", "education",
    "native-country", "workclass", "occupation", "salary-class",
)  # fmt: skip


def test_adult_heights_match_arx(shared_data: Path) -> None:
    # RISK_NOTES.md: heights 2·5·2·3·4·3·3·3·2 -> 12,960 transformations.
    arx = shared_data / "adult" / "arx"
    heights = [load_arx_hierarchy(arx / f"adult_hierarchy_{q}.csv").height for q in ADULT_QIS]
    assert heights == [2, 5, 2, 3, 4, 3, 3, 3, 2]


def test_age_mapping_follows_the_file(shared_data: Path) -> None:
    path = shared_data / "adult" / "arx" / "adult_hierarchy_age.csv"
    h = load_arx_hierarchy(path, "age")
    # first line of the file: 1;0-4;0-9;0-19;*
    assert h.mapping(1)["1"] == "0-4"
    assert h.mapping(3)["1"] == "0-19"
    assert set(h.mapping(4).values()) == {"*"}
    assert h.mapping(0)["39"] == "39"


def test_crlf_and_bom_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_bytes("\ufeffa;x;*\r\nb;x;*\r\nc;y;*\r\n".encode())
    h = load_arx_hierarchy(path)
    assert h.name == "h"
    assert h.values == ("a", "b", "c")
    assert h.mapping(1) == {"a": "x", "b": "x", "c": "y"}


def test_rows_of_different_depth_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("a;x;*\nb;x;*\nc;*\n")
    with pytest.raises(DataError) as err:
        load_arx_hierarchy(path)
    text = str(err.value)
    assert f"{path}, line 3: 2 levels but the first row has 3" in text
    assert "same number" in text


def test_a_value_with_two_parents_is_rejected() -> None:
    with pytest.raises(
        DataError, match="value 'x' at level 1 generalises to both 'p' and 'q' at level 2"
    ):
        Hierarchy("h", (("a", "x", "p", "*"), ("b", "x", "q", "*")))


def test_coverage_names_the_missing_values_and_the_file(tmp_path: Path) -> None:
    h = Hierarchy("colour", (("red", "*"), ("blue", "*")), source="colour.csv")
    check_coverage(h, ["red", "blue"], source="colour.csv")
    with pytest.raises(DataError) as err:
        check_coverage(h, ["red", "green", "teal"], source="colour.csv")
    assert str(err.value).startswith(
        "colour.csv: hierarchy 'colour' does not cover 2 value(s) in the data: 'green', 'teal'"
    )


def test_prefix_hierarchy_redacts_from_the_right() -> None:
    h = prefix_hierarchy(["12345", "12399"], "zip", keep=(4, 3))
    assert h.height == 4
    assert [h.mapping(i)["12345"] for i in range(4)] == ["12345", "1234*", "123**", "*"]
    assert h.mapping(2)["12399"] == "123**"
    with pytest.raises(DataError, match="strictly decreasing"):
        prefix_hierarchy(["1"], "zip", keep=(2, 3))


def test_interval_hierarchy_nests_bands() -> None:
    h = interval_hierarchy([42, 7], "age", widths=(5, 10, 20))
    assert [h.mapping(i)["42"] for i in range(5)] == ["42", "40-44", "40-49", "40-59", "*"]
    assert h.mapping(1)["7"] == "5-9"
    with pytest.raises(DataError, match="bands must nest"):
        interval_hierarchy([1], "x", widths=(5, 7))


def test_date_hierarchy_month_quarter_year() -> None:
    h = date_hierarchy([date(2024, 3, 17), "2023-11-02"], "sold_on")
    assert [h.mapping(i)["2024-03-17"] for i in range(5)] == [
        "2024-03-17", "2024-03", "2024-Q1", "2024", "*",
    ]  # fmt: skip
    assert h.mapping(2)["2023-11-02"] == "2023-Q4"
