"""Helpers shared by several test modules (imported as ``tests.helpers``)."""

from __future__ import annotations

from pathlib import Path

KEY_TEXT = "0123456789abcdef" * 4  # 64 characters; must never appear in any output


def edit_policy(root: Path, old: str, new: str) -> None:
    """Replace one snippet of ROOT/policy.yaml (the snippet must be there)."""
    path = root / "policy.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
