"""The risk section of a release: machine-readable ``to_dict`` and human-readable ``to_text``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RiskReport:
    """All risk measures of one table state (before or after masking), as plain JSON-able data."""

    data: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def to_dict(self) -> dict[str, Any]:
        return self.data

    def to_text(self) -> str:
        """A few plain sentences for the steward."""
        d = self.data
        if "k_vendors" not in d:
            return f"All {d['suppressed_rows']} rows are suppressed; nothing identifies a vendor."
        pv = d["prosecutor"]["vendor_level"]
        lines = [
            f"{d['vendors']} vendors in {d['rows']} rows form {d['classes']} classes on "
            f"{', '.join(d['quasi_identifiers'])}.",
            f"Every class holds at least {d['k_vendors']} distinct vendors "
            f"({d['k_rows']} rows); {d['suppressed_rows']} rows are suppressed.",
            f"Average vendor re-identification risk {pv['average']:.4f}, highest "
            f"{pv['highest']:.4f}; {pv['vendors_at_risk']} vendors above {pv['threshold']:.2f}.",
            f"{d['sample_uniqueness']['vendors']:.2%} of vendors are unique on these attributes.",
        ]
        if "below_k" in d:
            b = d["below_k"]
            lines.append(
                f"{b['vendors']} vendors ({b['rows']} rows) sit in {b['classes']} classes below "
                f"k={b['k']}."
            )
        vi = d["vendor_inference"]
        if vi["classes"]:
            lines.append(
                f"{vi['classes']} classes look safe by row count but hold too few vendors "
                f"({vi['vendors']} vendors, {vi['rows']} rows)."
            )
        combos = d["combinations"]["combinations"]
        if combos and combos[0]["unique_vendors"]:
            top = combos[0]
            lines.append(
                f"Most identifying combination: {' + '.join(top['attributes'])} singles out "
                f"{top['unique_vendors']} vendors."
            )
        return "\n".join(lines)
