"""The release directory contract: complete, reproducible, atomic, and free of key material."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from tests.helpers import KEY_TEXT

from craftveil.errors import OutputExistsError
from craftveil.pipeline import release

DP_STATE = {"dp-ledger.sqlite", "dp-calibrations.json", "dp-store"}


def _release_dirs(project: Path) -> list[str]:
    """What the run left beside the inputs, ignoring the DP ledger's state files."""
    inputs = {"data", "policy.yaml", "secret.key"}
    return sorted(p.name for p in project.iterdir() if p.name not in inputs | DP_STATE)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_release_writes_every_part_of_the_contract(project: Path) -> None:
    result = release(project / "policy.yaml", project / "release")
    out = result.directory
    for name in ("vendors", "products", "materials", "batches", "sales"):
        assert (out / "public" / f"{name}.parquet").is_file()
        assert (out / "public" / f"{name}.csv").is_file()
    assert not (out / "public" / "suppliers.csv").exists()  # release: false
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["privacy_unit"] == "vendor"
    assert manifest["policy"]["sha256"] == _sha(project / "policy.yaml")
    by_table = {i["table"]: i for i in manifest["inputs"]}
    assert by_table["sales"]["sha256"] == _sha(project / "data" / "sales.csv")
    assert by_table["sales"]["rows"] == 3_000
    for output in manifest["outputs"]:
        path = out / output["path"]
        assert output["sha256"] == _sha(path)
        rows = (
            pq.read_metadata(path).num_rows
            if output["format"] == "parquet"
            else pacsv.read_csv(path).num_rows
        )
        assert rows == output["rows"]
    g = manifest["guarantees"]["sales"]
    assert g["privacy_unit_column"] == "vendor_id"
    assert g["privacy_unit_pseudonymised"] is True
    assert g["quasi_identifiers"] == ["sold_at", "channel"]
    assert (out / "masking.md").read_text().count("| `") >= 40
    record = json.loads((out / "masking.json").read_text())
    assert set(record["tables"]) == {
        "vendors",
        "products",
        "suppliers",
        "materials",
        "batches",
        "sales",
    }


def test_same_inputs_give_byte_identical_data_and_manifest(project: Path) -> None:
    a = release(project / "policy.yaml", project / "a")
    b = release(project / "policy.yaml", project / "b")
    for output in a.manifest["outputs"]:
        assert _sha(a.directory / output["path"]) == _sha(b.directory / output["path"])
    strip = lambda m: {k: v for k, v in m.items() if k != "created_at"}  # noqa: E731
    assert strip(a.manifest) == strip(b.manifest)
    for name in ("masking.json", "masking.md"):
        assert (a.directory / name).read_bytes() == (b.directory / name).read_bytes()
    # The journal differs only where it truthfully says the DP values came from the store.
    journal_a = json.loads((a.directory / "journal.json").read_text())
    journal_b = json.loads((b.directory / "journal.json").read_text())
    assert [e for e in journal_a if e["step"] != "dp"] == [
        e for e in journal_b if e["step"] != "dp"
    ]
    assert any(e["step"] == "dp" and e["details"].get("from_store") for e in journal_b)


def test_existing_release_is_never_overwritten_silently(project: Path) -> None:
    first = release(project / "policy.yaml", project / "release")
    marker = first.directory / "manifest.json"
    before = marker.read_bytes()
    with pytest.raises(OutputExistsError, match=r"already exists .* --overwrite"):
        release(project / "policy.yaml", project / "release")
    assert marker.read_bytes() == before
    again = release(
        project / "policy.yaml",
        project / "release",
        overwrite=True,
        created_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
    )
    assert json.loads(again.manifest_path.read_text())["created_at"].startswith("2030-01-01")
    assert _release_dirs(project) == ["release"]


def test_failure_leaves_no_partial_release_and_no_temporary_junk(project: Path) -> None:
    def boom(ctx: object) -> None:
        raise RuntimeError("disk full")

    from craftveil.pipeline.run import STEPS

    with pytest.raises(RuntimeError, match="disk full"):
        release(project / "policy.yaml", project / "release", steps=(*STEPS, ("boom", boom)))
    assert _release_dirs(project) == []
    # DP values drawn before the failure stay in the ledger's store: a re-run publishes those,
    # never a fresh draw (DP_NOTES.md: no averaging attack).
    assert (project / "dp-store").is_dir()


def test_key_material_never_appears_in_any_output(project: Path) -> None:
    result = release(project / "policy.yaml", project / "release")
    key_bytes = KEY_TEXT.encode()
    for path in result.directory.rglob("*"):
        if path.is_file():
            assert key_bytes not in path.read_bytes(), path
    assert result.manifest["key_fingerprint"] not in KEY_TEXT
    assert len(result.manifest["key_fingerprint"]) == 16


def test_no_direct_identifier_of_the_source_reaches_the_release(project: Path) -> None:
    vendors = pacsv.read_csv(project / "data" / "vendors.csv").to_pydict()
    result = release(project / "policy.yaml", project / "release")
    blob = b"".join(p.read_bytes() for p in result.directory.rglob("*.csv"))
    blob += b"".join(p.read_bytes() for p in result.directory.glob("*.json"))
    for column in ("vendor_id", "business_name", "owner_name", "email", "phone", "street_address"):
        for value in vendors[column]:
            assert str(value).encode() not in blob, (column, value)


