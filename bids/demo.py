"""Demo data for sealed bids: commission members' opening keys, made as a member would make
them on their own machine, with the private halves written under DEMO_DIR/keys/commission/
so the demo's opening can be run with `tools/tenderctl.py open-share`."""

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.conf import settings

from accounts.choices import Role
from accounts.models import User
from bids.models import CommissionKey
from bids.services.keys import register_commission_key


def commission_key_path(email: str) -> Path:
    return Path(settings.DEMO_DIR) / "keys" / "commission" / f"{email}.key"


def _load_or_make(path: Path) -> X25519PrivateKey:
    if path.exists():
        return serialization.load_pem_private_key(path.read_bytes(), password=None)
    key = X25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def ensure_commission_keys() -> list[Path]:
    """Every commission member has an opening key registered and its file on disk."""
    made = []
    members = User.objects.filter(
        memberships__role=Role.COMMISSION_MEMBER, memberships__is_active=True
    ).distinct()
    for user in members.order_by("email"):
        path = commission_key_path(user.email)
        key = _load_or_make(path)
        public = key.public_key().public_bytes_raw()
        active = CommissionKey.objects.filter(user=user, retired_at__isnull=True).first()
        if active is None or bytes(active.public_key) != public:
            register_commission_key(actor=user, public_key=base64.b64encode(public).decode())
            made.append(path)
    return made
