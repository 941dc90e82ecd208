"""The generator's calendar agrees with real artisanal sales data in ../shared/data.

Two independent references: the USDA National Farmers Market Directory (when markets operate
during the year) and the Bread Basket bakery's transactions (when in the day people buy).
Neither is copied; both are read at test time through the ``shared_data`` fixture.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from craftveil.datagen import GeneratedDataset


def months_markets_operate(shared_data: Path) -> dict[int, int]:
    """Number of USDA markets whose first season covers each calendar month."""
    path = (shared_data / "farmers_markets_usda" / "farmers_markets_usda_2016.csv").as_posix()
    result = duckdb.sql(
        f"""
        with seasons as (
            select try_strptime(split_part(season_1_date, ' to ', 1), '%m/%d/%Y') as opens,
                   try_strptime(split_part(season_1_date, ' to ', 2), '%m/%d/%Y') as closes
            from read_csv('{path}', all_varchar = true)
        ), valid as (
            select month(opens) a, month(closes) b from seasons
            where closes >= opens and datediff('day', opens, closes) < 330
        )
        select m, count(*) filter (where (a <= b and m between a and b)
                                    or (a > b and (m >= a or m <= b)))
        from valid, (select unnest(range(1, 13)) as m) group by m
        """
    ).fetchall()
    return {int(m): int(n) for m, n in result}


def test_market_sales_follow_the_real_farmers_market_season(
    shared_data: Path, db: duckdb.DuckDBPyConnection
) -> None:
    real = months_markets_operate(shared_data)
    peak = max(real.values())
    season = {m for m, n in real.items() if n >= peak / 2}
    off_season = {m for m, n in real.items() if n < peak / 10}
    assert season  # the real data has a clear season (May–October here) …
    assert off_season  # … and an off-season

    per_day = dict(
        db.sql(
            """
            select month(cast(sold_at as timestamp)) m,
                   count(*) / count(distinct cast(sold_at as date)) per_day
            from sales where channel = 'market' group by 1
            """
        ).fetchall()
    )
    in_season = sum(per_day[m] for m in season) / len(season)
    outside = sum(per_day[m] for m in off_season if m not in (11, 12))  # holiday markets aside
    outside /= len([m for m in off_season if m not in (11, 12)])
    assert in_season > 1.5 * outside


def test_market_hours_match_a_real_bakery(
    shared_data: Path, small_dataset: GeneratedDataset
) -> None:
    bakery = (shared_data / "bakery_breadbasket" / "BreadBasket_DMS.csv").as_posix()
    real = dict(
        duckdb.sql(
            f"select hour(cast(Time as time)), count(distinct Transaction) "
            f"from read_csv('{bakery}', all_varchar = true) group by 1"
        ).fetchall()
    )
    busy_hours = {h for h, n in real.items() if n >= 0.7 * max(real.values())}
    sales = Path(small_dataset.paths["sales"]).as_posix()
    generated = dict(
        duckdb.sql(
            f"select hour(sold_at), count(*) from read_csv('{sales}') "
            "where channel = 'market' group by 1"
        ).fetchall()
    )
    assert max(generated, key=generated.__getitem__) in busy_hours
    in_busy = sum(n for h, n in generated.items() if h in busy_hours)
    assert in_busy / sum(generated.values()) > 0.5
    # Like the bakery, markets sell nothing in the small hours.
    assert sum(generated.get(h, 0) for h in range(0, 6)) == 0
