"""The secret key: resolved from ``env:`` or ``file:``, never printed, logged or written.

Pseudonyms are HMAC-SHA256 tokens (RFC 2104) under this key. ``release`` scope derives a per-release
key from the release name (HMAC(key, "release:" + name)), so tokens differ between releases yet a
re-run of the same release is identical. Only a fingerprint (HMAC of a fixed label) is published.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field
from pathlib import Path

from craftveil.errors import SecretError

MIN_KEY_BYTES = 32


@dataclass(frozen=True)
class SecretKey:
    """Key material; ``repr`` and ``str`` never show it."""

    _material: bytes = field(repr=False)

    def __str__(self) -> str:
        return f"SecretKey(fingerprint={self.fingerprint})"

    def __repr__(self) -> str:
        return str(self)

    @property
    def fingerprint(self) -> str:
        """A public identifier of the key (not reversible to it)."""
        return hmac.new(
            self._material, b"craftveil key fingerprint v1", hashlib.sha256
        ).hexdigest()[:16]

    def derive(self, label: str) -> SecretKey:
        """A sub-key for one purpose (e.g. one release's scope)."""
        return SecretKey(hmac.new(self._material, label.encode(), hashlib.sha256).digest())

    def token(self, namespace: str, value: str, length: int = 16) -> str:
        """HMAC-SHA256(key, namespace \\x00 value) as hex, truncated to ``length`` characters."""
        msg = namespace.encode() + b"\x00" + value.encode()
        return hmac.new(self._material, msg, hashlib.sha256).hexdigest()[:length]

    def tokens(self, namespace: str, values: list[str], length: int = 16) -> list[str]:
        prefix = namespace.encode() + b"\x00"
        base = hmac.new(self._material, digestmod=hashlib.sha256)
        out = []
        for v in values:
            h = base.copy()
            h.update(prefix + v.encode())
            out.append(h.hexdigest()[:length])
        return out


def resolve_secret(*, env: str | None, file: str | None, base_dir: Path) -> SecretKey:
    """Read the key from the environment or a file; SecretError (no key material) when unusable."""
    if env is not None:
        raw = os.environ.get(env)
        if raw is None or raw == "":
            raise SecretError(
                f"secret.env: environment variable {env} is not set — export it with a random "
                f"key of at least {MIN_KEY_BYTES} bytes "
                f"(e.g. `export {env}=$(openssl rand -hex 32)`)"
            )
        material = raw.encode()
        where = f"secret.env ({env})"
    else:
        assert file is not None
        path = (base_dir / file).resolve()
        if not path.is_file():
            raise SecretError(
                f"secret.file: key file {path} not found — create it with at least "
                f"{MIN_KEY_BYTES} random bytes (e.g. `openssl rand -hex 32 > {file}`)"
            )
        material = path.read_bytes().strip()
        where = f"secret.file ({path})"
    if len(material) < MIN_KEY_BYTES:
        raise SecretError(
            f"{where}: the key is too short ({len(material)} bytes); it must be at least "
            f"{MIN_KEY_BYTES} bytes — generate one with `openssl rand -hex 32`"
        )
    return SecretKey(material)
