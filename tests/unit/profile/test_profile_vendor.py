"""Vendor-column guesses: by name, by shared ids across tables (bottom-k containment), or none."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.unit.profile.profile_helpers import write_csv

from craftveil.engine import Engine
from craftveil.profile import guess_vendor_columns, profile_table


def test_foreign_key_found_through_large_samples(tmp_path: Path, engine: Engine) -> None:
    """5,000 makers; 3,000 profile rows keyed 'id', of which 2,500 are makers (5/6); another
    table's 'id' is unrelated. Both samples are capped at 2,000 values, so only the containment
    estimate on the common hash range measures the 5/6 (standard error < 0.01 at this size)."""
    makers = [{"maker_id": f"m{i:05d}", "kiln": str(i % 4)} for i in range(5000)]
    profiles = [{"id": f"m{i:05d}", "bio_words": str(i % 9)} for i in range(0, 6000, 2)]
    unrelated = [{"id": f"x{i:05d}", "n": str(i)} for i in range(3000)]
    tables = [
        profile_table(write_csv(tmp_path / f"{name}.csv", rows), engine=engine)
        for name, rows in (("makers", makers), ("profiles", profiles), ("events", unrelated))
    ]
    assert not tables[0].column("maker_id").sample_complete
    assert not tables[1].column("id").sample_complete
    guesses = guess_vendor_columns(tables)
    assert (guesses["makers"].column, guesses["makers"].namespace) == ("maker_id", "maker")
    assert (guesses["profiles"].column, guesses["profiles"].namespace) == ("id", "maker")
    share = re.search(r"\((\d+)% of its sampled values", guesses["profiles"].evidence)
    assert share is not None
    assert int(share.group(1)) / 100 == pytest.approx(2500 / 3000, abs=0.04)
    assert guesses["events"].column is None


def test_empty_vendor_ids_are_not_guessed(tmp_path: Path, engine: Engine) -> None:
    rows = [{"vendor_id": "" if i == 3 else f"v{i}", "x": str(i)} for i in range(20)]
    table = profile_table(write_csv(tmp_path / "t.csv", rows), engine=engine)
    guess = guess_vendor_columns([table])["t"]
    assert guess.column is None
    assert "5.0% empty" in guess.evidence
