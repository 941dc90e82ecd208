"""The report's sections: a registry from journal step to the renderer of its section.

Each pipeline step contributes its own section (STYLE.md: reports are views of the journal):
the section holds the step's journal sentences and the JSON-able results it left in
``ctx.sections[step]``. Steps without a dedicated renderer (risk, aggregates, dp, and any later
one) get the generic one, so a new step appears in the report without a change here. One rule
applies to every section: example *values* of the raw data (e.g. the smallest equivalence
classes before masking) are withheld — the report describes the release, it must not republish
what the release removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from craftveil.reporting.claims import claim_sentences

#: Keys whose values are raw data examples; replaced by a count in every section.
WITHHELD_KEYS = frozenset({"values", "smallest_classes", "examples", "sample_rows"})


@dataclass(frozen=True)
class ReportInput:
    """Everything the report is a view of (plain data: no engine objects)."""

    release_name: str
    dataset: str
    journal: list[dict[str, Any]]
    sections: dict[str, Any]
    guarantees: dict[str, dict[str, Any]]
    masking: dict[str, Any]
    manifest: dict[str, Any]
    lineage_fields: list[dict[str, Any]]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    sentences: list[str]
    data: Any
    charts: list[dict[str, Any]] = field(default_factory=list)


def withhold(value: Any) -> Any:
    """A copy of a JSON-like value with raw data examples replaced by their count."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k in WITHHELD_KEYS:
                n = len(v) if isinstance(v, list | dict) else 1
                out[k] = f"({n} raw example(s) withheld from the report)"
            else:
                out[k] = withhold(v)
        return out
    if isinstance(value, list):
        return [withhold(v) for v in value]
    return value


def _sentences(inp: ReportInput, step: str) -> list[str]:
    return [str(e["sentence"]) for e in inp.journal if e["step"] == step]


def _summary(inp: ReportInput) -> Section:
    tables = [
        {"table": o["table"], "tier": o["tier"], "rows": o["rows"]}
        for o in inp.manifest.get("outputs", [])
        if o["format"] == "parquet"
        or not any(
            p["table"] == o["table"] and p["format"] == "parquet"
            for p in inp.manifest.get("outputs", [])
        )
    ]
    claims = [claim_sentences(table, g) for table, g in sorted(inp.guarantees.items())]
    data = {"dataset": inp.dataset, "privacy_unit": "vendor", "tables": tables}
    return Section("summary", "Summary", claims, data)


def _masking(inp: ReportInput) -> Section:
    rows = []
    for table, rec in inp.masking["tables"].items():
        for column, c in rec["columns"].items():
            rows.append(
                {
                    "table": table,
                    "column": column,
                    "role": c["role"],
                    "action": c["action"],
                    "why": c["why"],
                    "distinct before": c.get("distinct_before"),
                    "distinct after": c.get("distinct_after"),
                    "changed": c.get("changed"),
                    "nulled": c.get("nulled"),
                }
            )
    return Section("mask", "Masking record", [], {"columns": rows})


def _utility(inp: ReportInput) -> Section | None:
    u = inp.sections.get("utility")
    if u is None:
        return None
    data = {
        "metrics": u["metrics"],
        "gates": u["gates"],
        "seasonality": {k: v for k, v in u["seasonality"].items() if k != "series"},
        "rolling and velocity": u["rolling"],
        "shares": u["shares"],
        "price bands": u["price_bands"],
        "forecast": u["forecast"],
        "information loss": u["information_loss"],
        "impact of each masking choice alone": [
            {
                "table": e["table"],
                "column": e["column"],
                "action": e["action"],
                **(e.get("metrics") or {"not comparable": e.get("not_comparable", "")}),
            }
            for e in u.get("impact_by_choice", [])
        ],
    }
    from craftveil.reporting.charts import utility_charts  # Altair loads only for charts

    return Section(
        "utility", "Utility: raw vs released", _sentences(inp, "utility"), data, utility_charts(u)
    )


def _governance(inp: ReportInput) -> Section | None:
    g = inp.sections.get("governance")
    if g is None:
        return None
    return Section("governance", "Governance", _sentences(inp, "governance"), g)


def _lineage(inp: ReportInput) -> Section:
    return Section("lineage", "Lineage", [], {"fields": inp.lineage_fields})


def _generic(step: str, title: str) -> Callable[[ReportInput], Section | None]:
    def render(inp: ReportInput) -> Section | None:
        sentences = _sentences(inp, step)
        data = inp.sections.get(step)
        if data is None and not sentences:
            return None
        return Section(step, title, sentences, withhold(data) if data is not None else {})

    return render


#: Journal step → renderer, in report order. Unknown steps are appended with the generic one.
SECTIONS: dict[str, Callable[[ReportInput], Section | None]] = {
    "summary": _summary,
    "mask": _masking,
    "risk": _generic("risk", "Re-identification risk (before / after)"),
    "aggregates": _generic("aggregates", "Aggregate tables and their suppression"),
    "dp": _generic("dp", "Differentially private statistics"),
    "utility": _utility,
    "governance": _governance,
    "lineage": _lineage,
}

_NOT_SECTIONS = {"load", "write", "guarantees"}


def build_sections(inp: ReportInput) -> list[Section]:
    built = [s for render in SECTIONS.values() if (s := render(inp)) is not None]
    seen = set(SECTIONS) | _NOT_SECTIONS
    for step in dict.fromkeys(e["step"] for e in inp.journal):
        if step not in seen:
            section = _generic(step, step.replace("_", " ").capitalize())(inp)
            if section is not None:
                built.append(section)
    return built
