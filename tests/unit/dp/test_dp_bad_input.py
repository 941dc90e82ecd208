"""Bad input: clear errors naming the field and value — and nothing spent, nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import pytest
from pydantic import ValidationError
from tests.unit.dp.dp_helpers import make_policy

from craftveil.dp import Ledger, compute_statistics
from craftveil.errors import PolicyError
from craftveil.policy.dp import DPPolicy


def _run(table: ibis.Table, policy: DPPolicy, ledger: Ledger, store: Path) -> None:
    compute_statistics(
        table, policy, "vendor", ledger=ledger, dataset="d", release_id="r", store_dir=store
    )


def _nothing_happened(ledger: Ledger, store: Path) -> None:
    assert ledger.rows("d", "vendor", "all_time") == []
    assert not store.exists()


@pytest.mark.parametrize(
    ("budget", "message"),
    [
        ({"epsilon": 0.0}, "dp.budget.epsilon 0.0 must be > 0"),
        ({"epsilon": -1.0}, "dp.budget.epsilon -1.0 must be > 0"),
        ({"epsilon": 50.0}, "dp.budget.epsilon 50.0 is above dp.max_epsilon 10.0"),
        ({"rho": 0.0}, "dp.budget.rho 0.0 must be > 0"),
        ({"epsilon": 1.0, "delta": 1.0}, "dp.budget.delta 1.0 must be in (0, 1)"),
        ({"epsilon": 1.0, "rho": 0.1}, "exactly one of epsilon or rho"),
        ({"epsilon": 1.0, "period": "weekly"}, "dp.budget.period 'weekly' is not"),
    ],
)
def test_bad_budget_is_refused_with_the_field_and_value(
    budget: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=r"dp\.budget") as caught:
        make_policy(budget=budget)
    assert message in str(caught.value)


def test_epsilon_above_five_warns_but_is_allowed() -> None:
    policy = make_policy(budget={"epsilon": 6.0, "period": "2026"})
    assert policy.warnings() == ["dp.budget.epsilon 6.0 is above 5.0: the guarantee is weak"]
    assert make_policy().warnings() == []


def test_lower_above_upper_is_refused() -> None:
    statistic = {
        "name": "s", "kind": "sum", "column": "amount", "cells": ["region"],
        "bounds": {"lower": 10, "upper": 5},
    }  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        make_policy(statistics=[statistic])
    assert "bounds.lower (10.0) is greater than bounds.upper (5.0)" in str(caught.value)


def test_cells_without_taxonomy_values_are_refused() -> None:
    statistic = {"name": "n", "kind": "count_vendors", "cells": ["product"]}
    with pytest.raises(ValidationError) as caught:
        make_policy(statistics=[statistic])
    assert "cells ['product'] have public keys but no values in dp.taxonomy" in str(caught.value)


def test_unknown_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        make_policy(epsilon=1.0)


def test_non_numeric_column_nothing_spent_nothing_written(
    small_sales: ibis.Table, ledger: Ledger, tmp_path: Path
) -> None:
    statistic = {
        "name": "s", "kind": "sum", "column": "label", "cells": ["region"],
        "bounds": {"upper": 10},
    }  # fmt: skip
    store = tmp_path / "release"
    with pytest.raises(PolicyError) as caught:
        _run(small_sales, make_policy(statistics=[statistic]), ledger, store)
    assert "dp.statistics[s].column: 'label' has type string, not a number" in str(caught.value)
    _nothing_happened(ledger, store)


def test_cell_key_outside_taxonomy_nothing_spent_nothing_written(
    small_sales: ibis.Table, ledger: Ledger, tmp_path: Path
) -> None:
    policy = make_policy(taxonomy={"region": ["north", "east"]})
    store = tmp_path / "release"
    with pytest.raises(PolicyError) as caught:
        _run(small_sales, policy, ledger, store)
    assert "dp.taxonomy.region: values 'south' occur in the data but are not declared" in str(
        caught.value
    )
    _nothing_happened(ledger, store)


def test_delta_not_below_one_over_vendors_is_refused(
    small_sales: ibis.Table, ledger: Ledger, tmp_path: Path
) -> None:
    policy = make_policy(budget={"epsilon": 1.0, "delta": 0.2, "period": "all_time"})
    store = tmp_path / "release"
    with pytest.raises(PolicyError) as caught:
        _run(small_sales, policy, ledger, store)
    assert "dp.budget.delta: 0.2 is not below 1/number of vendors (1/6)" in str(caught.value)
    _nothing_happened(ledger, store)


def test_shares_above_budget_are_refused_before_spending(
    small_sales: ibis.Table, ledger: Ledger, tmp_path: Path
) -> None:
    statistics = [
        {"name": "a", "kind": "count_vendors", "cells": ["region"], "rho": 0.5},
        {"name": "b", "kind": "count_vendors", "rho": 0.6},
    ]
    policy = make_policy(budget={"rho": 1.0, "period": "all_time"}, statistics=statistics)
    store = tmp_path / "release"
    with pytest.raises(PolicyError, match=r"shares add up to ρ = 1.1, above the budget ρ = 1"):
        _run(small_sales, policy, ledger, store)
    _nothing_happened(ledger, store)


PRIVATE_COUNT = {"name": "a", "kind": "count_vendors", "cells": ["region"], "keys": "private"}


def test_private_keys_need_no_taxonomy_and_split_delta() -> None:
    policy = make_policy(taxonomy={}, statistics=[PRIVATE_COUNT])
    assert policy.selection_delta() == pytest.approx(5e-8)  # default: half of δ = 1e-7
    assert policy.conversion_delta() == pytest.approx(5e-8)
    public = make_policy()
    assert (public.selection_delta(), public.conversion_delta()) == (0.0, 1e-7)


@pytest.mark.parametrize(
    ("budget", "statistics", "message"),
    [
        ({"epsilon": 1.0, "delta": 1e-7, "selection_delta": 1e-7}, [PRIVATE_COUNT],
         "dp.budget.selection_delta 1e-07 must be below dp.budget.delta 1e-07"),
        ({"epsilon": 1.0, "selection_delta": 0.0}, [PRIVATE_COUNT],
         "greater than 0"),
        ({"epsilon": 1.0, "selection_delta": 1e-8}, None,
         "selection_delta is set but no statistic has keys: private"),
        ({"epsilon": 1.0}, [{**PRIVATE_COUNT, "bounds": "choose_privately"}],
         "keys: private needs declared bounds"),
    ],
)  # fmt: skip
def test_private_keys_declarations_are_validated(
    budget: dict[str, Any], statistics: list[dict[str, Any]] | None, message: str
) -> None:
    overrides: dict[str, Any] = {"budget": {**budget, "period": "all_time"}}
    if statistics is not None:
        overrides["statistics"] = statistics
    with pytest.raises(ValidationError) as caught:
        make_policy(**overrides)
    assert message in str(caught.value)


def test_private_keys_delta_not_below_one_over_vendors_is_refused(
    small_sales: ibis.Table, ledger: Ledger, tmp_path: Path
) -> None:
    policy = make_policy(
        budget={"epsilon": 1.0, "delta": 0.2, "period": "all_time"}, statistics=[PRIVATE_COUNT]
    )
    store = tmp_path / "release"
    with pytest.raises(PolicyError) as caught:
        _run(small_sales, policy, ledger, store)
    assert "dp.budget.delta: 0.2 is not below 1/number of vendors (1/6)" in str(caught.value)
    _nothing_happened(ledger, store)


def test_ledger_path_and_period_labels(tmp_path: Path) -> None:
    from datetime import date

    policy = make_policy()
    assert policy.ledger_path(tmp_path / "p", tmp_path / "out") == tmp_path / "out" / (
        "dp-ledger.sqlite"
    )
    relative = make_policy(ledger="state/budget.sqlite")
    assert relative.ledger_path(tmp_path / "p", tmp_path / "out") == (
        tmp_path / "p" / "state" / "budget.sqlite"
    )
    quarterly = make_policy(budget={"epsilon": 1.0, "period": "quarter"})
    assert quarterly.period_label(date(2026, 5, 2)) == "2026-Q2"
    assert make_policy(budget={"epsilon": 1.0, "period": "month"}).period_label(
        date(2026, 5, 2)
    ) == ("2026-05")
    assert policy.period_label(date(2026, 5, 2)) == "all_time"
