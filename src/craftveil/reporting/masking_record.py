"""``masking.md``: the masking record (built by ``pipeline.records``) rendered for a
non-programmer reviewer — every column of every source table: what, why, effect.
"""

from __future__ import annotations

from typing import Any


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "–"


def _effect(rec: dict[str, Any], rows: int) -> str:
    if "distinct_after" not in rec:
        return "not released"
    return (
        f"{rec['distinct_before']:,} → {rec['distinct_after']:,} distinct; "
        f"{_pct(rec['changed'], rows)} changed; {_pct(rec['nulled'], rows)} nulled"
    )


def render_masking_markdown(record: dict[str, Any]) -> str:
    lines = [f"# Masking record — release `{record['release_name']}`", ""]
    lines.append(
        "Every column of every source table: what was done, why (from the policy), and its "
        "measured effect on the released data."
    )
    for name, table in record["tables"].items():
        lines += ["", f"## Table `{name}`", ""]
        if not table["released"]:
            lines.append(f"Not released ({table['rows_in']:,} rows read and used only as input).")
            lines.append("")
            lines.append("| column | role | action | why |")
            lines.append("|---|---|---|---|")
            for c, rec in table["columns"].items():
                lines.append(f"| `{c}` | {rec['role']} | {rec['action']} | {_cell(rec['why'])} |")
            continue
        rows_out = table["rows_out"] or 0
        lines.append(
            f"Tier: **{table['tier']}**. Rows: {table['rows_in']:,} read, {rows_out:,} released."
        )
        for drop in table["rows_dropped"]:
            lines.append(f"- {drop['rows']:,} rows dropped: {drop['reason']}")
        lines += ["", "| column | role | action | why | effect |", "|---|---|---|---|---|"]
        for c, rec in table["columns"].items():
            action = rec["action"]
            params = rec.get("parameters") or {}
            if params:
                action += " (" + ", ".join(f"{k}={v}" for k, v in params.items()) + ")"
            lines.append(
                f"| `{c}` | {rec['role']} | {_cell(action)} | {_cell(rec['why'])} | "
                f"{_effect(rec, rows_out)} |"
            )
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_impact_markdown(utility: dict[str, Any] | None) -> str:
    """The measured impact of the masking on the policy's analytics (empty without `utility:`).

    Appended to ``masking.md`` when the utility step ran; the record above is unchanged. Per
    column: the share of values generalised and suppressed; for the analytics: each metric
    raw vs released and each gate's verdict. The impact is measured for the release as a whole
    — attributing it to one column would need one release per choice.
    """
    if utility is None:
        return ""
    lines = ["", "## Measured impact on the analytics", ""]
    lines.append(
        f"Analyses of `{utility['table']}` ({utility['measure']} per {utility['period']}"
        + (f" and {utility['group_by']}" if utility["group_by"] else "")
        + ") run on the raw and on the released data."
    )
    lines += ["", "| table | column | action | generalised | suppressed |", "|---|---|---|---|---|"]
    for row in utility["information_loss"]["columns"]:
        lines.append(
            f"| `{row['table']}` | `{row['column']}` | {row['action']} | "
            f"{100 * row['generalised']:.1f}% | {100 * row['suppressed']:.1f}% |"
        )
    lines += ["", "| metric | value |", "|---|---|"]
    for name, value in utility["metrics"].items():
        lines.append(f"| {name} | {'not computed' if value is None else f'{value:.4g}'} |")
    if utility.get("gates"):
        lines += ["", "| gate | value | required | verdict |", "|---|---|---|---|"]
        for g in utility["gates"]:
            bound = " and ".join(
                f"{w} {g[k]:g}" for k, w in (("min", "≥"), ("max", "≤")) if g[k] is not None
            )
            verdict = "passed" if g["passed"] else f"FAILED ({g['on_fail']})"
            lines.append(f"| {g['metric']} | {g['value']:.4g} | {bound} | {verdict} |")
    lines += _impact_by_choice(utility.get("impact_by_choice") or [])
    return "\n".join(lines) + "\n"


IMPACT_METRICS = (
    "seasonality_correlation",
    "regional_share_max_error_pp",
    "price_band_agreement",
    "forecast_mape_increase",
)


def _impact_by_choice(impacts: list[dict[str, Any]]) -> list[str]:
    """Each masking choice alone: the raw data with only that column as released."""
    if not impacts:
        return []
    lines = [
        "",
        "### Impact of each masking choice alone",
        "",
        "The same analytics on the raw data with only this column as released (everything else "
        "raw): what this one choice costs.",
        "",
        "| table | column | action | " + " | ".join(IMPACT_METRICS) + " |",
        "|---|---|---|" + "---|" * len(IMPACT_METRICS),
    ]
    for entry in impacts:
        if "metrics" in entry:
            values = [entry["metrics"].get(m) for m in IMPACT_METRICS]
            cells = ["–" if v is None else f"{v:.4g}" for v in values]
        else:
            cells = [f"not comparable: {entry['not_comparable']}"] + [""] * (
                len(IMPACT_METRICS) - 1
            )
        lines.append(
            f"| `{entry['table']}` | `{entry['column']}` | {entry['action']} | "
            + " | ".join(_cell(c) for c in cells)
            + " |"
        )
    return lines