def test_csv_cells_that_look_like_formulas_are_neutralised(project: Path) -> None:
    products = project / "data" / "products.csv"
    table = pacsv.read_csv(
        products, convert_options=pacsv.ConvertOptions(strings_can_be_null=False)
    )
    data = table.to_pydict()
    data["category"][0] = "=HYPERLINK(1)"
    data["product_name"][1] = "@SUM(A1)"
    pacsv.write_csv(pa.table(data), products)
    result = release(project / "policy.yaml", project / "release")
    csv_text = (result.directory / "public" / "products.csv").read_text()
    assert "'=HYPERLINK(1)" in csv_text
    assert ",=HYPERLINK" not in csv_text
    parquet = pq.read_table(result.directory / "public" / "products.parquet").to_pydict()
    assert "=HYPERLINK(1)" in parquet["category"]  # Parquet keeps the value as it is
    sales = pacsv.read_csv(result.directory / "public" / "sales.csv")
    assert str(sales.schema.field("quantity").type).startswith("int")  # numbers stay numbers


def test_pseudonyms_join_across_tables(project: Path) -> None:
    result = release(project / "policy.yaml", project / "release")
    pub = result.directory / "public"
    vendor_tokens = set(pq.read_table(pub / "vendors.parquet").column("vendor_id").to_pylist())
    sales_tokens = set(pq.read_table(pub / "sales.parquet").column("vendor_id").to_pylist())
    product_tokens = set(pq.read_table(pub / "products.parquet").column("product_id").to_pylist())
    sale_products = set(pq.read_table(pub / "sales.parquet").column("product_id").to_pylist())
    assert sales_tokens <= vendor_tokens
    assert sale_products <= product_tokens
    assert len(vendor_tokens) == 60


def test_restricted_tier_tables_go_to_their_own_directory(project: Path) -> None:
    from tests.helpers import edit_policy

    edit_policy(
        project,
        "  batches:\n    path: data/batches.csv\n",
        "  batches:\n    path: data/batches.csv\n    tier: restricted\n",
    )
    result = release(project / "policy.yaml", project / "release")
    assert (result.directory / "restricted" / "batches.parquet").is_file()
    assert not (result.directory / "public" / "batches.parquet").exists()
    assert result.manifest["guarantees"]["batches"]["tier"] == "restricted"
    tiers = {o["path"]: o["tier"] for o in result.manifest["outputs"]}
    assert tiers["restricted/batches.csv"] == "restricted"
    assert tiers["public/sales.csv"] == "public"


def test_masking_record_gives_the_impact_of_each_choice_alone(project: Path) -> None:
    result = release(project / "policy.yaml", project / "release")
    report = json.loads((result.directory / "report.json").read_text())
    (utility,) = [s for s in report["sections"] if s["id"] == "utility"]
    impacts = {
        (e["table"], e["column"]): e for e in utility["data"]["impact of each masking choice alone"]
    }
    # the utility analytics read sold_at, quantity, unit_price, region and category; only the
    # masked ones (not `keep`) are attributed
    assert set(impacts) == {("sales", "sold_at"), ("sales", "unit_price")}
    # a month window cannot change monthly totals nor the regional shares (by definition)
    assert impacts[("sales", "sold_at")]["seasonality_correlation"] == pytest.approx(1.0)
    assert impacts[("sales", "sold_at")]["regional_share_max_error_pp"] == pytest.approx(0.0)
    masking = (result.directory / "masking.md").read_text()
    assert "### Impact of each masking choice alone" in masking
    assert "| `sales` | `unit_price` | suppress |" in masking


def test_a_choice_that_makes_an_analysis_impossible_is_reported(project: Path) -> None:
    from tests.helpers import edit_policy

    edit_policy(
        project,
        "      unit_price: {role: measure, action: suppress, when: {column: channel, equals: "
        "wholesale}",
        "      unit_price: {role: measure, action: generalize, bands: {width: 10}",
    )
    from craftveil.errors import PolicyError

    with pytest.raises(PolicyError, match=r"utility.price_column: column 'unit_price' is .* not a"):
        release(project / "policy.yaml", project / "release")


def test_share_of_vendors_whose_price_band_moved_is_exact(project: Path) -> None:
    """Recomputed here from the files: raw medians per vendor id, released medians per token."""
    import hashlib
    import hmac

    import numpy as np
    import pandas as pd

    result = release(project / "policy.yaml", project / "release")
    report = json.loads((result.directory / "report.json").read_text())
    (utility,) = [s for s in report["sections"] if s["id"] == "utility"]
    claimed = utility["data"]["metrics"]["price_band_vendors_moved"]
    raw = pd.read_csv(project / "data" / "sales.csv", dtype={"vendor_id": str})
    rel = pd.read_parquet(result.directory / "public" / "sales.parquet")
    raw_median = raw.dropna(subset=["unit_price"]).groupby("vendor_id")["unit_price"].median()
    rel_median = rel.dropna(subset=["unit_price"]).groupby("vendor_id")["unit_price"].median()
    edges = sorted({round(float(q), 2) for q in np.quantile(raw_median, [0.2, 0.4, 0.6, 0.8])})
    key = KEY_TEXT.encode()

    def token(vendor: str) -> str:
        return hmac.new(key, b"vendor\x00" + vendor.encode(), hashlib.sha256).hexdigest()[:16]

    moved = [
        np.searchsorted(edges, price, side="right")
        != np.searchsorted(edges, rel_median[token(v)], side="right")
        for v, price in raw_median.items()
        if token(v) in rel_median.index
    ]
    assert len(moved) == utility["data"]["price bands"]["vendors_compared"] > 0
    assert claimed == pytest.approx(float(np.mean(moved)))
    assert claimed >= utility["data"]["metrics"]["price_band_vendor_shift"] - 1e-12
