"""Opening a draft tender: numbers T-<year>-<6 digits>, buyers and administrators only."""

import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from procurement.models import Tender
from procurement.services.tenders import create_tender
from tests.conftest import ROLES, cast_member
from tests.procurement.factories import FROZEN, counts, events_since, procedure


def create(cast, actor, **fields):
    details = {"agency": cast.agency, "title": "Insulin for 2026", "procedure": procedure()}
    return create_tender(actor=actor, **{**details, **fields})


def test_buyer_opens_a_draft_with_a_readable_number(cast, settings):
    settings.OCDS_OCID_PREFIX = "ocds-abc123"
    before = counts()
    with time_machine.travel(FROZEN, tick=False):
        tender = create(cast, cast.buyer, description="  Cartridges  ")

    assert tender.number == "T-2026-000001"
    assert tender.ocid == "ocds-abc123-T-2026-000001"
    assert (tender.status, tender.description, tender.currency) == ("draft", "Cartridges", "KZT")
    assert tender.next_check is None
    [event] = events_since(before["events"])
    assert (event.action, event.subject_id, event.actor_id) == (
        "procurement.tender.created",
        str(tender.pk),
        cast.buyer.pk,
    )
    assert event.data["number"] == "T-2026-000001"


def test_numbers_count_up_within_a_year_and_start_again_the_next(cast):
    with time_machine.travel(FROZEN, tick=False):
        first, second = create(cast, cast.buyer), create(cast, cast.agency_admin)
    with time_machine.travel("2027-01-01 00:00 +05:00", tick=False):
        third = create(cast, cast.buyer)
    assert [first.number, second.number, third.number] == [
        "T-2026-000001",
        "T-2026-000002",
        "T-2027-000001",
    ]


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("buyer", "agency_admin")])
def test_only_the_agencys_buyers_and_administrators_open_tenders(cast, role):
    before = counts()
    actor = None if role == "anonymous" else cast_member(cast, role)
    with pytest.raises(PermissionDenied, match="Only the agency's buyers and administrators"):
        create(cast, actor)
    assert counts() == before
    assert not Tender.objects.exists()


def test_refuses_an_empty_title(cast):
    with pytest.raises(ValidationError) as refused:
        create(cast, cast.buyer, title="   ")
    assert refused.value.message_dict == {"title": ["Give the tender a title."]}
    assert not Tender.objects.exists()


def test_refuses_a_procedure_no_longer_used(cast):
    old = procedure("open_tender")
    old.is_active = False
    old.save()
    with pytest.raises(ValidationError, match="Open tender is no longer used"):
        create(cast, cast.buyer, procedure=old)


def _creator(cast, barrier, errors, numbers):
    try:
        barrier.wait()
        for _ in range(5):
            numbers.append(create(cast, cast.buyer).number)
    except Exception as exc:  # reported to the test thread
        errors.append(exc)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_buyers_creating_at_once_never_share_a_number(cast):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip("SQLite's in-memory test database is one connection; PostgreSQL runs this")
    procedure()
    errors, numbers = [], []
    barrier = threading.Barrier(4)
    threads = [
        threading.Thread(target=_creator, args=(cast, barrier, errors, numbers)) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    year = Tender.objects.first().number.split("-")[1]
    assert sorted(numbers) == [f"T-{year}-{n:06d}" for n in range(1, 21)]
