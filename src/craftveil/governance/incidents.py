"""An append-only incident log kept next to the releases, with a hash chain.

One JSON object per line (``incidents.jsonl``). Each entry holds the SHA-256 of the previous
entry's hash and its own content (``prev_hash`` → ``hash``), as in a simple hash chain (the
construction behind certificate-transparency logs, without the Merkle tree): changing,
removing or reordering any earlier line breaks every hash after it, which :func:`verify`
reports with the line number. The log is only ever appended to (opened in append mode); the
chain is verified before every append, so nothing is added to a tampered log. This detects
tampering, it does not prevent it: keep a copy of the last hash elsewhere to detect a rewrite
of the whole file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from craftveil.errors import DataError

LOG_NAME = "incidents.jsonl"
GENESIS = "0" * 64
SEVERITIES = ("low", "medium", "high", "critical")


def _digest(entry: dict[str, Any]) -> str:
    content = {k: v for k, v in entry.items() if k != "hash"}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_log(path: Path) -> list[dict[str, Any]]:
    """Every entry, after verifying the chain (DataError naming the first bad line)."""
    if not path.exists():
        return []
    entries: list[dict[str, Any]] = []
    prev = GENESIS
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            raise DataError(f"{path}:{number}: not a JSON line — the log was edited") from None
        if entry.get("prev_hash") != prev or entry.get("hash") != _digest(entry):
            raise DataError(
                f"{path}:{number}: the hash chain is broken — this entry or an earlier one was "
                "changed, removed or reordered; restore the log from a backup and investigate"
            )
        if entry.get("sequence") != number:
            raise DataError(f"{path}:{number}: sequence {entry.get('sequence')} out of order")
        entries.append(entry)
        prev = entry["hash"]
    return entries


def add_incident(
    directory: Path,
    summary: str,
    *,
    severity: str = "medium",
    release: str = "",
    action: str = "",
    recorded_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Append one incident to DIRECTORY/incidents.jsonl and return the entry written."""
    if severity not in SEVERITIES:
        raise DataError(f"severity {severity!r} is not one of {', '.join(SEVERITIES)}")
    if not summary.strip():
        raise DataError("the incident needs a summary — say what happened")
    if not directory.is_dir():
        raise DataError(f"{directory}: not a directory — give the directory holding the releases")
    path = directory / LOG_NAME
    entries = read_log(path)
    when = recorded_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    entry: dict[str, Any] = {
        "sequence": len(entries) + 1,
        "recorded_at": when.isoformat(),
        "severity": severity,
        "release": release,
        "summary": summary,
        "action": action,
        "prev_hash": entries[-1]["hash"] if entries else GENESIS,
    }
    entry["hash"] = _digest(entry)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
    return entry
