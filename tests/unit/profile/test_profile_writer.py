"""init_policy / suggest_policy: the written policy validates, fits the data, and releases.

A steward must be able to run a release right after setting the key: every test here loads the
written file with the project's own loader and resolves it against the data with ``make_plan``.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml
from tests.unit.profile.profile_helpers import small_vendor_rows, write_csv

from craftveil.engine import Engine
from craftveil.errors import DataError, OutputExistsError
from craftveil.journal import Journal
from craftveil.pipeline import release
from craftveil.pipeline.plan import make_plan
from craftveil.policy.columns import Drop, Generalize, Keep, Pseudonymize, Role
from craftveil.policy.load import load_policy
from craftveil.policy.model import PrefixHierarchy
from craftveil.profile import init_policy, profile_table, suggest_policy

KEY = "k" * 40


def released_cells(directory: Path) -> set[str]:
    cells: set[str] = set()
    for path in (directory / "public").glob("*.csv"):
        with path.open(encoding="utf-8") as fh:
            for row in csv.reader(fh):
                cells.update(row)
    return cells


def test_policy_for_generated_table(small_vendor_csv: Path, tmp_path: Path, engine: Engine) -> None:
    out = init_policy([small_vendor_csv], tmp_path / "policies" / "policy.yaml")
    policy = load_policy(out)
    make_plan(policy, out, engine)  # raises if the policy does not fit the data
    table = policy.tables["makers"]
    assert table.path == "../data/makers.csv"
    assert table.vendor_column == "shop_id"
    cols = table.columns
    assert isinstance(cols["shop_id"], Pseudonymize)
    assert cols["shop_id"].namespace == "shop"
    for name in ("email", "phone", "notes"):
        assert isinstance(cols[name], Drop), name
        assert cols[name].role is Role.identifier
    assert isinstance(cols["zip"], Generalize)
    assert cols["zip"].hierarchy is not None
    assert cols["zip"].hierarchy.name == "zip3"
    assert cols["zip"].hierarchy.level == 1
    assert policy.hierarchies["zip3"] == PrefixHierarchy(prefix=[3, 1, 0])
    assert isinstance(cols["sold_on"], Generalize)
    assert cols["sold_on"].window is not None
    assert cols["sold_on"].window.value == "month"
    assert isinstance(cols["altitude_m"], Generalize)
    assert cols["altitude_m"].bands is not None
    assert cols["altitude_m"].bands.width == 500
    assert isinstance(cols["price"], Keep)
    assert cols["price"].role is Role.measure
    assert all(c.why.startswith("TODO") for c in cols.values())
    assert policy.governance.owner == "TODO"
    assert policy.governance.last_review == dt.date.today()
    assert policy.secret.env == "CRAFTVEIL_KEY"


def test_evidence_comment_sits_above_each_column(small_vendor_csv: Path, tmp_path: Path) -> None:
    text = init_policy([small_vendor_csv], tmp_path / "p.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.lstrip().startswith("email:"))
    above = lines[at - 1].strip()
    assert above == "# 96% of the 100 distinct values look like e-mail addresses"
    price = next(i for i, line in enumerate(lines) if line.lstrip().startswith("price:"))
    assert "money" in lines[price - 1]
    assert "consider bands or DP" in lines[price]


def test_release_runs_after_init_and_leaks_no_contact(
    small_vendor_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRAFTVEIL_KEY", KEY)
    out = init_policy([small_vendor_csv], tmp_path / "policy.yaml")
    result = release(out, tmp_path / "release")
    cells = released_cells(result.directory)
    rows = small_vendor_rows()
    assert not cells & {r["email"] for r in rows}
    assert not cells & {r["phone"] for r in rows}
    assert not cells & {r["shop_id"] for r in rows}
    released = pd.read_csv(result.directory / "public" / "makers.csv", dtype=str)
    assert released["shop_id"].str.fullmatch(r"[0-9a-f]{16}").all()
    assert set(released["zip"]) <= {f"{r['zip'][:3]}**" for r in rows}
    # 500 m bands: [lo, lo + 500) with lo a multiple of 500
    expected = {
        f"[{a // 500 * 500}, {a // 500 * 500 + 500})" for a in (int(r["altitude_m"]) for r in rows)
    }
    assert set(released["altitude_m"]) == expected


def test_refuses_to_overwrite(small_vendor_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "policy.yaml"
    out.write_text("mine\n", encoding="utf-8")
    with pytest.raises(OutputExistsError, match="already exists"):
        init_policy([small_vendor_csv], out)
    assert out.read_text(encoding="utf-8") == "mine\n"
    init_policy([small_vendor_csv], out, overwrite=True)
    assert load_policy(out).tables["makers"].vendor_column == "shop_id"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "policy.yaml"]  # no temp file


def test_awkward_column_names_are_quoted(tmp_path: Path, engine: Engine) -> None:
    rows = [
        {"on": "Y", "price: usd": str(i), "#tag": "a", "Farm.Name": f"Farm {i}"} for i in range(30)
    ]
    data = write_csv(tmp_path / "odd.csv", rows)
    out = init_policy([data], tmp_path / "policy.yaml")
    policy = load_policy(out)
    make_plan(policy, out, engine)
    assert list(policy.tables["odd"].columns) == ["on", "price: usd", "#tag", "Farm.Name"]


def test_no_vendor_column_is_null_with_a_comment(shared_data: Path, tmp_path: Path) -> None:
    bakery = shared_data / "bakery_breadbasket" / "BreadBasket_DMS.csv"
    text = suggest_policy([profile_table(bakery)], policy_path=tmp_path / "p.yaml")
    raw = yaml.safe_load(text)
    assert raw["tables"]["breadbasket_dms"]["vendor_column"] is None
    lines = text.splitlines()
    at = lines.index("    vendor_column: null")
    assert "steward must set vendor_column" in lines[at - 1]
    assert raw["tables"]["breadbasket_dms"]["columns"]["Time"]["prefix"] == 2


def test_farmers_markets_release_leaks_no_url(
    farmers_markets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    monkeypatch.setenv("CRAFTVEIL_KEY", KEY)
    out = init_policy([farmers_markets], tmp_path / "fm" / "policy.yaml")
    policy = load_policy(out)
    make_plan(policy, out, engine)
    table = policy.tables["farmers_markets_usda_2016"]
    assert table.vendor_column == "fm_id"
    contact = ["website", "facebook", "twitter", "youtube", "other_media", "street", "name"]
    assert all(isinstance(table.columns[c], Drop) for c in contact)
    result = release(out, tmp_path / "fm" / "release")
    source = pd.read_csv(farmers_markets, dtype=str)
    urls = set(source[contact[:5]].stack().dropna()) - {""}
    assert len(urls) > 5000
    cells = released_cells(result.directory)
    assert not cells & urls
    assert not cells & set(source["fm_id"])
    released = pd.read_csv(result.directory / "public" / "farmers_markets_usda_2016.csv", dtype=str)
    assert "website" not in released.columns
    # zip3 level 1: the first 3 characters, the rest starred (ARX-style prefix masking)
    masked = {z[:3] + "*" * max(0, len(z) - 3) for z in source["zip"].dropna()}
    assert set(released["zip"].dropna()) <= masked
    assert not set(released["zip"].dropna()) & set(source["zip"].dropna().str.zfill(5))
    lat = released["latitude"].dropna().astype(float)
    assert ((lat - 0.5) % 1.0 == 0).all()  # centres of 1-degree cells


def test_vendor_shared_across_tables_joins_after_release(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """breweries.id holds the ids of beers.brewery_id: both get the same namespace, so the
    released tokens still join (HMAC pseudonyms are consistent within a namespace)."""
    monkeypatch.setenv("CRAFTVEIL_KEY", KEY)
    beers = shared_data / "craft_beers" / "beers.csv"
    breweries = shared_data / "craft_beers" / "breweries.csv"
    out = init_policy([beers, breweries], tmp_path / "policy.yaml")
    policy = load_policy(out)
    assert policy.tables["beers"].vendor_column == "brewery_id"
    assert policy.tables["breweries"].vendor_column == "id"
    spec_a = policy.tables["beers"].columns["brewery_id"]
    spec_b = policy.tables["breweries"].columns["id"]
    assert isinstance(spec_a, Pseudonymize)
    assert isinstance(spec_b, Pseudonymize)
    assert spec_a.namespace == spec_b.namespace == "brewery"
    result = release(out, tmp_path / "release")
    public = result.directory / "public"
    tokens_a = set(pd.read_csv(public / "beers.csv", dtype=str)["brewery_id"])
    tokens_b = set(pd.read_csv(public / "breweries.csv", dtype=str)["id"])
    assert tokens_a <= tokens_b
    raw_ids = set(pd.read_csv(breweries, dtype=str)["id"])
    assert not tokens_b & raw_ids


@pytest.mark.parametrize(
    ("files", "vendor"),
    [
        (["olist/official_github_olist_work-at-olist-data/olist_sellers_dataset.csv"], "seller_id"),
        (["coffee_cqi/arabica_data_cleaned.csv"], None),
        (["etsy/etsy_shops_data.csv", "etsy/etsy_items_price.csv"], None),
        (["bakery_breadbasket/BreadBasket_DMS.csv"], None),
        (["olist/v1_classified/olist_classified_public_dataset.csv"], None),
    ],
)
def test_real_policies_load_and_plan(
    shared_data: Path, tmp_path: Path, engine: Engine, files: list[str], vendor: str | None
) -> None:
    out = init_policy([shared_data / f for f in files], tmp_path / "policy.yaml")
    policy = load_policy(out)
    plan = make_plan(policy, out, engine)
    first = plan.tables[0].spec
    assert first.vendor_column == vendor
    assert set(first.columns) == set(plan.tables[0].detected)


def test_missing_input_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "policy.yaml"
    with pytest.raises(DataError, match="file not found"):
        init_policy([tmp_path / "missing.csv"], out)
    assert not out.exists()


def test_same_file_name_twice_gets_distinct_tables(tmp_path: Path, engine: Engine) -> None:
    rows = small_vendor_rows()
    a = write_csv(tmp_path / "north" / "sales.csv", rows)
    b = write_csv(tmp_path / "south" / "sales.csv", rows)
    out = init_policy([a, b], tmp_path / "policy.yaml")
    policy = load_policy(out)
    make_plan(policy, out, engine)
    assert list(policy.tables) == ["sales", "sales_2"]
    assert policy.tables["sales_2"].path == "south/sales.csv"
    # the same shop ids in both tables: one namespace, so pseudonyms join across them
    spaces = {t.columns["shop_id"].namespace for t in policy.tables.values()}  # type: ignore[union-attr]
    assert spaces == {"shop"}


def test_semicolon_csv_from_arx(shared_data: Path, tmp_path: Path, engine: Engine) -> None:
    adult = shared_data / "adult" / "arx" / "adult.csv"
    out = init_policy([adult], tmp_path / "policy.yaml")
    policy = load_policy(out)
    assert policy.tables["adult"].csv.delimiter == ";"
    plan = make_plan(policy, out, engine)
    header = adult.read_text(encoding="utf-8").splitlines()[0].split(";")
    assert list(plan.tables[0].detected) == header


def test_latin1_csv(tmp_path: Path, engine: Engine) -> None:
    data = tmp_path / "ateliers.csv"
    lines = ["atelier_id,ville,poids_kg"] + [f"A{i},Orléans-Château {i % 3},{i}" for i in range(40)]
    data.write_bytes("\n".join(lines).encode("latin-1"))
    out = init_policy([data], tmp_path / "policy.yaml")
    policy = load_policy(out)
    assert policy.tables["ateliers"].csv.encoding == "latin-1"
    make_plan(policy, out, engine)
    profile = profile_table(data, engine=engine)
    assert "Orléans-Château 1" in profile.column("ville").sample


def test_journal_records_every_suggestion(small_vendor_csv: Path, tmp_path: Path) -> None:
    journal = Journal()
    out = init_policy([small_vendor_csv], tmp_path / "policy.yaml", journal=journal)
    entries = journal.by_step("profile")
    policy = load_policy(out)
    columns = [e for e in entries if e.column is not None]
    assert [e.column for e in columns] == list(policy.tables["makers"].columns)
    by_column = {e.column: e.details for e in columns}
    assert by_column["email"]["action"] == "drop"
    assert by_column["shop_id"]["parameters"] == {"namespace": "shop"}
    table_entry = next(e for e in entries if e.column is None)
    assert table_entry.details["vendor_column"] == "shop_id"


def test_vendor_id_with_empty_rows_is_named_as_a_candidate(tmp_path: Path) -> None:
    rows = [{"seller_id": "" if i % 10 == 0 else f"s{i % 7}", "total": str(i)} for i in range(50)]
    data = write_csv(tmp_path / "orders.csv", rows)
    text = suggest_policy([profile_table(data)], policy_path=tmp_path / "p.yaml")
    assert yaml.safe_load(text)["tables"]["orders"]["vendor_column"] is None
    assert "seller_id (named like a vendor id but 10.0% empty" in text
