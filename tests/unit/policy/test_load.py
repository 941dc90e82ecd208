"""Policy loading: every problem at once, each with its location and a fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from craftveil.cli.demo import demo_policy_text
from craftveil.errors import PolicyError
from craftveil.policy import parse_policy
from craftveil.policy.columns import Generalize, Pseudonymize
from craftveil.policy.schema import policy_json_schema

MINIMAL = {
    "version": 1,
    "name": "r1",
    "dataset": "d",
    "secret": {"env": "CRAFTVEIL_KEY"},
    "governance": {"owner": "me", "last_review": "2026-01-01"},
    "tables": {
        "sales": {
            "path": "sales.csv",
            "vendor_column": "vendor_id",
            "columns": {
                "vendor_id": {
                    "role": "identifier",
                    "action": "pseudonymize",
                    "namespace": "vendor",
                    "why": "link rows",
                },
                "sold_at": {
                    "role": "quasi_identifier",
                    "action": "generalize",
                    "window": "month",
                    "why": "seasonality",
                },
            },
        }
    },
}


def _with(path: str, value: object) -> str:
    raw = json.loads(json.dumps(MINIMAL))
    node = raw
    keys = path.split(".")
    for k in keys[:-1]:
        node = node[k]
    node[keys[-1]] = value
    return yaml.safe_dump(raw)


def _problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as info:
        parse_policy(text)
    return [str(p) for p in info.value.problems]


def test_minimal_policy_loads_with_typed_actions() -> None:
    policy = parse_policy(yaml.safe_dump(MINIMAL))
    cols = policy.tables["sales"].columns
    assert isinstance(cols["vendor_id"], Pseudonymize)
    assert isinstance(cols["sold_at"], Generalize)
    assert policy.tables["sales"].quasi_identifiers == ["sold_at"]
    assert policy.tables["sales"].unlisted_columns == "refuse"


def test_window_outside_vocabulary_is_reported_with_its_location() -> None:
    problems = _problems(_with("tables.sales.columns.sold_at.window", "quarterly"))
    assert problems == [
        'tables.sales.columns.sold_at.window: "quarterly" is not one of day|week|month|quarter|year'
    ]


def test_every_problem_is_reported_at_once() -> None:
    raw = json.loads(json.dumps(MINIMAL))
    raw["governance"]["permited_analyses"] = ["x"]
    raw["tables"]["sales"]["columns"]["sold_at"]["window"] = "quarterly"
    raw["tables"]["sales"]["columns"]["price"] = {"role": "measure", "action": "blur", "why": "x"}
    raw["secret"] = {"env": "A", "file": "k"}
    problems = _problems(yaml.safe_dump(raw))
    assert len(problems) == 4
    joined = "\n".join(problems)
    assert "governance.permited_analyses: unknown key 'permited_analyses'" in joined
    assert "did you mean 'permitted_analyses'?" in joined
    assert 'tables.sales.columns.price: action "blur" is not one of keep|drop|' in joined
    assert "secret: secret needs exactly one of env: or file:" in joined


def test_missing_why_and_missing_role_are_errors() -> None:
    raw = json.loads(json.dumps(MINIMAL))
    del raw["tables"]["sales"]["columns"]["sold_at"]["why"]
    del raw["tables"]["sales"]["columns"]["vendor_id"]["role"]
    problems = _problems(yaml.safe_dump(raw))
    assert "tables.sales.columns.sold_at.why: is required — add it" in problems
    assert "tables.sales.columns.vendor_id.role: is required — add it" in problems


def test_vendor_column_must_be_listed_and_hierarchies_declared() -> None:
    raw = json.loads(json.dumps(MINIMAL))
    raw["tables"]["sales"]["vendor_column"] = "seller"
    raw["tables"]["sales"]["columns"]["zip"] = {
        "role": "quasi_identifier",
        "action": "generalize",
        "hierarchy": {"name": "zip3", "level": 1},
        "why": "area",
    }
    problems = _problems(yaml.safe_dump(raw))
    assert any(p.startswith("tables.sales.vendor_column: 'seller' is not listed") for p in problems)
    assert any(
        p.startswith("tables.sales.columns.zip.hierarchy.name: hierarchy 'zip3' is not declared")
        for p in problems
    )


def test_generalize_needs_exactly_one_kind() -> None:
    problems = _problems(
        _with(
            "tables.sales.columns.sold_at",
            {"role": "other", "action": "generalize", "window": "day", "prefix": 3, "why": "x"},
        )
    )
    assert problems == [
        "tables.sales.columns.sold_at: generalize needs exactly one of "
        "window|bands|hierarchy|prefix|grid_degrees|regions (got window, prefix)"
    ]


def test_yaml_syntax_error_names_line_and_column() -> None:
    problems = _problems("version: 1\ntables: [unclosed\n")
    assert len(problems) == 1
    assert problems[0].startswith("<policy>:3:1: not valid YAML")


def test_bad_bands_and_prefix_values() -> None:
    raw = json.loads(json.dumps(MINIMAL))
    raw["tables"]["sales"]["columns"]["price"] = {
        "role": "measure",
        "action": "generalize",
        "bands": {"edges": [10, 5]},
        "why": "x",
    }
    raw["hierarchies"] = {"zip": {"prefix": [1, 3]}}
    problems = "\n".join(_problems(yaml.safe_dump(raw)))
    assert "edges must be strictly increasing, got [10.0, 5.0]" in problems
    assert "prefix lengths must be non-negative and decreasing, got [1, 3]" in problems


def test_demo_policy_is_valid() -> None:
    policy = parse_policy(demo_policy_text())
    assert policy.secret.file == "secret.key"
    assert set(policy.tables) == {
        "vendors",
        "products",
        "suppliers",
        "materials",
        "batches",
        "sales",
    }
    assert not policy.tables["suppliers"].release


@pytest.mark.parametrize("example", ["farmers_markets", "coffee_producers", "olist_sellers"])
def test_example_policies_are_valid(repo_root: Path, example: str) -> None:
    text = (repo_root / "examples" / example / "policy.yaml").read_text()
    assert parse_policy(text).privacy_unit.name == "vendor"


def test_json_schema_covers_every_action_and_forbids_unknown_keys() -> None:
    schema = policy_json_schema()
    text = json.dumps(schema)
    for action in ("pseudonymize", "generalize", "mask_categories", "bin_range", "rescale"):
        assert f'"const": "{action}"' in text
    assert schema["additionalProperties"] is False
    assert schema["$defs"]["TableSpec"]["additionalProperties"] is False


def test_published_json_schema_is_up_to_date(repo_root: Path) -> None:
    from craftveil.policy.schema import policy_json_schema_text

    published = (repo_root / "docs" / "policy.schema.json").read_text(encoding="utf-8")
    assert published == policy_json_schema_text(), (
        "docs/policy.schema.json is stale: run `craftveil schema --out docs/policy.schema.json`"
    )


def test_a_released_table_with_every_column_dropped_is_refused() -> None:
    raw = json.loads(json.dumps(MINIMAL))
    for spec in raw["tables"]["sales"]["columns"].values():
        spec.clear()
        spec.update({"role": "identifier", "action": "drop", "why": "x"})
    problems = _problems(yaml.safe_dump(raw))
    assert problems == [
        "tables.sales.columns: every column is dropped, so the released table would be empty"
        " — set tables.sales.release: false, or keep at least one column"
    ]
