"""Generalised date labels back on one time axis, in the engine."""

from __future__ import annotations

import datetime as dt

import ibis
import pytest

from craftveil.utility.frames import label_start, period_start


@pytest.mark.parametrize(
    ("label", "start"),
    [
        ("2024", dt.date(2024, 1, 1)),
        ("2024-Q1", dt.date(2024, 1, 1)),
        ("2024-Q3", dt.date(2024, 7, 1)),
        ("2024-Q4", dt.date(2024, 10, 1)),
        ("2024-03", dt.date(2024, 3, 1)),
        ("2024-03-04", dt.date(2024, 3, 4)),
    ],
)
def test_label_start_is_the_first_day_of_the_window(label: str, start: dt.date) -> None:
    table = ibis.memtable({"v": [label]})
    assert table.select(d=label_start(table.v)).to_pyarrow().column("d")[0].as_py() == start


def test_periods_of_timestamps_and_labels_agree() -> None:
    table = ibis.memtable(
        {
            "t": [dt.datetime(2024, 3, 7, 15, 30), dt.datetime(2024, 5, 31, 23, 59)],
            "label": ["2024-03", "2024-05"],
        }
    )
    out = (
        table.select(
            a=period_start(table.t, "month"),
            b=period_start(table.label, "month"),
            q=period_start(table.t, "quarter"),
            w=period_start(table.t, "week"),
        )
        .to_pyarrow()
        .to_pylist()
    )
    assert [r["a"] for r in out] == [dt.date(2024, 3, 1), dt.date(2024, 5, 1)]
    assert [r["b"] for r in out] == [r["a"] for r in out]
    assert [r["q"] for r in out] == [dt.date(2024, 1, 1), dt.date(2024, 4, 1)]
    assert out[0]["w"] == dt.date(2024, 3, 4)  # ISO week starts on Monday
