"""The platform's Ed25519 checkpoint key: loaded from a file named in settings.

Outside production a missing key is generated on first use (0600), with its public key
beside it; production must be given one, so a lost key is noticed, not silently replaced.
"""

import contextlib
import os
import secrets
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from audit import notes


def _generate(path: Path) -> None:
    """Write a new key to `path`, whole or not at all: written beside it and then linked into
    place, which fails if another thread or process made one first (FileExistsError: use
    theirs). Created with O_EXCL and then written, a concurrent reader could load it half
    written (found by two bids racing on a fresh receipt key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _write_public_key(path: Path, key: Ed25519PrivateKey) -> None:
    """The public key beside the private one, if missing; whole or not at all, and the same
    bytes whoever writes it, so concurrent writers agree."""
    public = public_key_path(path)
    if public.exists():
        return
    temporary = public.with_name(f".{public.name}.{os.getpid()}.{secrets.token_hex(4)}")
    temporary.write_bytes(notes.public_key_pem(key))
    os.replace(temporary, public)


def public_key_path(private_path: Path) -> Path:
    return private_path.with_name(private_path.stem + ".pub.pem")


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int) -> Ed25519PrivateKey:
    key = notes.load_private_key(path)
    if settings.AUDIT_GENERATE_MISSING_KEY:  # production is given both files
        _write_public_key(Path(path), key)  # once per process and key file
    return key


def load_or_generate(path: Path, setting: str) -> Ed25519PrivateKey:
    """The Ed25519 key in `path`; outside production a missing one is made first."""
    path = Path(path)
    if not path.exists():
        if not settings.AUDIT_GENERATE_MISSING_KEY:
            raise ImproperlyConfigured(f"{setting} {path} does not exist")
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            _generate(path)
    return _load(str(path), path.stat().st_mtime_ns)


def signing_key() -> Ed25519PrivateKey:
    return load_or_generate(settings.AUDIT_CHECKPOINT_KEY, "AUDIT_CHECKPOINT_KEY")


def verifying_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def key_name() -> str:
    return settings.AUDIT_CHECKPOINT_KEY_NAME


def verifier_key() -> str:
    """The key as auditors write it down: `name+keyid+base64` (C2SP signed-note vkey)."""
    return notes.verifier_key(key_name(), verifying_key())
