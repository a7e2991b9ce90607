"""Procedures are data: the 2025 rules of Kazakhstan, loaded by a data migration."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from procurement.models import Procedure
from tests.procurement.factories import procedure

MIGRATION = importlib.import_module("procurement.migrations.0002_procedures_and_ledger_guards")


def test_open_tender_has_the_2025_periods(db):
    open_tender = procedure("open_tender")

    assert open_tender.enquiry_days == 2
    assert open_tender.submission_days == 5
    assert open_tender.review_days == 3
    assert open_tender.complaint_window_days == 3
    assert open_tender.day_kind == "working"
    assert open_tender.min_bids == 1
    assert open_tender.award_criterion == "lowest_price"
    assert open_tender.sealed_bids is True
    assert open_tender.value_ceiling is None


def test_price_quotations_are_capped_at_4000_mci_of_2025(db):
    quotations = procedure("price_quotations")

    assert quotations.submission_days == 2
    assert quotations.day_kind == "working"
    assert quotations.sealed_bids is True
    assert quotations.mci == Decimal("3932.00")
    assert quotations.ceiling_mci_multiple == 4000
    assert quotations.value_ceiling == Decimal("15728000.00")
    assert quotations.currency == "KZT"
    assert quotations.allows_amount(Decimal("15728000.00"))
    assert not quotations.allows_amount(Decimal("15728000.01"))
    quotations.full_clean()


def test_single_source_has_no_bidding(db):
    single = procedure("single_source")

    assert single.submission_days == 0
    assert single.enquiry_days == 0
    assert single.min_bids == 1
    assert single.sealed_bids is False
    assert single.allows_amount(Decimal("999999999999.99"))


def test_every_procedure_of_the_migration_is_valid(db):
    for row in MIGRATION.PROCEDURES:
        procedure(row["code"]).full_clean()


def test_loading_again_changes_nothing_an_operator_set(db):
    quotations = procedure("price_quotations")
    Procedure.objects.filter(pk=quotations.pk).update(name="Price quotations (edited)")

    MIGRATION.load_procedures(apps, None)

    assert Procedure.objects.filter(code="price_quotations").count() == 1
    assert Procedure.objects.get(code="price_quotations").name == "Price quotations (edited)"
    assert set(Procedure.objects.values_list("code", flat=True)) >= {
        "open_tender",
        "price_quotations",
        "single_source",
    }


def test_a_ceiling_must_be_the_mci_times_the_multiple(db):
    quotations = procedure("price_quotations")
    quotations.mci = Decimal("4325.00")  # a later year's MCI, with the ceiling not updated

    with pytest.raises(ValidationError, match=r"17,300,000\.00"):
        quotations.full_clean()


def test_a_ceiling_needs_both_the_mci_and_the_multiple(db):
    quotations = procedure("price_quotations")
    quotations.ceiling_mci_multiple = None

    with pytest.raises(ValidationError, match="both the MCI and the ceiling"):
        quotations.full_clean()
