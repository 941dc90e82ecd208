"""The incident log: append-only JSON lines whose hash chain exposes any edit."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from craftveil.cli.app import app
from craftveil.errors import DataError
from craftveil.governance.incidents import GENESIS, LOG_NAME, add_incident, read_log

WHEN = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)


def _three(tmp_path: Path) -> Path:
    for i, text in enumerate(["Key file mailed in clear", "Wrong tier", "Late review"], 1):
        add_incident(tmp_path, text, severity="high", release=f"r{i}", recorded_at=WHEN)
    return tmp_path / LOG_NAME


def test_entries_chain_by_sha256_of_their_content(tmp_path: Path) -> None:
    log = _three(tmp_path)
    entries = read_log(log)
    assert [e["sequence"] for e in entries] == [1, 2, 3]
    assert entries[0]["prev_hash"] == GENESIS
    for prev, entry in zip([None, *entries], entries, strict=False):
        if prev is not None:
            assert entry["prev_hash"] == prev["hash"]
        content = {k: v for k, v in entry.items() if k != "hash"}
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        assert entry["hash"] == hashlib.sha256(canonical.encode()).hexdigest()


def test_an_edited_entry_is_detected_with_its_line(tmp_path: Path) -> None:
    log = _three(tmp_path)
    lines = log.read_text().splitlines()
    lines[1] = lines[1].replace("Wrong tier", "Nothing happened")
    log.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"incidents\.jsonl:2: the hash chain is broken"):
        read_log(log)
    with pytest.raises(DataError, match="hash chain is broken"):
        add_incident(tmp_path, "another")  # nothing is appended to a tampered log
    assert len(log.read_text().splitlines()) == 3


def test_a_removed_entry_is_detected(tmp_path: Path) -> None:
    log = _three(tmp_path)
    lines = log.read_text().splitlines()
    log.write_text("\n".join([lines[0], lines[2]]) + "\n")
    with pytest.raises(DataError, match=r":2: the hash chain is broken"):
        read_log(log)


def test_bad_input_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="severity 'urgent' is not one of low, medium, high"):
        add_incident(tmp_path, "x", severity="urgent")
    with pytest.raises(DataError, match="needs a summary"):
        add_incident(tmp_path, "  ")
    with pytest.raises(DataError, match="not a directory"):
        add_incident(tmp_path / "missing", "x")


def test_cli_add_and_list(tmp_path: Path) -> None:
    runner = CliRunner()
    added = runner.invoke(
        app,
        [
            "incident",
            "add",
            "Vendor asked for removal",
            "--dir",
            str(tmp_path),
            "--severity",
            "low",
            "--release",
            "artisan-2026q4",
        ],
    )
    assert added.exit_code == 0, added.output
    assert "Incident 1 recorded" in added.output
    listed = runner.invoke(app, ["incident", "list", "--dir", str(tmp_path)])
    assert listed.exit_code == 0, listed.output
    assert "Vendor" in listed.output
    assert "artisan" in listed.output
    assert read_log(tmp_path / LOG_NAME)[0]["summary"] == "Vendor asked for removal"
    assert "Hash chain verified (1 entries)" in listed.output
    log = tmp_path / LOG_NAME
    log.write_text(log.read_text().replace("low", "high"))
    broken = runner.invoke(app, ["incident", "list", "--dir", str(tmp_path)])
    assert broken.exit_code != 0
    assert "hash chain is broken" in broken.output
