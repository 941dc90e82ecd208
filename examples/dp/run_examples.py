"""Run the two DP examples on the real data: plan first, then one release each, and print them.

    python examples/dp/run_examples.py [DATA_DIR]

DATA_DIR defaults to ../shared/data next to the repository. Each run uses a fresh temporary
ledger and store, so it spends nothing anywhere else; the numbers change from run to run because
the noise is fresh each time (that is the point).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import ibis
import pandas as pd
import yaml

from craftveil.dp import DPResult, Ledger, compute_statistics, plan
from craftveil.policy.dp import DPPolicy

HERE = Path(__file__).resolve().parent
NO_STATE = "(no state given)"


def load_dp_policy(name: str) -> DPPolicy:
    """The ``dp:`` section of one example YAML next to this script."""
    document = yaml.safe_load((HERE / name).read_text(encoding="utf-8"))
    return DPPolicy.model_validate(document["dp"])


def etsy_table(data_dir: Path, states: list[str]) -> ibis.Table:
    """US Etsy shops with ``shop_id``, ``state`` (or '(no state given)') and ``sales``."""
    frame = pd.read_csv(data_dir / "etsy" / "etsy_shops_data.csv")
    table = ibis.memtable(frame)
    table = table.filter(table.is_shop_us_based)
    state = table.shop_location.split(", ")[-1]
    known = [s for s in states if s != NO_STATE]
    return table.mutate(
        shop_id=ibis.row_number().cast("string"),
        state=ibis.cases((state.isin(known), state), else_=NO_STATE),
        sales=ibis.cases((table.sales_count < 0, ibis.null("int64")), else_=table.sales_count),
    )


def bakery_table(data_dir: Path) -> ibis.Table:
    """Bread Basket items with ``month`` (YYYY-MM) and ``basket`` (the transaction id)."""
    frame = pd.read_csv(data_dir / "bakery_breadbasket" / "BreadBasket_DMS.csv")
    table = ibis.memtable(frame)
    return table.mutate(month=table.Date.substr(0, 7), basket=table.Transaction.cast("string"))


def _print(result: DPResult) -> None:
    print(f"  spent ρ = {result.rho_spent:.4g} (ε = {result.epsilon:.3g}, δ = {result.delta:g})")
    for stat in result.statistics:
        shown = [v for v in stat.values if v.value is not None]
        print(
            f"  {stat.name}: {len(shown)} of {len(stat.values)} cells published; bounding "
            f"clipped {stat.bounding.share_vendors_clipped:.1%} of units and removed "
            f"{stat.bounding.share_total_clamped_away:.1%} of the total (raw-data figure)"
        )
        for value in sorted(shown, key=lambda v: -(v.value or 0))[:8]:
            cell = ", ".join(value.cell.values()) or "all"
            print(
                f"    {cell:<22} {value.value:>10,.1f} ± {value.margin_of_error_95:,.1f}"
                f"  (CV {value.cv:.0%})"
            )


def main(data_dir: Path) -> None:
    """Plan and release both examples into a temporary ledger and store."""
    etsy_policy = load_dp_policy("etsy_sales_by_state.yaml")
    bakery_policy = load_dp_policy("bakery_monthly_sales.yaml")
    runs = [
        ("Etsy shops by state", etsy_policy,
         etsy_table(data_dir, etsy_policy.taxonomy["state"]), "shop_id"),
        ("Bakery by month", bakery_policy, bakery_table(data_dir), "basket"),
    ]  # fmt: skip
    with tempfile.TemporaryDirectory() as work:
        ledger = Ledger(Path(work) / "ledger.sqlite")
        for title, policy, table, unit_column in runs:
            print(f"== {title}")
            print(plan(policy, source=table, vendor_column=unit_column).to_text())
            result = compute_statistics(
                table, policy, unit_column, ledger=ledger, dataset=title,
                release_id="example", store_dir=Path(work) / unit_column,
            )  # fmt: skip
            _print(result)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "data_dir", nargs="?", type=Path,
        default=Path(__file__).resolve().parents[2].parent / "shared" / "data",
        help="the shared data directory (default: ../shared/data next to the repository)",
    )  # fmt: skip
    arguments = parser.parse_args()
    if not (arguments.data_dir / "etsy").is_dir():
        parser.error(f"{arguments.data_dir} has no etsy/ folder: pass the shared data directory")
    main(arguments.data_dir)
