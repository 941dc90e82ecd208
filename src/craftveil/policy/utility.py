"""The policy's ``utility:`` section: which analytics to compare raw vs released, and gates.

Declaration only (STYLE.md): the steward names the fact table, its time, measure and price
columns, the dimensions the analyses group by (a column of the fact table, or one looked up in
another table through a key — e.g. a sale's region through its vendor), and the gates that
decide whether the release is useful enough. The measures follow the utility literature the
field uses to judge statistical disclosure control: information loss of the microdata (ESSnet
SDC handbook, ch. 3; ARX's "non-uniform entropy"), and *analysis-specific* utility — the same
analysis run on the original and on the protected data, compared (Hundepool et al.,
"Statistical Disclosure Control", 2012, §3.3.3).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: Every metric a gate may name, with the direction that is "good" (used in messages).
METRICS: dict[str, str] = {
    "seasonality_correlation": "Pearson correlation of period totals per group, raw vs released",
    "seasonality_peak_preserved": "1 when the peak period of the total is the same, else 0",
    "seasonality_amplitude_error": "relative error of the seasonal amplitude (max − min) / mean",
    "rolling_average_error_p90": "90th percentile of the relative error of rolling averages",
    "sales_velocity_error_p90": "90th percentile of the relative error of units per vendor",
    "regional_share_max_error_pp": "largest absolute error of a group's share, percentage points",
    "regional_share_total_variation": "total variation distance of the group shares",
    "price_band_agreement": "share of categories whose median price falls in the same band",
    "price_band_vendor_shift": "share of vendors in another price band (distributional bound)",
    "price_band_vendors_moved": "exact share of vendors whose median price band moved",
    "forecast_mape_increase": "relative increase of the hold-out MAPE, released vs raw fit",
    "information_loss_max": "largest share of values generalised or suppressed in a column",
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Dimension(_Frozen):
    """A grouping of the fact table: a column of it, or a column of another table via a key."""

    column: str = Field(min_length=1, description="The grouping column (in `table` if given).")
    table: str | None = Field(
        None, description="Another table holding `column`; joined on `key` (e.g. vendors)."
    )
    key: str | None = Field(
        None, description="Join column, present in both tables under this name (e.g. vendor_id)."
    )

    @model_validator(mode="after")
    def _table_needs_key(self) -> Dimension:
        if (self.table is None) != (self.key is None):
            raise ValueError(
                f"utility dimension '{self.column}': table={self.table!r} and key={self.key!r} "
                "— give both (a lookup through another table) or neither (a fact-table column)"
            )
        return self


class Forecast(_Frozen):
    """The seasonal forecast fitted on raw and on released totals, scored on the same hold-out."""

    method: Literal["seasonal_naive", "ets"] = Field(
        "seasonal_naive", description="seasonal_naive (last season repeated) or ets (statsmodels)."
    )
    season_length: int = Field(12, ge=1, description="Periods per season (12 months, 7 days).")
    holdout_periods: int = Field(3, ge=1, description="Last periods held out for scoring.")


class Gate(_Frozen):
    """One requirement on a utility metric: a bound, and whether failing it stops the release."""

    metric: str = Field(min_length=1, description="A metric name (see docs/report.md).")
    min: float | None = Field(None, description="The metric must be at least this.")
    max: float | None = Field(None, description="The metric must be at most this.")
    on_fail: Literal["fail", "warn"] = Field(
        "fail", description="fail: no release is written; warn: released with a warning."
    )

    @model_validator(mode="after")
    def _known_and_bounded(self) -> Gate:
        if self.metric not in METRICS:
            raise ValueError(
                f"utility.gates: unknown metric {self.metric!r} — use one of "
                + ", ".join(sorted(METRICS))
            )
        if self.min is None and self.max is None:
            raise ValueError(
                f"utility.gates.{self.metric}: neither min nor max given — add a bound "
                "(e.g. max: 1.0)"
            )
        return self


class UtilityPolicy(_Frozen):
    """Analytics compared between the raw and the released data, and the gates on them."""

    table: str = Field(min_length=1, description="The fact table (e.g. sales); must be released.")
    time_column: str = Field(min_length=1, description="Date/time column of the fact table.")
    period: Literal["day", "week", "month", "quarter", "year"] = Field(
        "month", description="Period of the time series (at least as coarse as the release's)."
    )
    measure_column: str | None = Field(
        None, description="Numeric column summed (e.g. quantity); none: rows are counted."
    )
    price_column: str | None = Field(
        None, description="Unit price column for the price-band comparison (optional)."
    )
    vendor_column: str | None = Field(
        None, description="Vendor column of the fact table (default: the table's vendor_column)."
    )
    group_by: Dimension | None = Field(
        None, description="Dimension for seasonality and shares (e.g. region via vendors)."
    )
    category: Dimension | None = Field(
        None, description="Dimension for the median price bands (e.g. category via products)."
    )
    price_bands: list[float] | None = Field(
        None,
        min_length=1,
        description="Edges of the price bands; default: quintiles of the raw vendor medians.",
    )
    rolling_periods: int = Field(3, ge=2, description="Window of the rolling averages.")
    forecast: Forecast | None = Field(None, description="Seasonal forecast comparison.")
    gates: list[Gate] = Field(default_factory=list, description="Requirements on the metrics.")
