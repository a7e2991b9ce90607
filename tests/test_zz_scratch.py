import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from suppliers.models import BlacklistEntry
from suppliers.services.blacklist import add_blacklist_entry
from suppliers.services.registration import register_supplier
from tests.factories import make_bin


@pytest.fixture(autouse=True)
def fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_scratch(cast):
    now = timezone.now()
    try:
        add_blacklist_entry(
            organisation=cast.supplier_org_a,
            actor=cast.operator,
            basis="other",
            decision_reference="x",
            decided_by="y",
            starts_at=now,
            ends_at=now - dt.timedelta(days=1),
        )
    except ValidationError as e:
        print("BL", repr(e), getattr(e, "error_dict", None))
    try:
        register_supplier(
            details=dict(
                bin=cast.supplier_org_a.bin,
                legal_name="X",
                region="astana",
                address="a",
                contact_email="a@b.kz",
            ),
            actor=cast.outsider,
        )
    except ValidationError as e:
        print("DUP", e.message_dict)
    try:
        register_supplier(
            details=dict(
                bin=make_bin(), legal_name="X", region="astana", address="a", contact_email="a@b.kz"
            ),
            actor=None,
            new_user=dict(email="n@x.kz", full_name="New Person", password="123"),
        )
    except ValidationError as e:
        print("PW", e.message_dict)
    e = BlacklistEntry.objects.first()
    try:
        with transaction.atomic():
            e.delete()
    except (IntegrityError, DatabaseError) as exc:
        print("DEL", type(exc), exc)
    c = Client(enforce_csrf_checks=True)
    c.force_login(cast.outsider)
    r = c.post(
        "/api/v1/registers/suppliers", data={"bin": make_bin()}, content_type="application/json"
    )
    print("CSRF", r.status_code, r.content)
    c = Client()
    c.force_login(cast.outsider)
    r = c.post("/api/v1/registers/suppliers", data="{bad", content_type="application/json")
    print("BAD", r.status_code, r.content)
    r = c.post(
        "/api/v1/registers/suppliers", data={"bin": make_bin()}, content_type="application/json"
    )
    print("MISSING", r.status_code, r.content)
    r = c.post(
        "/api/v1/registers/suppliers",
        data=dict(
            bin=cast.supplier_org_a.bin,
            legal_name="X",
            region="astana",
            address="a",
            contact_email="a@b.kz",
        ),
        content_type="application/json",
    )
    print("DUPAPI", r.status_code, r.content)
    r = c.get("/api/v1/registers/organisations/949940000386")
    print("INV", r.status_code, r.content)
    r = c.get("/api/v1/registers/organisations/" + make_bin())
    print("UNK", r.status_code, r.content)
