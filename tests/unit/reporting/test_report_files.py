"""The report files of a release: present, sectioned by step, reproducible, no raw examples."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from tests.helpers import KEY_TEXT

from craftveil.pipeline import release
from craftveil.reporting.masking_record import render_masking_markdown

FIXED = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
REPORT_FILES = ("report.html", "report.json", "privacy_notice.md", "lineage.json")


def test_report_sections_follow_the_journal_steps(report_project_dp: Path) -> None:
    result = release(report_project_dp / "policy.yaml", report_project_dp / "out")
    report = json.loads((result.directory / "report.json").read_text())
    ids = [s["id"] for s in report["sections"]]
    journal = json.loads((result.directory / "journal.json").read_text())
    steps = list(dict.fromkeys(e["step"] for e in journal))
    # every step that journals something of its own has its section (in the registry's order)
    own = [s for s in steps if s not in {"load", "write", "guarantees", "report"}]
    assert set(own) <= set(ids)
    assert len(ids) == len(set(ids))
    assert ids[:2] == ["summary", "mask"]
    assert ids[-1] == "lineage"
    for step in ("risk", "dp"):
        if step in steps:
            sentences = [e["sentence"] for e in journal if e["step"] == step]
            section = next(s for s in report["sections"] if s["id"] == step)
            assert section["sentences"] == sentences
    assert journal[-1]["step"] == "report"  # the report step journals itself


def test_reports_are_reproducible_byte_for_byte(report_project: Path) -> None:
    a = release(report_project / "policy.yaml", report_project / "a", created_at=FIXED)
    b = release(report_project / "policy.yaml", report_project / "b", created_at=FIXED)
    for name in (*REPORT_FILES, "masking.md", "journal.json"):
        assert (a.directory / name).read_bytes() == (b.directory / name).read_bytes(), name
    lineage = json.loads((a.directory / "lineage.json").read_text())
    assert lineage[0]["eventTime"] == a.manifest["created_at"]  # the manifest's time, not now
    c = release(report_project / "policy.yaml", report_project / "c")
    assert (a.directory / "report.json").read_bytes() == (c.directory / "report.json").read_bytes()


def test_no_raw_quasi_identifier_value_or_key_reaches_the_report(report_project: Path) -> None:
    result = release(report_project / "policy.yaml", report_project / "out")
    vendors = pd.read_csv(report_project / "data" / "vendors.csv", dtype=str)
    texts = {n: (result.directory / n).read_text() for n in REPORT_FILES}
    # Cities are dropped from the release; the risk step's raw examples name them.
    for city in set(vendors["city"].dropna()) - set(vendors["region"].dropna()):
        for name, text in texts.items():
            assert f'"{city}"' not in text, (city, name)
            assert f">{city}<" not in text, (city, name)
    for value in vendors["vendor_id"]:
        assert all(value not in t for t in texts.values())
    for text in texts.values():
        assert KEY_TEXT not in text
    html = texts["report.html"]
    assert "raw example(s) withheld from the report" in html


def test_masking_md_keeps_its_record_and_adds_the_measured_impact(report_project: Path) -> None:
    result = release(report_project / "policy.yaml", report_project / "out")
    text = (result.directory / "masking.md").read_text()
    record = json.loads((result.directory / "masking.json").read_text())
    before = render_masking_markdown(record)
    assert text.startswith(before)  # the existing record, unchanged
    impact = text[len(before) :]
    assert "## Measured impact on the analytics" in impact
    assert "| `sales` | `unit_price` | suppress |" in impact
    assert "| seasonality_correlation |" in impact


def test_lineage_names_every_released_field_with_its_source(report_project_dp: Path) -> None:
    result = release(report_project_dp / "policy.yaml", report_project_dp / "out")
    events = json.loads((result.directory / "lineage.json").read_text())
    run = events[0]
    assert run["eventType"] == "COMPLETE"
    uuid.UUID(run["run"]["runId"])
    assert run["schemaURL"].endswith("#/$defs/RunEvent")
    assert all(e["schemaURL"].endswith("#/$defs/DatasetEvent") for e in events[1:])
    inputs = {i["table"]: i["file"] for i in result.manifest["inputs"]}
    record = json.loads((result.directory / "masking.json").read_text())
    outputs = {o["name"]: o for o in run["outputs"]}
    for out in result.manifest["outputs"]:
        if out["format"] != "parquet":
            continue
        columns = pq.read_schema(result.directory / out["path"]).names
        facet = outputs[out["path"]]["facets"]["columnLineage"]["fields"]
        assert sorted(facet) == sorted(columns), out["path"]
        if out["table"] not in record["tables"]:  # a statistics table (e.g. the DP step's)
            for column in columns:
                (source,) = facet[column]["inputFields"]
                assert source["transformations"][0]["subtype"] in {"GROUP_BY", "AGGREGATION"}
            continue
        for column in columns:
            (source,) = facet[column]["inputFields"]
            assert source["name"] == inputs[out["table"]]
            assert source["field"] == column
            action = record["tables"][out["table"]]["columns"][column]["action"]
            first = source["transformations"][0]
            assert first["description"].startswith(action + ":")
            assert first["masking"] is (action != "keep")
