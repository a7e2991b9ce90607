"""The registers: an operator, agencies with a buyer who chairs and two commission members
(each with a registered X25519 opening key), suppliers each with an administrator, a real
certificate from the bench CA registered in pki, and API tokens for the first few."""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field

from accounts.choices import Role
from accounts.models import ApiToken, User, hash_token
from audit.actions import Action
from bench.seeding.base import bins
from bench.seeding.ca import issue_all
from bids.crypto import public_key_of
from bids.models import CommissionKey
from pki.models import SigningCertificate
from pki.validation import certificate_facts, read_certificate, subject_bin
from suppliers.choices import Region
from suppliers.models import Membership, Organisation

REGIONS = list(Region.values)
TOKENS = 200  # suppliers whose API token is handed to the scenarios in clear
WORDS = ["Alatau", "Steppe", "Caspian", "Altyn", "Nomad", "Saryarka", "Irtysh", "Tengri"]
TRADES = ["Supply", "Build", "Med", "Tech", "Agro", "Trans", "Print", "Energy"]


def commission_private_key(email: str) -> bytes:
    """The same derivation as tests/procurement/factories.py, so scenarios can open shares."""
    return hashlib.sha256(b"test opening key:" + email.encode()).digest()


@dataclass
class Agency:
    id: int
    bin: str
    name: str
    buyer: int
    members: list[int]
    emails: dict[int, str]
    key_ids: dict[int, int] = field(default_factory=dict)  # user -> CommissionKey id
    public_keys: dict[str, bytes] = field(default_factory=dict)  # email -> X25519 public


@dataclass
class Supplier:
    id: int
    bin: str
    name: str
    user: int
    email: str
    certificate: int = 0
    fingerprint: str = ""
    key_pem: bytes = b""
    certificate_der: bytes = b""
    token: str | None = None


