"""The cast every story uses (STYLE.md): one agency with a buyer and a commission of three,
a buyer at another agency, two suppliers, a blacklisted supplier, an auditor, a reviewer, an
outsider, and an operator."""

from types import SimpleNamespace

import pytest
from django.utils import translation

from accounts.choices import Role
from audit.guards import set_guards
from bids.receipts import forget_seen_checkpoints
from tests.factories import (
    AgencyFactory,
    AuditBodyFactory,
    BlacklistEntryFactory,
    ReviewBodyFactory,
    SupplierFactory,
    UserFactory,
    member,
)
from tests.procurement.factories import give_opening_key


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    """Keys, checkpoint copies and demo files go to the test's own folder."""
    settings.AUDIT_CHECKPOINT_KEY = tmp_path / "keys" / "checkpoint-ed25519.pem"
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    settings.BID_RECEIPT_KEY = tmp_path / "keys" / "receipt-ed25519.pem"
    settings.TRUST_DATABASE_CLOCK = False  # time-machine moves Python's clock, not PostgreSQL's
    settings.DEMO_DIR = tmp_path / "demo"
    # Trust only the test's own demo CA, never one a developer's `make run` left in var/.
    pki = tmp_path / "demo" / "pki"
    settings.PKI_TRUST_ROOTS = [pki / "root.pem"]
    settings.PKI_INTERMEDIATES = [pki / "intermediate.pem"]
    settings.PKI_CRL_SOURCES = [pki / "crl.pem", pki / "root-crl.pem"]
    settings.PKI_CRL_REFRESH_SECONDS = 0  # the clock leaves CRLs alone unless a test asks
    settings.CLOCK_JOBS = []  # and OCDS publication and red flags (tests/transparency asks)
    settings.MEDIA_ROOT = tmp_path / "media"
    # Argon2 costs ~0.1 s a hash and the cast has fourteen users; tests that are about
    # password hashing set PASSWORD_HASHERS back themselves.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


_guards = {"enabled": True}  # migrations install them; per test process


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
        or (
            marker
            and (marker.kwargs.get("transaction") or (len(marker.args) > 0 and marker.args[0]))
        )
    )


@pytest.fixture(autouse=True)
def _append_only_guards(request):
    """Every test sees the guards in force, yet transactional tests can still be flushed.

    A transactional test ends with a flush (TRUNCATE/DELETE) that the guards refuse, so the
    guards are lifted in this fixture's teardown, which runs before pytest-django's flush
    because the database fixture is set up first. The next test that touches the database
    puts them back (inside its own transaction when it is not transactional, hence the flag).
    """
    uses_db = "django_db" in {m.name for m in request.node.iter_markers()} or {
        "db",
        "transactional_db",
        "live_server",
        "cast",
    } & set(request.fixturenames)
    if not uses_db:
        yield
        return
    from django.db import connection

    transactional = _is_transactional(request)
    request.getfixturevalue("transactional_db" if transactional else "db")
    if transactional:
        set_guards(connection, enabled=True)
        _guards["enabled"] = True
    elif not _guards["enabled"]:
        set_guards(connection, enabled=True)  # rolled back with the test's transaction
    yield
    if transactional:
        set_guards(connection, enabled=False)
        _guards["enabled"] = False


@pytest.fixture(autouse=True)
def _forget_seen_checkpoints():
    """Receipts remember the newest checkpoint their process has seen; each test's database is
    rolled back, so what an earlier test saw would make this one's receipts wait for nothing."""
    forget_seen_checkpoints()


@pytest.fixture(autouse=True)
def _keep_language():
    """A request in Russian must not leave the next test speaking Russian."""
    with translation.override(translation.get_language()):
        yield


# Every role of the cast, for tests that go through them all ("anonymous" is nobody).
ROLES = (
    "anonymous",
    "agency_admin",
    "buyer",
    "commission",
    "other_buyer",
    "supplier_a",
    "supplier_b",
    "shady",
    "auditor",
    "reviewer",
    "outsider",
    "operator",
)


def cast_member(cast, role: str):
    """The cast member playing `role` (the commission's first member for "commission")."""
    return cast.commission[0] if role == "commission" else getattr(cast, role)


@pytest.fixture
def cast(db):
    agency = AgencyFactory(legal_name="City Hospital No. 7")
    other_agency = AgencyFactory(legal_name="Karaganda Education Department")
    supplier_a = SupplierFactory(legal_name="Medservice Plus LLP")
    supplier_b = SupplierFactory(legal_name="Steppe Construction JSC")
    shady = SupplierFactory(legal_name="Shady Deals Trading LLP")
    audit_body = AuditBodyFactory()
    review_body = ReviewBodyFactory()
    BlacklistEntryFactory(organisation=shady)
    cast = SimpleNamespace(
        agency=agency,
        other_agency=other_agency,
        supplier_org_a=supplier_a,
        supplier_org_b=supplier_b,
        shady_org=shady,
        audit_body=audit_body,
        review_body=review_body,
        agency_admin=member(agency, Role.ADMIN, email="agency.admin@example.kz"),
        buyer=member(agency, Role.BUYER, Role.COMMISSION_MEMBER, email="buyer@example.kz"),
        commission=[
            member(agency, Role.COMMISSION_MEMBER, email=f"commission{i}@example.kz")
            for i in (1, 2, 3)
        ],
        other_buyer=member(other_agency, Role.ADMIN, Role.BUYER, email="buyer2@example.kz"),
        supplier_a=member(supplier_a, Role.ADMIN, email="supplier.a@example.kz"),
        supplier_b=member(supplier_b, Role.ADMIN, email="supplier.b@example.kz"),
        shady=member(shady, Role.ADMIN, email="shady@example.kz"),
        auditor=member(audit_body, Role.AUDITOR, email="auditor@example.kz"),
        reviewer=member(review_body, Role.REVIEWER, email="reviewer@example.kz"),
        outsider=UserFactory(email="outsider@example.kz"),
        operator=UserFactory(email="operator@example.kz", is_staff=True),
    )
    # Commission members have registered their opening keys, as they must before a sealed
    # tender of theirs is published (tests/bids covers the refusal without one).
    for user in (cast.buyer, *cast.commission):
        give_opening_key(user)
    return cast
