"""Column roles and the masking actions a policy can declare for a column.

Each action is a frozen model discriminated by ``action``; the operator that runs it lives in
``craftveil.operators`` (one file per operator). Every action carries ``role`` and ``why``: the
steward's reason is part of the masking record.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Role(StrEnum):
    """What a column is, in the field's terms (direct identifier, quasi-identifier, ...)."""

    identifier = "identifier"
    quasi_identifier = "quasi_identifier"
    sensitive = "sensitive"
    measure = "measure"
    other = "other"


class Frozen(BaseModel):
    """Base for policy models: immutable, unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Condition(Frozen):
    """A row condition on one column (exactly one comparison)."""

    column: str = Field(description="Column the condition tests.")
    equals: str | float | int | bool | None = Field(None, description="Value equals this.")
    one_of: list[str | float | int] | None = Field(None, description="Value is one of these.")
    less_than: float | None = Field(None, description="Numeric value is below this.")
    greater_than: float | None = Field(None, description="Numeric value is above this.")
    is_null: bool | None = Field(None, description="Value is missing (true) or present (false).")

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        given = [
            n
            for n in ("equals", "one_of", "less_than", "greater_than", "is_null")
            if getattr(self, n) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "a condition needs exactly one of equals|one_of|less_than|greater_than|is_null"
                f" (got {', '.join(given) or 'none'})"
            )
        return self


ColumnType = Literal["text", "integer", "decimal", "date", "timestamp", "boolean"]


class _Action(Frozen):
    role: Role = Field(description="What the column is: identifier, quasi_identifier, ...")
    why: str = Field(
        min_length=1, description="The steward's reason; copied to the masking record."
    )
    type: ColumnType | None = Field(
        None,
        description="Read the column as this type (default: detected; identifiers and codes are "
        "always read as text so leading zeros survive).",
    )


class Keep(_Action):
    """Release the column unchanged."""

    action: Literal["keep"]


class Drop(_Action):
    """Do not release the column."""

    action: Literal["drop"]


class Pseudonymize(_Action):
    """Replace values by keyed HMAC-SHA256 tokens, consistent across tables in one namespace."""

    action: Literal["pseudonymize"]
    namespace: str = Field(
        min_length=1,
        description="Token namespace: the same value in the same namespace gets the same token "
        "in every table (e.g. vendor, product).",
    )
    scope: Literal["stable", "release"] = Field(
        "stable",
        description="stable: same token in every release; release: tokens derived from the release "
        "name, so different releases cannot be linked.",
    )
    length: int = Field(16, ge=12, le=64, description="Hex characters of the token kept.")


class DateWindow(StrEnum):
    day = "day"
    week = "week"
    month = "month"
    quarter = "quarter"
    year = "year"


class Bands(Frozen):
    """Numeric bands: a fixed width or explicit edges, with optional bottom/top coding."""

    width: float | None = Field(None, gt=0, description="Band width (e.g. 10 → [10, 20)).")
    edges: list[float] | None = Field(None, min_length=2, description="Explicit increasing edges.")
    bottom: float | None = Field(None, description="Values below this are coded '< bottom'.")
    top: float | None = Field(None, description="Values at or above this are coded '>= top'.")

    @model_validator(mode="after")
    def _one_kind(self) -> Bands:
        if (self.width is None) == (self.edges is None):
            raise ValueError("bands need exactly one of width or edges")
        if self.edges is not None and any(
            b <= a for a, b in zip(self.edges, self.edges[1:], strict=False)
        ):
            raise ValueError(f"edges must be strictly increasing, got {self.edges}")
        if self.bottom is not None and self.top is not None and self.bottom >= self.top:
            raise ValueError(f"bottom ({self.bottom}) must be below top ({self.top})")
        return self


class RegionLookup(Frozen):
    """Coordinates → the name of the region whose bounding box contains the point."""

    file: str = Field(
        min_length=1,
        description="CSV (relative to the policy) with columns region, lat_min, lat_max, "
        "lon_min, lon_max; the first box that contains the point wins.",
    )
    latitude: str = Field(description="Latitude column of the same table.")
    longitude: str = Field(description="Longitude column of the same table.")


class HierarchyLevel(Frozen):
    name: str = Field(description="A hierarchy declared under `hierarchies:`.")
    level: int = Field(ge=0, description="Level to generalise to (0 = original value).")


class Generalize(_Action):
    """Coarsen values: date windows, numeric bands, hierarchy level, prefix, or coordinate grid."""

    action: Literal["generalize"]
    window: DateWindow | None = Field(None, description="Dates/timestamps → this window.")
    bands: Bands | None = Field(None, description="Numbers → bands.")
    hierarchy: HierarchyLevel | None = Field(None, description="Lookup in a declared hierarchy.")
    prefix: int | None = Field(None, ge=0, description="Keep this many leading characters.")
    grid_degrees: float | None = Field(
        None, gt=0, le=90, description="Coordinates → centre of a grid cell this many degrees wide."
    )
    regions: RegionLookup | None = Field(
        None, description="Coordinates → region name from a bounding-box lookup file."
    )
    fallback: str | None = Field(
        None,
        description="Label for values the hierarchy or region lookup does not cover; without "
        "it they are an error.",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Generalize:
        kinds = [
            n
            for n in ("window", "bands", "hierarchy", "prefix", "grid_degrees", "regions")
            if getattr(self, n) is not None
        ]
        if len(kinds) != 1:
            raise ValueError(
                "generalize needs exactly one of "
                "window|bands|hierarchy|prefix|grid_degrees|regions"
                f" (got {', '.join(kinds) or 'none'})"
            )
        return self

    @property
    def kind(self) -> str:
        for n in ("window", "bands", "hierarchy", "prefix", "grid_degrees", "regions"):
            if getattr(self, n) is not None:
                return n
        raise AssertionError("validated above")


class MaskCategories(_Action):
    """Categories → neutral labels ('blend A', ...) ordered by keyed hash; rare ones → 'other'."""

    action: Literal["mask_categories"]
    label: str = Field("category", min_length=1, description="Label stem, e.g. 'blend'.")
    min_vendors: int = Field(
        3, ge=1, description="Categories held by fewer distinct vendors are grouped into 'other'."
    )
    other_label: str = Field("other", description="Label for the rare categories.")


class BinRange(_Action):
    """Lot/batch numbers → a range bin (40213 → '40200–40299')."""

    action: Literal["bin_range"]
    width: int = Field(100, ge=2, description="Width of the range.")


class Rescale(_Action):
    """Quantities → a relative index (value / the vendor's or the category's median)."""

    action: Literal["rescale"]
    by: Literal["vendor_median", "category_median"] = Field(
        "vendor_median", description="Divide by the vendor's own median or the category's median."
    )
    category_column: str | None = Field(
        None, description="Column defining the category (needed for category_median)."
    )
    decimals: int = Field(3, ge=0, le=9, description="Decimals kept in the index.")

    @model_validator(mode="after")
    def _needs_category(self) -> Rescale:
        if self.by == "category_median" and not self.category_column:
            raise ValueError("by: category_median needs category_column")
        return self


class Suppress(_Action):
    """Set the column to null, everywhere or only on rows matching ``when``."""

    action: Literal["suppress"]
    when: Condition | None = Field(None, description="Only on rows matching this condition.")


ColumnSpec = Annotated[
    Keep | Drop | Pseudonymize | Generalize | MaskCategories | BinRange | Rescale | Suppress,
    Field(discriminator="action"),
]
ACTION_NAMES = (
    "keep",
    "drop",
    "pseudonymize",
    "generalize",
    "mask_categories",
    "bin_range",
    "rescale",
    "suppress",
)
