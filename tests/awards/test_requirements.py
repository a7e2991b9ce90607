"""The tender's checklist and contract terms, set by the buyer on the draft."""

import hashlib
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from awards.models import Requirement
from awards.services.requirements import add_requirement, set_contract_terms
from procurement.models import Procedure, Tender
from procurement.services.tenders import publish_tender
from tests.awards.world import events_since, log_size, on_a_monday, state
from tests.procurement.factories import ready_tender

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _monday():
    with on_a_monday():
        yield


@pytest.fixture
def draft(cast):
    return ready_tender(cast)


@pytest.fixture
def weighted(draft):
    Procedure.objects.filter(pk=draft.procedure_id).update(award_criterion="weighted_scoring")
    return Tender.objects.get(pk=draft.pk)


def add(tender, actor, kind="document", title="Licence", **more):
    return add_requirement(tender=tender, actor=actor, kind=kind, title=title, **more)


# --- adding ------------------------------------------------------------------------------------


def test_the_buyer_adds_numbered_requirements_to_the_draft(cast, draft):
    before = log_size()
    first = add(draft, cast.buyer, title="  Licence for pharmaceutical activity ")
    second = add(
        draft, cast.agency_admin, kind="qualification", title="Experience", description=" 3y "
    )

    assert [(r.number, r.kind, r.title, r.description, r.weight) for r in (first, second)] == [
        (1, "document", "Licence for pharmaceutical activity", "", None),
        (2, "qualification", "Experience", "3y", None),
    ]
    one, two = events_since(before)
    assert (one.action, one.actor_id, one.subject_type, one.subject_id) == (
        "awards.requirement.added",
        cast.buyer.pk,
        "awards.requirement",
        str(first.pk),
    )
    assert one.data == {
        "tender": draft.number,
        "number": 1,
        "kind": "document",
        "title": "Licence for pharmaceutical activity",
        "weight": None,
    }
    assert (two.actor_id, two.data["number"]) == (cast.agency_admin.pk, 2)


def test_a_weighted_tender_takes_criteria_with_their_weights(cast, weighted):
    add(weighted, cast.buyer, kind="criterion", title="Delivery time", weight="30")
    before = log_size()
    criterion = add(weighted, cast.buyer, kind="criterion", title="Warranty", weight="69.99")

    assert (criterion.number, criterion.weight) == (2, Decimal("69.99"))
    [event] = events_since(before)
    assert event.action == "awards.requirement.added"
    assert event.data["weight"] == "69.99"


@pytest.mark.parametrize(
    ("kind", "title", "weight", "errors"),
    [
        ("photo", "x", None, {"kind": ["Choose a document, a qualification or a criterion."]}),
        ("document", "  ", None, {"title": ["Name the requirement."]}),
        ("document", "x" * 301, None, {"title": ["Keep this to 300 characters or fewer."]}),
        ("document", "Licence", "10", {"weight": ["Only non-price criteria carry a weight."]}),
    ],
)
def test_refuses_a_malformed_requirement(cast, draft, kind, title, weight, errors):
    before = state(draft)
    with pytest.raises(ValidationError) as refused:
        add(draft, cast.buyer, kind=kind, title=title, weight=weight)
    assert refused.value.message_dict == errors
    assert state(draft) == before


def test_refuses_a_criterion_where_the_lowest_price_wins(cast, draft):
    before = state(draft)
    with pytest.raises(ValidationError) as refused:
        add(draft, cast.buyer, kind="criterion", title="Delivery time", weight="30")
    assert refused.value.message_dict == {
        "kind": ["Open tender awards on the lowest price: it has no scored criteria."]
    }
    assert state(draft) == before


@pytest.mark.parametrize("weight", [None, "", "abc", "0", "-5", "12.345", "NaN", "Infinity"])
def test_refuses_a_criterion_without_a_proper_weight(cast, weighted, weight):
    before = state(weighted)
    with pytest.raises(ValidationError) as refused:
        add(weighted, cast.buyer, kind="criterion", title="Delivery time", weight=weight)
    assert list(refused.value.message_dict) == ["weight"]
    assert state(weighted) == before


def test_refuses_criteria_that_leave_the_price_no_weight(cast, weighted):
    add(weighted, cast.buyer, kind="criterion", title="Delivery time", weight="60")
    before = state(weighted)
    # (SQLite sums the weights as 100, PostgreSQL as 100.00)
    with pytest.raises(
        ValidationError,
        match=r"The criteria would weigh 100(\.00)?% together; the price must keep some weight, "
        r"so they may weigh at most 39\.99% more\.",
    ):
        add(weighted, cast.buyer, kind="criterion", title="Warranty", weight="40")
    assert state(weighted) == before


@pytest.mark.parametrize("who", ["commission", "other_buyer", "supplier_a", "outsider", "auditor"])
def test_only_the_agencys_buyers_define_requirements(cast, draft, who):
    actor = cast.commission[0] if who == "commission" else getattr(cast, who)
    before = state(draft)
    with pytest.raises(PermissionDenied):
        add(draft, actor)
    with pytest.raises(PermissionDenied):
        set_contract_terms(tender=draft, actor=actor, terms="Delivery within 30 days.")
    assert state(draft) == before


def test_refuses_changes_once_the_tender_is_published(cast, draft):
    tender = publish_tender(tender=draft, actor=cast.buyer)
    before = state(tender)
    with pytest.raises(ValidationError, match="Changing the requirements is not possible while"):
        add(tender, cast.buyer)
    with pytest.raises(ValidationError, match="Changing the contract terms is not possible while"):
        set_contract_terms(tender=tender, actor=cast.buyer, terms="Delivery within 30 days.")
    assert state(tender) == before
    assert not Requirement.objects.filter(tender=tender).exists()


# --- contract terms ----------------------------------------------------------------------------


def test_the_buyer_sets_the_contract_terms(cast, draft):
    before = log_size()
    tender = set_contract_terms(
        tender=draft, actor=cast.buyer, terms="  Delivery to the hospital within 30 days. "
    )

    assert Tender.objects.get(pk=tender.pk).contract_terms == (
        "Delivery to the hospital within 30 days."
    )
    [event] = events_since(before)
    assert (event.action, event.actor_id, event.subject_type, event.subject_id) == (
        "procurement.tender.contract_terms_set",
        cast.buyer.pk,
        "procurement.tender",
        str(draft.pk),
    )
    assert event.data == {
        "terms_sha256": hashlib.sha256(b"Delivery to the hospital within 30 days.").hexdigest()
    }


@pytest.mark.parametrize(
    ("terms", "errors"),
    [
        ("", {"terms": ["Write the delivery terms."]}),
        ("x" * 20001, {"terms": ["Keep this to 20000 characters or fewer."]}),
    ],
)
def test_refuses_empty_or_overlong_terms(cast, draft, terms, errors):
    before = state(draft)
    with pytest.raises(ValidationError) as refused:
        set_contract_terms(tender=draft, actor=cast.buyer, terms=terms)
    assert refused.value.message_dict == errors
    assert state(draft) == before
