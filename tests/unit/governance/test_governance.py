"""Permitted analyses and the review cadence, on the policy and in a real release."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from tests.helpers import KEY_TEXT

from craftveil.errors import GovernanceError
from craftveil.governance.permitted import check_permitted
from craftveil.governance.review import review_status
from craftveil.pipeline import release
from craftveil.policy.load import parse_policy

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
DP_SNIPPET = """dp:
  table: sales
  budget: {epsilon: 1.0}
  statistics:
    - name: items_per_day
      kind: count_sales
      cells: [Date]
      keys: private
      epsilon: 1.0
      bounds: {upper: 10}
"""


def _bakery_text(permitted: str, extra: str = "") -> str:
    text = (EXAMPLES / "bakery" / "policy.yaml").read_text()
    return (
        text.replace("permitted_analyses: [microdata]", f"permitted_analyses: {permitted}") + extra
    )


def test_permitted_analyses_cover_kinds_and_named_statistics() -> None:
    assert check_permitted(parse_policy(_bakery_text("[microdata]"))) == ["microdata"]
    named = parse_policy(_bakery_text("[microdata, 'dp:items_per_day']", DP_SNIPPET))
    assert check_permitted(named) == ["microdata", "dp statistic 'items_per_day'"]
    assert check_permitted(parse_policy(_bakery_text("[microdata, dp]", DP_SNIPPET)))


def test_a_statistic_that_is_not_permitted_is_refused() -> None:
    policy = parse_policy(_bakery_text("[microdata]", DP_SNIPPET))
    with pytest.raises(GovernanceError) as info:
        check_permitted(policy)
    assert str(info.value) == (
        "governance.permitted_analyses does not permit dp statistic 'items_per_day' "
        "(permitted: ['microdata']) — add 'dp:items_per_day' to "
        "governance.permitted_analyses with the owner's approval, or remove them from the policy"
    )


def test_a_list_that_forbids_everything_is_a_clear_error() -> None:
    policy = parse_policy(_bakery_text("[]", DP_SNIPPET))
    with pytest.raises(
        GovernanceError,
        match=r"\[\] forbids everything this policy asks for "
        r"\(microdata, dp statistic 'items_per_day'\)",
    ):
        check_permitted(policy)


def test_review_overdue_is_computed_from_cadence() -> None:
    gov = parse_policy(_bakery_text("[microdata]")).governance  # 2026-11-01, 365 days
    assert review_status(gov, dt.date(2027, 11, 1))["review_overdue"] is False
    late = review_status(gov, dt.date(2027, 11, 3))
    assert late["review_overdue"] is True
    assert late["days_overdue"] == 2
    assert late["review_due"] == "2027-11-01"


def test_release_refuses_forbidden_analyses_before_reading_data(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRAFTVEIL_KEY", KEY_TEXT)
    csv = shared_data / "bakery_breadbasket" / "BreadBasket_DMS.csv"
    text = _bakery_text("[aggregates]").replace(
        "../../../shared/data/bakery_breadbasket/BreadBasket_DMS.csv", str(csv)
    )
    (tmp_path / "policy.yaml").write_text(text)
    with pytest.raises(GovernanceError, match="forbids everything"):
        release(tmp_path / "policy.yaml", tmp_path / "out")
    assert [p.name for p in tmp_path.iterdir()] == ["policy.yaml"]


def test_overdue_review_is_a_warning_in_journal_and_report(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRAFTVEIL_KEY", KEY_TEXT)
    csv = shared_data / "bakery_breadbasket" / "BreadBasket_DMS.csv"
    text = (
        _bakery_text("[microdata]")
        .replace("../../../shared/data/bakery_breadbasket/BreadBasket_DMS.csv", str(csv))
        .replace("last_review: 2026-11-01", "last_review: 2020-01-01")
    )
    (tmp_path / "policy.yaml").write_text(text)
    result = release(tmp_path / "policy.yaml", tmp_path / "out")
    journal = json.loads((result.directory / "journal.json").read_text())
    warning = [e for e in journal if e["step"] == "governance" and "WARNING" in e["sentence"]]
    assert len(warning) == 1
    assert "last reviewed 2020-01-01, due 2020-12-31" in warning[0]["sentence"]
    assert "WARNING: the policy review is overdue" in (result.directory / "report.html").read_text()
