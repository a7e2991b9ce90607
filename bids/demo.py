"""Demo data for sealed bids: commission members' opening keys, made as a member would make
them on their own machine, with the private halves written under DEMO_DIR/keys/commission/
so the demo's opening can be run with `tools/tenderctl.py open-share`; and demo suppliers'
bids, built as a supplier's software builds them (docs/bid-format.md) with the PKCS#12 files
of the demo CA (pki/demo_ca.py), and the members' shares opened with those key files."""

import base64
import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from django.conf import settings
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from bids.crypto import canonical, open_share, seal, seal_info
from bids.models import Bid, CommissionKey, KeyShare
from bids.nonces import issue_nonce
from bids.services.keys import register_commission_key
from bids.services.submission import submit_bid
from pki.demo_ca import DEMO_PASSWORD, pki_dir
from pki.models import SigningCertificate
from pki.services.certificates import register_certificate
from procurement.models import Tender
from suppliers.models import Organisation


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


@dataclass(frozen=True)
class DemoSigner:
    key: object
    certificate: x509.Certificate
    chain: tuple


@dataclass(frozen=True)
class DemoBid:
    statement: bytes
    signature: bytes
    sealed: bytes


def supplier_signer(bin: str) -> DemoSigner:
    """The key, certificate and chain in the demo CA's PKCS#12 file for this supplier."""
    path = pki_dir() / "suppliers" / f"{bin}.p12"
    key, certificate, chain = pkcs12.load_key_and_certificates(path.read_bytes(), DEMO_PASSWORD)
    return DemoSigner(key, certificate, tuple(chain))


def ensure_signing_certificate(organisation: Organisation, actor: User) -> SigningCertificate:
    """The supplier's demo certificate, registered by `actor` (a member) unless it already is."""
    der = supplier_signer(organisation.bin).certificate.public_bytes(serialization.Encoding.DER)
    registered = SigningCertificate.objects.filter(
        fingerprint_sha256=hashlib.sha256(der).hexdigest()
    ).first()
    return registered or register_certificate(
        organisation=organisation, actor=actor, pem_or_der=der
    )


def _sign(data: bytes, signer: DemoSigner) -> bytes:
    """Detached CMS SignedData over the exact bytes, SHA-256, certificate and chain included."""
    builder = pkcs7.PKCS7SignatureBuilder().set_data(data)
    builder = builder.add_signer(signer.certificate, signer.key, hashes.SHA256())
    for extra in signer.chain:
        builder = builder.add_certificate(extra)
    options = [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]
    return builder.sign(serialization.Encoding.DER, options)


def sign_as(bin: str, data: bytes) -> bytes:
    """A detached CMS over `data` with the demo PKCS#12 file of the organisation `bin`, as
    `tools/tenderctl.py sign` makes it (results protocols, contracts)."""
    return _sign(data, supplier_signer(bin))


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_bid(tender: Tender, bin: str, prices: dict[str, str]) -> DemoBid:
    """A signed, sealed bid of supplier `bin` on the tender's version in force; `prices` maps
    lot ids to amount strings ("1250000.00")."""
    signer = supplier_signer(bin)
    public_key = bytes(tender.opening_key.public_key)
    lots = sorted(prices)
    nonce = issue_nonce(tender=tender.number, bidder=bin)[0]
    inner = {
        "type": "bid-content/v1",
        "tender": tender.number,
        "tender_version": tender.version_hash,
        "lots": lots,
        "bidder": bin,
        "nonce": nonce,
        "prices": prices,
        "currency": tender.currency,
        "documents": [],
        "answers": {},
    }
    plaintext = canonical(
        {"inner": inner, "signature": base64.b64encode(_sign(canonical(inner), signer)).decode()}
    )
    sealed = seal(plaintext, public_key, seal_info(tender.number, lots, bin))
    statement = canonical(
        {
            "type": "bid-submission/v1",
            "platform": settings.PLATFORM_ORIGIN,
            "tender": tender.number,
            "tender_version": tender.version_hash,
            "lots": lots,
            "bidder": bin,
            "sealed_sha256": hashlib.sha256(sealed).hexdigest(),
            "opening_key_id": tender.opening_key.key_id,
            "nonce": nonce,
            "signed_at": _utc(timezone.now()),
            "supersedes": None,
        }
    )
    return DemoBid(statement, _sign(statement, signer), sealed)


def submit_demo_bid(
    *, tender: Tender, actor: User, supplier: Organisation, prices: dict[str, str]
) -> Bid:
    """`actor` registers the supplier's demo certificate if need be and submits its bid."""
    ensure_signing_certificate(supplier, actor)
    tender = Tender.objects.select_related("opening_key").get(pk=tender.pk)
    made = build_bid(tender, supplier.bin, prices)
    return submit_bid(
        tender=tender,
        actor=actor,
        statement=made.statement,
        signature=made.signature,
        sealed=made.sealed,
    ).bid


def open_demo_share(tender: Tender, member: User) -> bytes:
    """The member's share of the tender's opening key, opened with their demo key file."""
    seat = KeyShare.objects.get(opening_key__tender=tender, member=member)
    key = serialization.load_pem_private_key(
        commission_key_path(member.email).read_bytes(), password=None
    )
    return open_share(
        bytes(seat.sealed_share), key.private_bytes_raw(), tender.number, member.email
    )


def publish_platform_keys() -> list[Path]:
    """Copies of the platform's public keys where a demo user finds them: the receipt key
    (for `tenderctl.py verify-receipt`) and the audit checkpoint key (for the verifiers)."""
    from audit.keys import public_key_path, signing_key
    from bids.receipts import receipt_public_pem

    signing_key()  # made on first use outside production
    folder = Path(settings.DEMO_DIR) / "keys"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, pem in (
        ("receipt-ed25519.pub.pem", receipt_public_pem()),
        ("checkpoint-ed25519.pub.pem", public_key_path(settings.AUDIT_CHECKPOINT_KEY).read_bytes()),
    ):
        path = folder / name
        if not path.exists() or path.read_bytes() != pem:
            path.write_bytes(pem)
            written.append(path)
    return written
