"""The section registry: each step its own section, unknown steps rendered generically."""

from __future__ import annotations

from craftveil.reporting.report_html import render_report_html, render_value
from craftveil.reporting.sections import ReportInput, build_sections, withhold


def _input(journal: list[dict], sections: dict) -> ReportInput:  # type: ignore[type-arg]
    return ReportInput(
        release_name="r",
        dataset="d",
        journal=journal,
        sections=sections,
        guarantees={},
        masking={"release_name": "r", "tables": {}},
        manifest={"outputs": []},
        lineage_fields=[],
    )


def test_steps_without_a_renderer_get_a_generic_section() -> None:
    journal = [
        {"step": "aggregates", "sentence": "Table t: 3 cells suppressed.", "table": "t"},
        {"step": "dp", "sentence": "Mean price released with margin 0.4.", "table": "t"},
        {"step": "future_step", "sentence": "Something new.", "table": None},
        {"step": "write", "sentence": "Wrote.", "table": "t"},
    ]
    sections = {"dp": {"statistics": [{"name": "mean_price", "margin_of_error": 0.4}]}}
    built = build_sections(_input(journal, sections))
    ids = [s.id for s in built]
    assert ids == ["summary", "mask", "aggregates", "dp", "lineage", "future_step"]
    dp = next(s for s in built if s.id == "dp")
    assert dp.sentences == ["Mean price released with margin 0.4."]
    assert dp.data == sections["dp"]


def test_raw_examples_are_withheld_everywhere() -> None:
    data = {"t": {"before": {"smallest_classes": [{"values": {"city": "Alder Bay"}}], "k": 1}}}
    out = withhold(data)
    assert out["t"]["before"]["k"] == 1
    assert out["t"]["before"]["smallest_classes"] == "(1 raw example(s) withheld from the report)"
    assert "Alder Bay" not in str(out)


def test_values_are_escaped_in_html() -> None:
    assert render_value({"a<b": "<script>x</script>"}) == (
        "<dl><dt>a&lt;b</dt><dd>&lt;script&gt;x&lt;/script&gt;</dd></dl>"
    )
    page = render_report_html("r<1>", "d", build_sections(_input([], {})))
    assert "<title>Release report — r&lt;1&gt;</title>" in page
    assert page.count("<script>") == 1  # the loader; the bundle is an inert data block
    assert "src=" not in page.split("<style>")[0]
    assert "<script src" not in page
