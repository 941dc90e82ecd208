"""Real datasets: each example releases, and no original identifier string reaches the release.

For every column the policy marks as an identifier, every distinct original value is searched
for in every output file: as a whole cell of the CSV/Parquet outputs, and as a substring of all
text written (values of 6+ characters that are not hex-like; hex-like values such as numeric
ids are compared as whole tokens, since they can occur inside a hex pseudonym by chance).
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from tests.helpers import KEY_TEXT

from craftveil.engine import make_engine
from craftveil.pipeline import release
from craftveil.pipeline.plan import make_plan
from craftveil.policy import load_policy

HEXLIKE = re.compile(r"[0-9a-fA-F]+")
WORD = re.compile(r"[a-z]+")
EXAMPLES = ["farmers_markets", "coffee_producers", "olist_sellers"]


def _source_values(policy_path: Path) -> tuple[dict[str, set[str]], set[str]]:
    """Distinct values of each identifier column, and of the columns released unchanged.

    A value that the policy releases unchanged in a non-identifying column (an institution's
    name that also sits, misaligned, in an identifier column of the source) is not searched for.
    """
    policy = load_policy(policy_path)
    engine = make_engine()
    plan = make_plan(policy, policy_path, engine)
    values: dict[str, set[str]] = {}
    kept: set[str] = set()
    for tp in plan.tables:
        table = engine.load(tp.source)
        for name, spec in tp.spec.columns.items():
            col = table[name].cast("string")
            distinct = table.select(v=col).filter(col.notnull()).distinct().to_pyarrow()
            found = {str(v).strip() for v in distinct.column("v").to_pylist()}
            if spec.role.value == "identifier":
                values[f"{tp.name}.{name}"] = found
            elif spec.action == "keep":
                kept |= found
    engine.close()
    return values, kept


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_release_contains_no_original_identifier(
    example: str, repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRAFTVEIL_KEY", KEY_TEXT)
    policy_path = repo_root / "examples" / example / "policy.yaml"
    result = release(policy_path, tmp_path / "release")
    cells: set[str] = set()
    data_text = ""  # released tables (CSV)
    prose = ""  # documents written for people and tools (manifest, masking record, report)
    for path in sorted(result.directory.rglob("*")):
        if path.suffix == ".parquet":
            for column in pq.read_table(path).columns:
                cells.update(str(v) for v in column.to_pylist() if v is not None)
        elif path.suffix == ".csv":
            data_text += path.read_text(encoding="utf-8") + "\n"
        elif path.is_file():
            prose += path.read_text(encoding="utf-8") + "\n"
    text = data_text + prose
    data_tokens = set(re.split(r"[^0-9A-Za-z]+", data_text))
    prose_tokens = set(re.split(r"[^0-9A-Za-z]+", prose))
    identifiers, kept = _source_values(policy_path)
    assert identifiers, "the example declares identifier columns"
    policy_words = policy_path.read_text(encoding="utf-8")
    checked = 0
    for column, values in identifiers.items():
        for value in values:
            if len(value) < 3 or value in policy_words or value in kept:
                continue  # '1', 'facebook': too short, a word of the policy, or released on purpose
            assert value not in cells, f"{column} value {value!r} released as a cell"
            if HEXLIKE.fullmatch(value):
                # Digits/hex could occur inside a hex pseudonym by chance: compare whole tokens;
                # in the documents only 6+ characters (reports are full of short numbers).
                assert value not in data_tokens, f"{column} value {value!r} found in the data"
                if len(value) >= 6:
                    assert value not in prose_tokens, f"{column} value {value!r} in a document"
            elif len(value) >= 6:
                # A single lowercase word ('several') is language in the documents, not a name.
                haystack = data_text if WORD.fullmatch(value) else text
                assert value not in haystack, f"{column} value {value!r} found in the release"
            checked += 1
    assert checked > 100  # real identifiers were actually searched for
    assert KEY_TEXT not in text
    # The vendor is still the unit: its pseudonymised column is in the manifest's guarantees.
    for table, claim in result.manifest["guarantees"].items():
        assert claim["privacy_unit"] == "vendor", table


def test_coffee_release_needs_generalisation_and_meets_k_in_owners(
    repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pandas as pd

    monkeypatch.setenv("CRAFTVEIL_KEY", KEY_TEXT)
    result = release(repo_root / "examples" / "coffee_producers" / "policy.yaml", tmp_path / "r")
    claim = result.manifest["guarantees"]["lots"]
    assert claim["k_anonymity"]["k"] >= 5
    transformation = claim["generalisation"]["transformation"]
    assert any(level > 0 for level in transformation.values())  # generalisation was needed
    released = pd.read_parquet(result.directory / "public" / "lots.parquet")
    qis = claim["k_anonymity"]["quasi_identifiers"]
    kept = released[~(released[qis].astype(str) == "*").all(axis=1)]
    owners_per_class = kept.groupby(qis, dropna=False)["Owner"].nunique()
    assert owners_per_class.min() == claim["k_anonymity"]["k"]
    journal = (result.directory / "journal.json").read_text()
    assert '"k_before": 1' in journal  # the raw data singled owners out
