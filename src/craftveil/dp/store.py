"""Stored noisy values: a published statistic is never drawn again.

Re-running a release must return the values it already published: a fresh draw would let anyone
average the draws and remove the noise (the averaging attack). The values are written next to the
release as JSON, together with a fingerprint of the declaration that produced them, so a changed
declaration under the same release id is refused instead of silently served.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from craftveil.dp.results import DPResult
from craftveil.errors import DataError, PrivacyRequirementError
from craftveil.policy.dp import DPPolicy


def store_path(store_dir: Path, release_id: str) -> Path:
    """Where the noisy values of ``release_id`` live."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in release_id)
    return Path(store_dir) / f"dp-{safe}.json"


def fingerprint(policy: DPPolicy, dataset: str, vendor_column: str) -> str:
    """Hash of what determines the values: dataset, vendor column, budget and statistics.

    ``budget.selection_delta`` is left out while unset, so releases stored before the field
    existed keep their fingerprint (and are returned, not refused, on a re-run).
    """
    declaration = policy.model_dump(mode="json", exclude={"ledger"})
    if declaration["budget"].get("selection_delta") is None:
        declaration["budget"].pop("selection_delta", None)
    text = json.dumps(
        {"dataset": dataset, "vendor_column": vendor_column, "policy": declaration},
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def load(store_dir: Path, release_id: str, expected_fingerprint: str) -> DPResult | None:
    """The stored result of ``release_id``, or None when it was never written."""
    path = store_path(store_dir, release_id)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise DataError(f"{path}: stored dp values are unreadable ({error})") from error
    if data.get("fingerprint") != expected_fingerprint:
        raise PrivacyRequirementError(
            f"release {release_id!r} was already published with a different dp declaration "
            f"({path}); its values are not drawn again",
            what_would_help=["use a new release id for the changed declaration"],
        )
    return DPResult.from_dict(data["result"], from_store=True)


def save(store_dir: Path, result: DPResult, result_fingerprint: str) -> Path:
    """Write atomically (temporary file, then rename) so a crash never leaves half a file."""
    path = store_path(store_dir, result.release_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".tmp-{os.getpid()}")
    payload = {"fingerprint": result_fingerprint, "result": result.to_dict()}
    temporary.write_text(
        json.dumps(payload, allow_nan=False, separators=(",", ":")), encoding="utf-8"
    )
    os.replace(temporary, path)
    return path
