"""Generalisation: date windows, numeric bands with top/bottom coding, prefixes, grids, lookups."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from craftveil.errors import DataError
from craftveil.hierarchies import load_arx_hierarchy
from craftveil.policy.columns import Generalize


def _spec(**kw: object) -> Generalize:
    return Generalize.model_validate(
        {"role": "quasi_identifier", "action": "generalize", "why": "x", **kw}
    )


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ("day", ["2024-03-05", "2024-12-31"]),
        ("week", ["2024-03-04", "2024-12-30"]),  # weeks are labelled by their Monday
        ("month", ["2024-03", "2024-12"]),
        ("quarter", ["2024-Q1", "2024-Q4"]),
        ("year", ["2024", "2024"]),
    ],
)
def test_date_windows(apply_op, window: str, expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    data = {"t": [dt.datetime(2024, 3, 5, 13, 7), dt.datetime(2024, 12, 31, 23, 59)]}
    out, _ = apply_op(data, "t", _spec(window=window))
    assert out == expected


@pytest.mark.parametrize(
    ("window", "claimed"),
    [("day", False), ("week", False), ("month", True), ("quarter", True), ("year", True)],
)
def test_a_window_claims_every_value_changes_only_when_it_does(
    apply_op, window: str, claimed: bool
) -> None:  # type: ignore[no-untyped-def]
    """The mask step counts instead of comparing when claimed, so the claim must hold row by row.

    2024-03-04 is a Monday: its day and its week label equal the date's own text.
    """
    dates = [dt.date(2024, 3, 4), None, dt.date(1999, 12, 31), dt.date(1, 1, 1)]
    out, _ = apply_op({"t": dates}, "t", _spec(window=window))
    assert apply_op.contexts[-1].every_value_changes is claimed
    differs = [label != d.isoformat() for d, label in zip(dates, out, strict=True) if d is not None]
    assert all(differs) is claimed
    if claimed:
        assert [label is None for label in out] == [d is None for d in dates]


def test_a_window_over_text_dates_claims_nothing(apply_op) -> None:  # type: ignore[no-untyped-def]
    apply_op({"t": ["2024-03-05", None]}, "t", _spec(window="month"))
    assert apply_op.contexts[-1].every_value_changes is False


def test_fixed_width_bands_with_top_and_bottom_coding(apply_op) -> None:  # type: ignore[no-untyped-def]
    data = {"x": [3.0, 10.0, 19.99, 20.0, 95.0, 100.0, 250.0, None]}
    out, _ = apply_op(data, "x", _spec(bands={"width": 10, "bottom": 10, "top": 100}))
    assert out == [
        "< 10",
        "[10, 20)",
        "[10, 20)",
        "[20, 30)",
        "[90, 100)",
        ">= 100",
        ">= 100",
        None,
    ]


def test_explicit_edges(apply_op) -> None:  # type: ignore[no-untyped-def]
    out, _ = apply_op({"x": [-1, 0, 4, 5, 50]}, "x", _spec(bands={"edges": [0, 5, 10]}))
    assert out == ["< 0", "[0, 5)", "[0, 5)", "[5, 10)", ">= 10"]


def test_prefix_keeps_leading_zeros_and_pads_with_stars(apply_op) -> None:  # type: ignore[no-untyped-def]
    out, _ = apply_op({"zip": ["04412", "90210", None]}, "zip", _spec(prefix=3))
    assert out == ["044**", "902**", None]


def test_prefix_hierarchy_with_zero_padding(apply_op) -> None:  # type: ignore[no-untyped-def]
    spec = _spec(hierarchy={"name": "zip3", "level": 1})
    out, _ = apply_op({"zip": ["5828", "44130"]}, "zip", spec, prefixes={"zip3": ((3, 1, 0), 5)})
    assert out == ["058**", "441**"]


def test_grid_snaps_coordinates_to_cell_centres(apply_op) -> None:  # type: ignore[no-untyped-def]
    out, _ = apply_op({"lat": [44.411013, -72.140305]}, "lat", _spec(grid_degrees=1.0))
    assert out == [44.5, -72.5]


def test_arx_hierarchy_lookup_on_real_adult_hierarchy(apply_op, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    h = load_arx_hierarchy(shared_data / "adult" / "arx" / "adult_hierarchy_age.csv", "age")
    level2 = h.mapping(2)
    spec = _spec(hierarchy={"name": "age", "level": 2})
    out, _ = apply_op({"age": ["39", "50", "17"]}, "age", spec, hierarchies={"age": h})
    assert out == [level2["39"], level2["50"], level2["17"]]
    assert out[0] != "39"


def test_unmapped_value_is_an_error_naming_it_unless_fallback(apply_op, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    h = load_arx_hierarchy(shared_data / "adult" / "arx" / "adult_hierarchy_age.csv", "age")
    with pytest.raises(DataError, match=r"hierarchy 'age' does not cover '250'.*fallback"):
        apply_op(
            {"age": ["39", "250"]},
            "age",
            _spec(hierarchy={"name": "age", "level": 1}),
            hierarchies={"age": h},
        )
    out, notes = apply_op(
        {"age": ["39", "250"]},
        "age",
        _spec(hierarchy={"name": "age", "level": 1}, fallback="*"),
        hierarchies={"age": h},
    )
    assert out[1] == "*"
    assert notes["unmapped_values_to_fallback"] == 1


US_BOXES = (
    "region,lat_min,lat_max,lon_min,lon_max\n"
    "Alaska,51,72,-180,-129\n"
    "Hawaii,18,23,-161,-154\n"
    "West,31,49.5,-125,-102\n"
    "Midwest,36,49.5,-102,-80.5\n"
    "South,24,36,-107,-75\n"
    "Northeast,36,48,-80.5,-66\n"
)


def test_region_lookup_on_real_farmers_market_coordinates(  # type: ignore[no-untyped-def]
    apply_op, shared_data: Path, tmp_path: Path, engine
) -> None:
    import pyarrow.csv as pacsv

    (tmp_path / "regions.csv").write_text(US_BOXES)
    markets = (
        pacsv.read_csv(shared_data / "farmers_markets_usda" / "farmers_markets_usda_2016.csv")
        .select(["state", "latitude", "longitude"])
        .to_pydict()
    )
    spec = _spec(
        regions={"file": "regions.csv", "latitude": "latitude", "longitude": "longitude"},
        fallback="other",
    )
    from craftveil.keys import SecretKey
    from craftveil.operators import OPERATORS, OperatorContext

    table = engine.memtable(markets, "markets")
    ctx = OperatorContext(
        engine, SecretKey(b"k" * 32), "r", "markets", None, {}, {}, base_dir=tmp_path
    )
    out = OPERATORS["generalize"](table, "latitude", "out", spec, ctx).to_pyarrow().to_pydict()
    by_state: dict[str, set[str]] = {}
    for state, region in zip(out["state"], out["out"], strict=True):
        by_state.setdefault(state, set()).add(region)
    assert by_state["HI"] == {"Hawaii"}
    assert "Alaska" in by_state["AK"]
    assert "Midwest" in by_state["IA"]
    assert "Northeast" in by_state["VT"]
    assert "West" in by_state["CA"]
    assert by_state["PR"] == {"other"}  # Puerto Rico lies in no box: the declared fallback
    assert ctx.notes["points_outside_regions"] >= 1


def test_points_outside_every_region_are_an_error_without_fallback(
    apply_op, tmp_path: Path, engine
) -> None:  # type: ignore[no-untyped-def]
    from craftveil.keys import SecretKey
    from craftveil.operators import OPERATORS, OperatorContext

    (tmp_path / "regions.csv").write_text(US_BOXES)
    spec = _spec(regions={"file": "regions.csv", "latitude": "lat", "longitude": "lon"})
    table = engine.memtable({"lat": [44.4, -33.9], "lon": [-72.1, 151.2]}, "pts")
    ctx = OperatorContext(engine, SecretKey(b"k" * 32), "r", "pts", None, {}, {}, base_dir=tmp_path)
    with pytest.raises(DataError, match=r"1 point\(s\) lie in no region of regions.csv .*fallback"):
        OPERATORS["generalize"](table, "lat", "out", spec, ctx)
