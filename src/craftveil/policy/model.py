"""The policy: frozen, validated declaration of what a release may contain and how.

Declaration apart from execution (STYLE.md): nothing here touches data. ``load.py`` turns YAML into
a :class:`Policy` and reports every problem at once with its location; ``schema.py`` publishes the
JSON Schema generated from these models.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Literal

from pydantic import Field, field_validator, model_validator

from craftveil.policy.aggregates import AggregatesPolicy
from craftveil.policy.columns import ColumnSpec, Condition, Frozen, Role
from craftveil.policy.dp import DPPolicy
from craftveil.policy.risk import RiskPolicy
from craftveil.policy.utility import UtilityPolicy

POLICY_VERSION = 1


class PrivacyUnit(Frozen):
    """The unit every guarantee is stated for. craftveil's unit is the vendor."""

    name: Literal["vendor"] = Field("vendor", description="The privacy unit: always the vendor.")
    description: str = Field("", description="What a vendor is in this dataset.")


class Secret(Frozen):
    """Where the secret key is: an environment variable or a file. Never the key itself."""

    env: str | None = Field(None, description="Name of the environment variable holding the key.")
    file: str | None = Field(None, description="Path (relative to the policy) of the key file.")

    @model_validator(mode="after")
    def _exactly_one(self) -> Secret:
        if (self.env is None) == (self.file is None):
            raise ValueError("secret needs exactly one of env: or file: (never the key itself)")
        return self


class Governance(Frozen):
    """Who owns the data, which analyses are permitted, and when the policy was last reviewed."""

    owner: str = Field(min_length=1, description="Person or role accountable for releases.")
    contact: str = Field("", description="How vendors reach the owner.")
    permitted_analyses: list[str] = Field(
        default_factory=lambda: ["microdata"],
        description="Analyses this policy permits: microdata, aggregates, dp, or named statistics.",
    )
    review_cadence_days: int = Field(365, ge=1, description="Days between policy reviews.")
    last_review: dt.date = Field(description="Date of the last review (YYYY-MM-DD).")


class CsvOptions(Frozen):
    """How to read a CSV source."""

    delimiter: str = Field(",", min_length=1, max_length=1, description="Field separator.")
    quote: str = Field('"', min_length=1, max_length=1, description="Quote character.")
    header: bool = Field(True, description="First line holds the column names.")
    encoding: Literal["utf-8", "latin-1", "utf-16"] = Field("utf-8", description="File encoding.")
    null_values: list[str] = Field(
        default_factory=list, description="Strings read as missing (e.g. NA, None); '' always is."
    )


class RowFilter(Frozen):
    """Rows matching ``where`` are not released."""

    where: Condition = Field(description="Rows matching this are dropped.")
    why: str = Field(min_length=1, description="The reason, copied to the masking record.")


class TableSpec(Frozen):
    """One source table and what to do with each of its columns."""

    path: str = Field(min_length=1, description="CSV or Parquet file, relative to the policy file.")
    format: Literal["csv", "parquet"] | None = Field(None, description="Default: from the suffix.")
    csv: CsvOptions = Field(default_factory=CsvOptions, description="CSV reading options.")
    vendor_column: str | None = Field(
        description="The column identifying the vendor (privacy unit) in this table; null only "
        "for tables that hold no vendor data (then say why in `description`)."
    )
    rows_are_vendors: bool = Field(
        False,
        description="Each row is its own vendor (one row per unit and no id column, e.g. a "
        "census extract): vendors are counted as rows. Needs vendor_column: null.",
    )
    description: str = Field("", description="What the table holds.")
    release: bool = Field(True, description="false: the table is used but not released.")
    tier: Literal["public", "restricted"] = Field("public", description="Who may see the release.")
    unlisted_columns: Literal["refuse", "drop"] = Field(
        "refuse",
        description="Columns in the data but not in `columns`: refuse (default — an unlisted "
        "column may be an identifier) or drop them.",
    )
    columns: dict[str, ColumnSpec] = Field(description="Every column and its action.")
    drop_rows: list[RowFilter] = Field(default_factory=list, description="Rows not released.")
    risk: RiskPolicy | None = Field(
        None,
        description="Re-identification risk requirements on this table's quasi-identifiers "
        "(k counted in distinct vendors, l, t, average risk, suppression limit).",
    )

    @property
    def quasi_identifiers(self) -> list[str]:
        return [c for c, s in self.columns.items() if s.role is Role.quasi_identifier]

    @property
    def sensitive(self) -> list[str]:
        return [c for c, s in self.columns.items() if s.role is Role.sensitive]


class ArxHierarchy(Frozen):
    """A hierarchy CSV in ARX's format (';'-separated, no header, column i = level i)."""

    file: str = Field(min_length=1, description="Path relative to the policy file.")


class PrefixHierarchy(Frozen):
    """Generalise codes by keeping fewer leading characters at each level."""

    prefix: list[int] = Field(
        min_length=1, description="Characters kept per level, e.g. [4, 3, 1]."
    )
    pad_to: int | None = Field(
        None,
        ge=1,
        description="Left-pad codes with zeros to this length first (zip codes that lost their "
        "leading zero, e.g. 5828 → 05828).",
    )

    @field_validator("prefix")
    @classmethod
    def _decreasing(cls, v: list[int]) -> list[int]:
        if any(b >= a for a, b in itertools.pairwise(v)) or min(v) < 0:
            raise ValueError(f"prefix lengths must be non-negative and decreasing, got {v}")
        return v


class AggregatesSection(AggregatesPolicy):
    """Aggregate tables with disclosure control, computed from one source table."""

    table: str = Field(
        min_length=1, description="Source table the statistics are computed from (raw values)."
    )


class DPSection(DPPolicy):
    """Differentially private statistics, computed from one source table."""

    table: str = Field(
        min_length=1, description="Source table the statistics are computed from (raw values)."
    )


class Output(Frozen):
    csv: bool = Field(True, description="Write each released table as CSV.")
    parquet: bool = Field(True, description="Write each released table as Parquet.")


class Policy(Frozen):
    """A craftveil policy (YAML). Unknown keys are errors; paths are relative to the policy file."""

    version: Literal[1] = Field(description="Policy format version.")
    name: str = Field(
        min_length=1,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="The release's name; release-scoped pseudonyms derive from it.",
    )
    dataset: str = Field(min_length=1, description="Dataset identifier (history, DP ledger).")
    description: str = Field("", description="What this release is for.")
    privacy_unit: PrivacyUnit = Field(default_factory=PrivacyUnit, description="Always the vendor.")
    secret: Secret = Field(description="Where the HMAC key is (env: or file:).")
    governance: Governance = Field(description="Owner, permitted analyses, review cadence.")
    hierarchies: dict[str, ArxHierarchy | PrefixHierarchy] = Field(
        default_factory=dict, description="Named generalisation hierarchies."
    )
    tables: dict[str, TableSpec] = Field(min_length=1, description="Source tables.")
    output: Output = Field(default_factory=Output, description="Output formats.")
    aggregates: AggregatesSection | None = Field(
        None, description="Tables of statistics with disclosure control."
    )
    dp: DPSection | None = Field(None, description="Differentially private statistics.")
    utility: UtilityPolicy | None = Field(
        None, description="Analytics compared raw vs released, and the gates on them."
    )
