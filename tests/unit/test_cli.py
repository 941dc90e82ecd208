"""The command line: thin wrappers, clear messages, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from craftveil.cli.app import app
from craftveil.cli.demo import demo_policy_text

runner = CliRunner()


def test_demo_writes_data_policy_key_and_release(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "data" / "sales.csv").is_file()
    assert (out / "policy.yaml").read_text() == demo_policy_text()
    assert len((out / "secret.key").read_text().strip()) == 64
    manifest = json.loads((out / "release" / "manifest.json").read_text())
    assert manifest["release_name"] == "artisan-demo-2026q4"
    assert "masking record" in result.output
    assert str(out / "release") in result.output.replace("\n", "")
    again = runner.invoke(app, ["demo", "--out", str(out)])
    assert again.exit_code == 2
    assert "already exists" in again.output


def test_check_reports_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    text = (
        demo_policy_text()
        .replace("window: month", "window: quarterly")
        .replace(
            "  owner: Cooperative data steward", "  owner: Cooperative data steward\n  ownr: x"
        )
    )
    policy.write_text(text)
    result = runner.invoke(app, ["check", str(policy), "--no-data"])
    assert result.exit_code == 2
    out = " ".join(result.output.split())
    assert "tables.sales.columns.sold_at.window" in out
    assert '"quarterly" is not one of day|week|month|quarter|year' in out
    assert "governance.ownr" in out
    assert "2 problem(s); nothing was written." in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["policy.yaml"]


def test_check_with_data_and_release_refusing_existing_output(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    assert runner.invoke(app, ["demo", "--out", str(demo)]).exit_code == 0
    ok = runner.invoke(app, ["check", str(demo / "policy.yaml")])
    assert ok.exit_code == 0, ok.output
    assert "is valid against the data: 6 tables" in ok.output
    shutil.rmtree(demo / "release")
    first = runner.invoke(app, ["release", str(demo / "policy.yaml"), "--out", str(demo / "r")])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["release", str(demo / "policy.yaml"), "--out", str(demo / "r")])
    assert second.exit_code == 2
    assert "already exists" in second.output
    assert "--overwrite" in second.output
    third = runner.invoke(
        app, ["release", str(demo / "policy.yaml"), "--out", str(demo / "r"), "--overwrite"]
    )
    assert third.exit_code == 0, third.output


def test_schema_command_prints_json_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output)["title"] == "craftveil policy"
