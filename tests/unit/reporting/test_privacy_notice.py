"""The vendors' privacy notice: plain language, and nothing that helps an attacker."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from craftveil.cli.demo import demo_policy_text
from craftveil.policy.load import parse_policy
from craftveil.reporting.privacy_notice import protections_for, render_privacy_notice

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def _numbers_in(value: object) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_numbers_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_numbers_in(v) for v in value)) if value else set()
    if isinstance(value, bool):
        return set()
    if isinstance(value, int | float):
        return {str(value)}
    return set()


def test_notice_has_no_parameters_numbers_or_reasons() -> None:
    text = demo_policy_text()
    policy = parse_policy(text)
    notice = render_privacy_notice(policy, protections_for(policy, {"risk", "dp", "aggregates"}))
    stripped = notice
    for allowed in (
        policy.name,
        policy.dataset,
        policy.governance.owner,
        policy.governance.contact,
    ):
        stripped = stripped.replace(allowed, "")
    assert not re.search(r"\d", stripped), "a number in the notice may be a rule parameter"
    raw = yaml.safe_load(text)
    for table in raw["tables"].values():
        for column in table["columns"].values():
            assert column["why"] not in notice  # reasons may quote parameters
    for word in ("epsilon", "ε", "k-anonym", "k =", "threshold", "key fingerprint", "hierarchy"):
        assert word not in notice.lower()
    assert "noise" in notice
    assert "several vendors" in notice
    assert "hide any figure" in notice


def test_notice_says_what_is_shared_and_with_whom() -> None:
    policy = parse_policy(demo_policy_text())
    notice = render_privacy_notice(policy, [])
    assert "- **sales** — shared with anyone (published openly):" in notice
    assert "- **suppliers**: used to prepare the release, not shared." in notice
    assert "business name, owner name, email, phone, street address, city, website" in notice
    assert f"The data owner is **{policy.governance.owner}**" in notice
    assert "removed or replaced by codes" in notice


def test_bakery_notice_contains_no_number(shared_data: Path) -> None:
    policy = parse_policy((EXAMPLES / "bakery" / "policy.yaml").read_text())
    notice = render_privacy_notice(policy, protections_for(policy, set()))
    stripped = notice.replace(policy.name, "").replace(policy.dataset, "")
    assert not re.search(r"\d", stripped)
    assert _numbers_in(yaml.safe_load((EXAMPLES / "bakery" / "policy.yaml").read_text()))
