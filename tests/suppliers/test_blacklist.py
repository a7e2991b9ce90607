"""The register of unreliable suppliers: operators add and end entries, nobody deletes them;
an entry is in force from its start (inclusive) until its end (exclusive)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from audit.actions import Action
from audit.canonical import iso_utc
from audit.models import Entry
from suppliers.choices import BlacklistBasis
from suppliers.models import BlacklistEntry, Organisation
from suppliers.services.blacklist import add_blacklist_entry, end_blacklist_entry
from tests.factories import BlacklistEntryFactory, SupplierFactory

SECOND = dt.timedelta(seconds=1)
START = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
END = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


def snapshot() -> dict:
    return {
        "entries": BlacklistEntry.objects.count(),
        "ends": sorted(
            (str(e.ends_at), e.end_reason) for e in BlacklistEntry.objects.order_by("pk")
        ),
        "events": Entry.objects.count(),
    }


def decision(**overrides) -> dict:
    return {
        "basis": BlacklistBasis.CONTRACT_BREACH,
        "decision_reference": "Order No. 17 of 2025-02-20",
        "decided_by": "Internal State Audit Committee",
        "starts_at": START,
        "ends_at": END,
        **overrides,
    }


# --- add_blacklist_entry --------------------------------------------------------------------


def test_operator_enters_a_supplier_in_the_register(cast):
    entry = add_blacklist_entry(organisation=cast.supplier_org_a, actor=cast.operator, **decision())

    assert BlacklistEntry.objects.get(pk=entry.pk).created_by == cast.operator
    event = Entry.objects.get()
    assert event.action == Action.BLACKLIST_ENTRY_ADDED
    assert (event.subject_type, event.subject_id) == ("suppliers.blacklistentry", str(entry.pk))
    assert event.actor_id == cast.operator.pk
    assert event.data == {
        "organisation": cast.supplier_org_a.pk,
        "bin": cast.supplier_org_a.bin,
        "basis": "contract_breach",
        "decision_reference": "Order No. 17 of 2025-02-20",
        "starts_at": iso_utc(START),
        "ends_at": iso_utc(END),
    }


def test_operator_enters_an_open_ended_entry(cast):
    entry = add_blacklist_entry(
        organisation=cast.supplier_org_a, actor=cast.operator, **decision(ends_at=None)
    )

    assert entry.ends_at is None
    event = Entry.objects.get()
    assert (event.action, event.subject_id) == (Action.BLACKLIST_ENTRY_ADDED, str(entry.pk))
    assert event.data["ends_at"] is None


@pytest.mark.parametrize("who", ["agency_admin", "auditor", "reviewer", "supplier_b", "outsider"])
def test_refuses_blacklist_entries_by_anyone_but_an_operator(cast, who):
    before = snapshot()

    with pytest.raises(PermissionDenied, match="Only platform operators"):
        add_blacklist_entry(
            organisation=cast.supplier_org_a, actor=getattr(cast, who), **decision()
        )

    assert snapshot() == before


def test_refuses_to_blacklist_a_buying_agency(cast):
    before = snapshot()

    with pytest.raises(ValidationError, match="Only suppliers"):
        add_blacklist_entry(organisation=cast.agency, actor=cast.operator, **decision())

    assert snapshot() == before


@pytest.mark.parametrize("ends_at", [START - SECOND, START])
def test_refuses_an_entry_that_does_not_end_after_it_starts(cast, ends_at):
    before = snapshot()

    with pytest.raises(ValidationError):
        add_blacklist_entry(
            organisation=cast.supplier_org_a, actor=cast.operator, **decision(ends_at=ends_at)
        )

    assert snapshot() == before


def test_names_the_end_field_when_an_entry_ends_before_it_starts(cast):
    # The admin form shows this next to "in force until"; today full_clean() trips the
    # check constraint first and reports "Constraint ... is violated." for the whole form.
    with pytest.raises(ValidationError, match="end must come after the start") as refusal:
        add_blacklist_entry(
            organisation=cast.supplier_org_a,
            actor=cast.operator,
            **decision(ends_at=START - SECOND),
        )

    assert list(refusal.value.message_dict) == ["ends_at"]


def test_refuses_an_entry_without_a_start(cast):
    before = snapshot()

    with pytest.raises(ValidationError, match="cannot be null") as refusal:
        add_blacklist_entry(
            organisation=cast.supplier_org_a, actor=cast.operator, **decision(starts_at=None)
        )

    assert list(refusal.value.message_dict) == ["starts_at"]

    assert snapshot() == before


def test_refuses_unknown_entry_fields(cast):
    before = snapshot()

    with pytest.raises(ValueError, match="end_reason"):
        add_blacklist_entry(
            organisation=cast.supplier_org_a, actor=cast.operator, **decision(end_reason="x")
        )

    assert snapshot() == before


# --- end_blacklist_entry --------------------------------------------------------------------


@pytest.fixture
def entry(cast):
    return BlacklistEntryFactory(organisation=cast.supplier_org_a, starts_at=START, ends_at=END)


def test_operator_ends_an_entry_early_and_it_stays_in_the_register(cast, entry):
    new_end = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)

    end_blacklist_entry(
        entry=entry, reason="  Court set the decision aside  ", actor=cast.operator, ends_at=new_end
    )

    row = BlacklistEntry.objects.get(pk=entry.pk)
    assert (row.ends_at, row.end_reason) == (new_end, "Court set the decision aside")
    assert BlacklistEntry.objects.filter(organisation=cast.supplier_org_a).count() == 1
    event = Entry.objects.get()
    assert event.action == Action.BLACKLIST_ENTRY_ENDED
    assert (event.subject_type, event.subject_id) == ("suppliers.blacklistentry", str(entry.pk))
    assert event.actor_id == cast.operator.pk
    assert event.data == {
        "organisation": cast.supplier_org_a.pk,
        "ends_at": iso_utc(new_end),
        "previous_end": iso_utc(END),
        "reason": "Court set the decision aside",
    }


def test_ending_without_a_time_ends_the_entry_now(cast):
    open_ended = BlacklistEntryFactory(organisation=cast.supplier_org_a, ends_at=None)
    before = timezone.now()

    end_blacklist_entry(entry=open_ended, reason="Appeal granted", actor=cast.operator)

    row = BlacklistEntry.objects.get(pk=open_ended.pk)
    assert before <= row.ends_at <= timezone.now()
    assert not row.in_force_now
    assert Entry.objects.get().data["previous_end"] is None
    assert (
        not Organisation.objects.filter(pk=cast.supplier_org_a.pk)
        .blacklisted_at(timezone.now())
        .exists()
    )


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_refuses_to_end_an_entry_without_a_reason(cast, entry, reason):
    before = snapshot()

    with pytest.raises(ValidationError, match="Give the reason") as refusal:
        end_blacklist_entry(entry=entry, reason=reason, actor=cast.operator, ends_at=END - SECOND)

    assert list(refusal.value.message_dict) == ["end_reason"]
    assert snapshot() == before


@pytest.mark.parametrize("ends_at", [END, END + SECOND, END + dt.timedelta(days=400)])
def test_refuses_to_end_an_entry_later_than_it_already_ends(cast, entry, ends_at):
    before = snapshot()

    with pytest.raises(ValidationError, match="can only be ended earlier"):
        end_blacklist_entry(entry=entry, reason="Extend", actor=cast.operator, ends_at=ends_at)

    assert snapshot() == before


@pytest.mark.parametrize("ends_at", [START, START - SECOND])
def test_refuses_to_end_an_entry_before_it_starts(cast, entry, ends_at):
    before = snapshot()

    with pytest.raises(ValidationError, match="end must come after the start"):
        end_blacklist_entry(entry=entry, reason="Mistake", actor=cast.operator, ends_at=ends_at)

    assert snapshot() == before


def test_ends_an_entry_one_second_after_it_starts(cast, entry):
    end_blacklist_entry(
        entry=entry, reason="Entered by mistake", actor=cast.operator, ends_at=START + SECOND
    )

    assert BlacklistEntry.objects.get(pk=entry.pk).ends_at == START + SECOND
    event = Entry.objects.get()
    assert (event.action, event.subject_id) == (Action.BLACKLIST_ENTRY_ENDED, str(entry.pk))
    assert event.data["ends_at"] == iso_utc(START + SECOND)


@pytest.mark.parametrize("who", ["agency_admin", "auditor", "shady", "outsider"])
def test_refuses_to_end_an_entry_for_anyone_but_an_operator(cast, who):
    shady_entry = BlacklistEntry.objects.get(organisation=cast.shady_org)
    before = snapshot()

    with pytest.raises(PermissionDenied):
        end_blacklist_entry(entry=shady_entry, reason="Please", actor=getattr(cast, who))

    assert snapshot() == before


# --- in force: start inclusive, end exclusive -----------------------------------------------

BOUNDARIES = [
    ("one second before the start", START - SECOND, False),
    ("exactly at the start", START, True),
    ("one second after the start", START + SECOND, True),
    ("one second before the end", END - SECOND, True),
    ("exactly at the end", END, False),
    ("one second after the end", END + SECOND, False),
    ("long after", END + dt.timedelta(days=3650), False),
]


@pytest.mark.parametrize(
    ("when", "instant", "in_force"), BOUNDARIES, ids=[b[0] for b in BOUNDARIES]
)
def test_blacklisted_at_and_in_force_at_at_the_boundaries(db, when, instant, in_force):
    supplier = SupplierFactory()
    bystander = SupplierFactory()
    entry = BlacklistEntryFactory(organisation=supplier, starts_at=START, ends_at=END)

    assert list(Organisation.objects.blacklisted_at(instant)) == ([supplier] if in_force else [])
    assert list(BlacklistEntry.objects.in_force_at(instant)) == ([entry] if in_force else [])
    assert entry.in_force_at(instant) is in_force
    assert bystander not in Organisation.objects.blacklisted_at(instant)


@pytest.mark.parametrize(
    ("instant", "in_force"),
    [(START - SECOND, False), (START, True), (END, True), (START + dt.timedelta(days=36500), True)],
)
def test_an_open_ended_entry_is_in_force_from_its_start_for_ever(db, instant, in_force):
    supplier = SupplierFactory()
    BlacklistEntryFactory(organisation=supplier, starts_at=START, ends_at=None)

    assert Organisation.objects.blacklisted_at(instant).filter(pk=supplier.pk).exists() is in_force
    assert BlacklistEntry.objects.in_force_at(instant).exists() is in_force


def test_two_overlapping_entries_count_once_per_supplier(db):
    supplier = SupplierFactory()
    middle = START + dt.timedelta(days=200)
    first = BlacklistEntryFactory(
        organisation=supplier, starts_at=START, ends_at=middle + dt.timedelta(days=100)
    )
    second = BlacklistEntryFactory(organisation=supplier, starts_at=middle, ends_at=END)

    assert list(Organisation.objects.blacklisted_at(middle)) == [supplier]
    assert set(BlacklistEntry.objects.in_force_at(middle)) == {first, second}
    assert list(BlacklistEntry.objects.in_force_at(middle - SECOND)) == [first]
    assert list(BlacklistEntry.objects.in_force_at(END - SECOND)) == [second]
    assert not Organisation.objects.blacklisted_at(END).exists()


def test_with_blacklist_status_gives_the_latest_end_of_the_entries_in_force(db):
    supplier = SupplierFactory()
    middle = START + dt.timedelta(days=200)
    BlacklistEntryFactory(
        organisation=supplier, starts_at=START, ends_at=middle + dt.timedelta(days=100)
    )
    BlacklistEntryFactory(organisation=supplier, starts_at=middle, ends_at=END)

    at_middle = Organisation.objects.with_blacklist_status(middle).get(pk=supplier.pk)
    assert (at_middle.blacklisted, at_middle.blacklisted_until) == (True, END)
    early = Organisation.objects.with_blacklist_status(START).get(pk=supplier.pk)
    assert (early.blacklisted, early.blacklisted_until) == (True, middle + dt.timedelta(days=100))
    after = Organisation.objects.with_blacklist_status(END).get(pk=supplier.pk)
    assert (after.blacklisted, after.blacklisted_until) == (False, None)


def test_with_blacklist_status_gives_no_end_for_an_indefinite_entry(db):
    supplier = SupplierFactory()
    BlacklistEntryFactory(organisation=supplier, starts_at=START, ends_at=END)
    BlacklistEntryFactory(organisation=supplier, starts_at=START + SECOND, ends_at=None)

    row = Organisation.objects.with_blacklist_status(START + dt.timedelta(days=1)).get(
        pk=supplier.pk
    )

    assert row.blacklisted is True
    assert row.blacklisted_until is None


def test_with_blacklist_status_defaults_to_now(cast):
    rows = {o.pk: o for o in Organisation.objects.suppliers().with_blacklist_status()}

    assert rows[cast.shady_org.pk].blacklisted is True
    assert (
        rows[cast.shady_org.pk].blacklisted_until
        == BlacklistEntry.objects.get(organisation=cast.shady_org).ends_at
    )
    assert (
        rows[cast.supplier_org_a.pk].blacklisted,
        rows[cast.supplier_org_a.pk].blacklisted_until,
    ) == (False, None)


# --- the database keeps the register --------------------------------------------------------


def test_the_database_refuses_to_delete_an_entry(cast):
    entry = BlacklistEntry.objects.get(organisation=cast.shady_org)

    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        BlacklistEntry.objects.filter(pk=entry.pk).delete()

    assert BlacklistEntry.objects.filter(pk=entry.pk).exists()


def test_the_database_refuses_to_delete_an_entry_through_the_model(cast):
    entry = BlacklistEntry.objects.get(organisation=cast.shady_org)

    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        entry.delete()

    assert BlacklistEntry.objects.filter(pk=entry.pk).exists()


def test_the_database_allows_updating_the_end_of_an_entry(cast):
    entry = BlacklistEntry.objects.get(organisation=cast.shady_org)
    new_end = timezone.now() + dt.timedelta(days=1)

    with transaction.atomic():
        updated = BlacklistEntry.objects.filter(pk=entry.pk).update(
            ends_at=new_end, end_reason="Ended"
        )

    assert updated == 1
    assert BlacklistEntry.objects.get(pk=entry.pk).ends_at == new_end
