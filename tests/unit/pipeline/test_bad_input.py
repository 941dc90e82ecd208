"""Bad input: a clear error naming the file/row/column/policy key and the fix; nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.helpers import edit_policy

from craftveil.api import check
from craftveil.errors import DataError, PolicyError, SecretError
from craftveil.pipeline import release


def _assert_nothing_written(project: Path) -> None:
    assert sorted(p.name for p in project.iterdir()) == ["data", "policy.yaml", "secret.key"]


def _problems(exc: pytest.ExceptionInfo[PolicyError]) -> list[str]:
    return [str(p) for p in exc.value.problems]


def test_missing_file(project: Path) -> None:
    (project / "data" / "materials.csv").unlink()
    with pytest.raises(PolicyError) as info:
        release(project / "policy.yaml", project / "release")
    (problem,) = _problems(info)
    assert problem.startswith("tables.materials.path: file ")
    assert "materials.csv not found — paths are relative to the policy file" in problem
    _assert_nothing_written(project)


def test_unclosed_quote_names_the_line(project: Path) -> None:
    path = project / "data" / "suppliers.csv"
    lines = path.read_text().splitlines()
    lines[4] = lines[4].replace(",", ',"', 1)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises((PolicyError, DataError)) as info:
        release(project / "policy.yaml", project / "release")
    assert "suppliers.csv" in str(info.value)
    assert "line 5: " in str(info.value)
    assert "an opening quote is probably never closed; fix the quoting of that line" in str(
        info.value
    )
    _assert_nothing_written(project)


def test_mixed_encoding_names_line_and_byte(project: Path) -> None:
    path = project / "data" / "suppliers.csv"
    data = path.read_bytes().splitlines(keepends=True)
    data[3] = data[3].replace(b",", b",Bj\xf6rn ", 1)
    path.write_bytes(b"".join(data))
    with pytest.raises((PolicyError, DataError)) as info:
        release(project / "policy.yaml", project / "release")
    assert "line 4, byte" in str(info.value)
    assert "0xf6 is not UTF-8" in str(info.value)
    assert "csv.encoding: latin-1" in str(info.value)
    _assert_nothing_written(project)


def test_wrong_delimiter_is_recognised(project: Path) -> None:
    path = project / "data" / "suppliers.csv"
    path.write_text(path.read_text().replace(",", ";"))
    with pytest.raises(PolicyError) as info:
        release(project / "policy.yaml", project / "release")
    (problem,) = _problems(info)
    assert problem.startswith("tables.suppliers.")
    assert "suppliers.csv" in problem
    assert "csv.delimiter: ';'" in problem
    _assert_nothing_written(project)


def test_policy_column_not_in_data_and_unlisted_data_column(project: Path) -> None:
    edit_policy(
        project,
        "      quantity: {role: measure, action: keep",
        "      quantty: {role: measure, action: keep",
    )
    with pytest.raises(PolicyError) as info:
        release(project / "policy.yaml", project / "release")
    problems = _problems(info)
    assert (
        "tables.sales.columns.quantty: column 'quantty' is not in sales.csv — "
        "did you mean 'quantity'?"
    ) in problems
    assert any(
        p.startswith(
            "tables.sales.columns: 1 column(s) of sales.csv are not in the policy: quantity"
        )
        and "unlisted_columns: drop" in p
        for p in problems
    )
    _assert_nothing_written(project)


def test_dp_statistic_column_not_in_data_is_caught_by_check(project: Path) -> None:
    edit_policy(
        project,
        "      column: quantity\n      cells: [channel]",
        "      column: quantty\n      cells: [channel]",
    )
    with pytest.raises(PolicyError) as info:
        check(project / "policy.yaml")
    (problem,) = _problems(info)
    assert problem == (
        "dp.statistics[2].column: column 'quantty' is not in sales.csv — did you mean 'quantity'?"
    )
    _assert_nothing_written(project)


def test_aggregates_columns_not_in_data_are_caught_by_check(
    shared_data: Path, tmp_path: Path
) -> None:
    """The real SDC reference example with a misspelt dimension and measure column."""
    example = Path(__file__).resolve().parents[3] / "examples" / "sdc_reference"
    text = (example / "microdata2_three_dimensions.yaml").read_text(encoding="utf-8")
    text = text.replace("../../../shared/data", str(shared_data))
    for old, new in (
        ("column: region", "column: regoin"),
        ("measure_column: numVal", "measure_column: numval"),
    ):
        assert old in text, old
        text = text.replace(old, new, 1)
    policy = tmp_path / "policy.yaml"
    policy.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        check(policy)
    problems = _problems(info)
    assert (
        "aggregates.dimensions.region.column: column 'regoin' is not in microdata2.csv — "
        "did you mean 'region'?"
    ) in problems
    assert (
        "aggregates.tables[0].measure_column: column 'numval' is not in microdata2.csv — "
        "did you mean 'numVal'?"
    ) in problems
    assert sorted(p.name for p in tmp_path.iterdir()) == ["policy.yaml"]


def test_unlisted_columns_can_be_dropped_when_the_policy_says_so(project: Path) -> None:
    edit_policy(
        project,
        '      instagram: {role: identifier, action: drop, why: "Social handles identify '
        'the vendor."}\n',
        "",
    )
    with pytest.raises(PolicyError, match="instagram"):
        release(project / "policy.yaml", project / "release")
    edit_policy(
        project,
        "    description: One row per vendor.\n",
        "    description: One row per vendor.\n    unlisted_columns: drop\n",
    )
    result = release(project / "policy.yaml", project / "release")
    header = (result.directory / "public" / "vendors.csv").read_text().splitlines()[0]
    assert "instagram" not in header


def test_action_that_does_not_fit_the_type(project: Path) -> None:
    edit_policy(
        project,
        "channel: {role: quasi_identifier, action: keep",
        "channel: {role: quasi_identifier, action: generalize, window: month",
    )
    with pytest.raises(PolicyError) as info:
        release(project / "policy.yaml", project / "release")
    (problem,) = _problems(info)
    assert problem.startswith(
        "tables.sales.columns.channel.window: column 'channel' is text, a date window needs"
    )


def test_value_that_does_not_fit_a_declared_type(project: Path) -> None:
    edit_policy(
        project,
        "channel: {role: quasi_identifier, action: keep",
        "channel: {role: quasi_identifier, action: keep, type: integer",
    )
    with pytest.raises(DataError, match=r"sales.csv: cannot read table 'sales': .*type: text"):
        release(project / "policy.yaml", project / "release")
    _assert_nothing_written(project)


def test_empty_table(project: Path) -> None:
    path = project / "data" / "materials.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    with pytest.raises((DataError, PolicyError), match="materials"):
        release(project / "policy.yaml", project / "release")
    _assert_nothing_written(project)


def test_missing_key_file(project: Path) -> None:
    (project / "secret.key").unlink()
    with pytest.raises(SecretError, match=r"secret.file: key file .*secret.key not found"):
        release(project / "policy.yaml", project / "release")
    assert sorted(p.name for p in project.iterdir()) == ["data", "policy.yaml"]


def test_short_key_is_refused_without_showing_it(project: Path) -> None:
    (project / "secret.key").write_text("tooshort-secret\n")
    with pytest.raises(SecretError) as info:
        release(project / "policy.yaml", project / "release")
    assert "too short (15 bytes); it must be at least 32 bytes" in str(info.value)
    assert "tooshort-secret" not in str(info.value)
    _assert_nothing_written(project)


def test_unset_environment_key(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRAFTVEIL_TEST_KEY", raising=False)
    edit_policy(project, "  file: secret.key", "  env: CRAFTVEIL_TEST_KEY")
    with pytest.raises(SecretError, match="environment variable CRAFTVEIL_TEST_KEY is not set"):
        release(project / "policy.yaml", project / "release")
    monkeypatch.setenv("CRAFTVEIL_TEST_KEY", "x" * 40)
    assert release(project / "policy.yaml", project / "release").manifest_path.is_file()


def test_null_vendor_must_be_dropped_explicitly(project: Path) -> None:
    path = project / "data" / "materials.csv"
    lines = path.read_text().splitlines()
    lines[2] = "," + lines[2].split(",", 1)[1]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        DataError, match=r"'vendor_id' \(the vendor\) is empty in 1 row\(s\).*drop_rows"
    ):
        release(project / "policy.yaml", project / "release")
    _assert_nothing_written(project)