class Registers:
    def __init__(self, tables, log, rnd, now: dt.datetime):
        self.tables, self.log, self.rnd, self.now = tables, log, rnd, now
        self.agencies: list[Agency] = []
        self.suppliers: list[Supplier] = []
        self.operator = 0

    def user(self, email: str, name: str, *, staff=False, actor=None) -> int:
        joined = self.now - dt.timedelta(days=400)
        pk = self.tables.add(
            User, email=email, full_name=name, is_active=True, is_staff=staff,
            is_superuser=False, date_joined=joined, last_login=None,
            password="!" + secrets.token_hex(20),  # unusable, as make_password(None) makes
        )  # fmt: skip
        actor = pk if actor is None else actor
        self.log.record(
            Action.USER_REGISTERED, subject=("accounts.user", pk), actor=actor,
            data={"is_staff": staff},
        )  # fmt: skip
        return pk

    def organisation(self, kind: str, bin: str, name: str, region: str, admin: int) -> int:
        pk = self.tables.add(
            Organisation, kind=kind, bin=bin, is_sole_trader=False, legal_name=name,
            short_name=name[:120], region=region, address=f"{region}, {name} street 1",
            contact_email=f"office@{bin}.example.kz", contact_phone="+7 700 000 0000",
            status="verified", status_reason="", parent_ministry_id=None,
            budget_admin_code=f"{200 + len(self.agencies) % 700:03d}" if kind == "agency" else "",
            time_zone="Asia/Almaty", registered_at=self.now - dt.timedelta(days=365),
            verified_at=self.now - dt.timedelta(days=364),
        )  # fmt: skip
        details = {"kind": kind, "bin": bin, "legal_name": name, "region": region}
        self.log.record(
            Action.ORGANISATION_REGISTERED, subject=("suppliers.organisation", pk), actor=admin,
            data={**details, "status": "pending", "admin": admin},
        )  # fmt: skip
        self.log.record(
            Action.ORGANISATION_VERIFIED, subject=("suppliers.organisation", pk),
            actor=self.operator, data={"status": "verified", "reason": "bench seed"},
        )  # fmt: skip
        return pk

    def member(self, organisation: int, user: int, role: str, actor: int) -> None:
        pk = self.tables.add(
            Membership, user_id=user, organisation_id=organisation, role=role, is_active=True,
            added_by_id=actor, created_at=self.now - dt.timedelta(days=364), ended_at=None,
        )  # fmt: skip
        self.log.record(
            Action.MEMBERSHIP_ADDED, subject=("suppliers.membership", pk), actor=actor,
            data={"organisation": organisation, "user": user, "role": role},
        )  # fmt: skip

    def seed(self, *, agencies: int, suppliers: int, ca, processes: int) -> None:
        self.operator = self.user("operator@bench.kz", "Bench Operator", staff=True)
        self.seed_agencies(agencies)
        self.seed_suppliers(suppliers, ca, processes)

    def seed_agencies(self, count: int) -> None:
        numbers = bins("4", 100_000)
        for n in range(count):
            bin, name = next(numbers), f"State Agency No. {n + 1} {self.rnd.choice(WORDS)}"
            emails = [f"buyer{n}@agency.bench.kz"] + [
                f"member{n}-{k}@agency.bench.kz" for k in (1, 2)
            ]
            users = [self.user(email, f"Agency {n} person {k}") for k, email in enumerate(emails)]
            pk = self.organisation("agency", bin, name, REGIONS[n % len(REGIONS)], users[0])
            for role in (Role.ADMIN, Role.BUYER, Role.COMMISSION_MEMBER):
                self.member(pk, users[0], role, users[0])
            for user in users[1:]:
                self.member(pk, user, Role.COMMISSION_MEMBER, users[0])
            agency = Agency(
                pk, bin, name, users[0], users[1:], dict(zip(users, emails, strict=True))
            )
            for user, email in agency.emails.items():
                self.opening_key(agency, user, email)
            self.agencies.append(agency)

    def opening_key(self, agency: Agency, user: int, email: str) -> None:
        public = public_key_of(commission_private_key(email))
        key_id = hashlib.sha256(public).hexdigest()[:16]
        pk = self.tables.add(
            CommissionKey, user_id=user, public_key=public, key_id=key_id,
            registered_at=self.now - dt.timedelta(days=300), retired_at=None,
        )  # fmt: skip
        agency.key_ids[user], agency.public_keys[email] = pk, public
        self.log.record(
            Action.OPENING_KEY_REGISTERED, subject=("bids.commissionkey", pk), actor=user,
            data={"key_id": key_id, "public_key": public.hex(), "retired": []},
        )  # fmt: skip

    def seed_suppliers(self, count: int, ca, processes: int) -> None:
        numbers = bins("4", 400_000)
        planned = [next(numbers) for _ in range(count)]
        issued = issue_all(ca, planned, processes=processes)
        for n, bin in enumerate(planned):
            name = f"{self.rnd.choice(WORDS)} {self.rnd.choice(TRADES)} LLP {n + 1}"
            email = f"admin{n}@supplier.bench.kz"
            user = self.user(email, f"Supplier {n} admin")
            pk = self.organisation("supplier", bin, name, self.rnd.choice(REGIONS), user)
            self.member(pk, user, Role.ADMIN, user)
            supplier = Supplier(pk, bin, name, user, email, key_pem=issued[bin][0])
            self.certificate(supplier, issued[bin][1])
            if n < TOKENS:
                self.api_token(supplier)
            self.suppliers.append(supplier)

    def certificate(self, supplier: Supplier, der: bytes) -> None:
        certificate = read_certificate(der)
        facts = certificate_facts(certificate, subject_bin=subject_bin(certificate, supplier.bin))
        pk = self.tables.add(
            SigningCertificate, organisation_id=supplier.id, der=facts.der,
            fingerprint_sha256=facts.fingerprint_sha256, serial=facts.serial,
            issuer=facts.issuer, subject=facts.subject, subject_bin=facts.subject_bin,
            key_type=facts.key_type, not_before=facts.not_before, not_after=facts.not_after,
            registered_by_id=supplier.user, registered_at=self.now - dt.timedelta(hours=20),
        )  # fmt: skip
        supplier.certificate, supplier.fingerprint = pk, facts.fingerprint_sha256
        supplier.certificate_der = der
        self.log.record(
            Action.CERTIFICATE_REGISTERED, subject=("pki.signingcertificate", pk),
            actor=supplier.user,
            data={
                "organisation": supplier.id, "bin": supplier.bin,
                "fingerprint_sha256": facts.fingerprint_sha256, "serial": facts.serial,
                "issuer": facts.issuer, "key_type": facts.key_type,
                "not_after": facts.not_after,
            },
        )  # fmt: skip

    def api_token(self, supplier: Supplier) -> None:
        prefix = secrets.token_hex(4)
        raw = f"otp_{prefix}_{secrets.token_urlsafe(32)}"
        pk = self.tables.add(
            ApiToken, user_id=supplier.user, name="bench", prefix=prefix,
            token_hash=hash_token(raw), created_at=self.now - dt.timedelta(hours=10),
            last_used_at=None, revoked_at=None,
        )  # fmt: skip
        supplier.token = raw
        self.log.record(
            Action.API_TOKEN_CREATED, subject=("accounts.apitoken", pk), actor=supplier.user,
            data={"user": supplier.user, "prefix": prefix, "name": "bench"},
        )  # fmt: skip
