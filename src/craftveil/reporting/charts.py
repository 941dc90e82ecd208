"""Vega-Lite chart specifications (built with Altair) for the utility section of the report.

Each chart puts the raw and the released result side by side: seasonality lines, share bars,
median price per category, and forecast vs actual on the hold-out. The specs carry their data
inline, so the HTML report renders them with the vendored vega-embed bundle and no network.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

SIDES = ["raw", "released"]
_COLOURS = alt.Scale(domain=SIDES, range=["#4c78a8", "#f58518"])


def _long(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.melt(id_vars=keys, value_vars=SIDES, var_name="data", value_name="value")


def seasonality_chart(series: list[dict[str, Any]], measure: str) -> dict[str, Any]:
    frame = pd.DataFrame(series)
    totals = frame.groupby("period", as_index=False)[SIDES].sum()
    data = _long(totals, ["period"])
    chart = (
        alt.Chart(data, title=f"Seasonality: total {measure} per period")
        .mark_line(point=True)
        .encode(
            x=alt.X("period:T", title="period"),
            y=alt.Y("value:Q", title=measure),
            color=alt.Color("data:N", scale=_COLOURS, title="data"),
            # released dashed over raw solid: both stay visible where they coincide
            strokeDash=alt.StrokeDash(
                "data:N", scale=alt.Scale(domain=SIDES, range=[[1, 0], [6, 4]]), legend=None
            ),
        )
        .properties(width=560, height=220)
    )
    return dict(chart.to_dict())


def shares_chart(shares: list[dict[str, Any]], group: str) -> dict[str, Any]:
    data = _long(pd.DataFrame(shares), ["group"])
    data["value"] = 100.0 * data["value"]
    chart = (
        alt.Chart(data, title=f"Share of the total per {group} (%)")
        .mark_bar()
        .encode(
            y=alt.Y("group:N", title=group),
            yOffset="data:N",
            x=alt.X("value:Q", title="share (%)"),
            color=alt.Color("data:N", scale=_COLOURS, title="data"),
        )
        .properties(width=520)
    )
    return dict(chart.to_dict())


def price_chart(categories: list[dict[str, Any]]) -> dict[str, Any]:
    data = _long(pd.DataFrame(categories), ["category"]).dropna(subset=["value"])
    chart = (
        alt.Chart(data, title="Median unit price per category")
        .mark_bar()
        .encode(
            y=alt.Y("category:N", title="category"),
            yOffset="data:N",
            x=alt.X("value:Q", title="median price"),
            color=alt.Color("data:N", scale=_COLOURS, title="data"),
        )
        .properties(width=520)
    )
    return dict(chart.to_dict())


def forecast_chart(points: list[dict[str, Any]]) -> dict[str, Any]:
    frame = pd.DataFrame(points).rename(
        columns={"forecast_raw": "forecast from raw", "forecast_released": "forecast from released"}
    )
    data = frame.melt(id_vars=["period"], var_name="series", value_name="value")
    chart = (
        alt.Chart(data, title="Forecast vs actual on the hold-out periods")
        .mark_line(point=True)
        .encode(
            x=alt.X("period:T", title="period"),
            y=alt.Y("value:Q", title="total"),
            color=alt.Color("series:N", title="series"),
        )
        .properties(width=560, height=200)
    )
    return dict(chart.to_dict())


def utility_charts(utility: dict[str, Any]) -> list[dict[str, Any]]:
    """Every chart the utility results allow, in report order."""
    charts = [seasonality_chart(utility["seasonality"]["series"], utility["measure"])]
    charts.append(shares_chart(utility["shares"]["shares"], utility["group_by"] or "group"))
    if utility["price_bands"].get("available"):
        charts.append(price_chart(utility["price_bands"]["categories"]))
    if utility["forecast"].get("available"):
        charts.append(forecast_chart(utility["forecast"]["points"]))
    return charts
