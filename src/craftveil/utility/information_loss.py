"""Information loss of the microdata: the share of values changed or removed, per column.

Read from the masking step's measurements (``changed`` / ``nulled`` per released column), so no
data is scanned again — the ESSnet SDC handbook's simplest loss measures (§3.3.1: proportion of
generalised and suppressed values). Pseudonyms are excluded: a keyed token is a one-to-one
renaming and loses nothing an analysis can use. When the risk step ran and measured ARX's
non-uniform entropy, it is carried over from its section unchanged.
"""

from __future__ import annotations

from typing import Any


def information_loss(
    tables: dict[str, tuple[int, dict[str, dict[str, Any]]]], risk_section: Any
) -> dict[str, Any]:
    """``tables``: name → (rows released, the masking record's columns)."""
    rows: list[dict[str, Any]] = []
    for table, (rows_out, columns) in sorted(tables.items()):
        for column, rec in columns.items():
            if "changed" not in rec or rec.get("action") in {"pseudonymize", "drop"}:
                continue
            nulled = int(rec.get("nulled", 0))
            changed = int(rec.get("changed", 0))
            rows.append(
                {
                    "table": table,
                    "column": column,
                    "action": rec.get("action"),
                    "generalised": (changed - nulled) / rows_out if rows_out else 0.0,
                    "suppressed": nulled / rows_out if rows_out else 0.0,
                }
            )
    loss = max((r["generalised"] + r["suppressed"] for r in rows), default=0.0)
    return {
        "columns": rows,
        "max": loss,
        "non_uniform_entropy": _entropy(risk_section),
    }


def _entropy(risk_section: Any) -> dict[str, Any] | None:
    """Per table, the non-uniform entropy the risk step's search minimised (if it did)."""
    found: dict[str, Any] = {}
    if isinstance(risk_section, dict):
        for table, entry in risk_section.items():
            search = entry.get("search") if isinstance(entry, dict) else None
            if isinstance(search, dict) and search.get("objective") == "non_uniform_entropy":
                found[table] = search.get("objective_value")
    if not found and (value := _find(risk_section, "non_uniform_entropy")) is not None:
        found["all"] = value
    return found or None


def _find(section: Any, key: str) -> Any:
    """The first value stored under ``key`` anywhere in a JSON-like section (or None)."""
    if isinstance(section, dict):
        if key in section:
            return section[key]
        for value in section.values():
            found = _find(value, key)
            if found is not None:
                return found
    elif isinstance(section, list):
        for value in section:
            found = _find(value, key)
            if found is not None:
                return found
    return None
