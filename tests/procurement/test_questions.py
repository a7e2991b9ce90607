"""Suppliers ask during enquiries, the buyer answers once; both are public and each leaves
one audit event holding a hash of the text, not the text."""

import datetime as dt
import hashlib

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.choices import Role
from audit.models import Entry
from procurement.models import Question
from procurement.services.deadlines import start_tendering
from procurement.services.questions import answer_question, ask_question
from procurement.services.tenders import cancel_tender, publish_tender
from tests.conftest import cast_member
from tests.factories import SupplierFactory, member
from tests.procurement.factories import FROZEN, events_since, ready_tender

TEXT = "Is a generic with the same INN accepted?"
SECOND = dt.timedelta(seconds=1)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def published(cast):
    return publish_tender(tender=ready_tender(cast), actor=cast.buyer)


@pytest.fixture
def question(cast, published):
    return ask_question(tender=published, text=TEXT, actor=cast.supplier_a)


def snapshot() -> dict:
    return {
        "questions": list(Question.objects.values()),
        "events": Entry.objects.count(),
    }


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_verified_supplier_asks_during_enquiries(cast, published):
    before = Entry.objects.count()
    question = ask_question(tender=published, text=f"  {TEXT}  ", actor=cast.supplier_a)
    question.refresh_from_db()
    assert question.tender == published
    assert question.supplier == cast.supplier_org_a
    assert question.asked_by == cast.supplier_a
    assert question.text == TEXT
    assert question.asked_at == FROZEN
    assert not question.is_answered
    [event] = events_since(before)
    assert event.action == "procurement.question.asked"
    assert event.actor_id == cast.supplier_a.pk
    assert event.subject_id == str(question.pk)
    assert event.data == {
        "tender": published.number,
        "lot": None,
        "supplier": cast.supplier_org_a.pk,
        "text_sha256": sha256(TEXT),
    }
    assert TEXT not in str(event.data)


def test_a_question_may_be_about_one_lot(cast, published):
    lot = published.lots.get()
    question = ask_question(tender=published, text=TEXT, actor=cast.supplier_a, lot=lot)
    assert question.lot == lot
    assert Entry.objects.order_by("-seq").first().data["lot"] == 1


def test_refuses_a_lot_of_another_tender(cast, published):
    other = publish_tender(tender=ready_tender(cast), actor=cast.buyer)
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        ask_question(tender=published, text=TEXT, actor=cast.supplier_a, lot=other.lots.get())
    assert "lot" in exc.value.message_dict
    assert snapshot() == before


@pytest.mark.parametrize(
    "role",
    [
        "shady",
        "buyer",
        "agency_admin",
        "commission",
        "other_buyer",
        "auditor",
        "outsider",
        "operator",
    ],
)
def test_only_verified_suppliers_off_the_blacklist_ask(cast, published, role):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        ask_question(tender=published, text=TEXT, actor=cast_member(cast, role))
    assert snapshot() == before


def test_refuses_a_blacklisted_supplier_with_the_reason(cast, published):
    with pytest.raises(PermissionDenied, match="Shady Deals Trading LLP is on the blacklist"):
        ask_question(tender=published, text=TEXT, actor=cast.shady)


def test_refuses_a_supplier_not_yet_verified(cast, published):
    applicant = member(SupplierFactory(status="pending"), Role.ADMIN)
    with pytest.raises(PermissionDenied):
        ask_question(tender=published, text=TEXT, actor=applicant)
    assert not Question.objects.exists()


def test_accepts_a_question_one_second_before_enquiries_end(cast, published):
    with time_machine.travel(published.enquiry_end - SECOND, tick=False):
        question = ask_question(tender=published, text=TEXT, actor=cast.supplier_a)
    assert question.asked_at == published.enquiry_end - SECOND


@pytest.mark.parametrize("offset", [dt.timedelta(0), SECOND], ids=["exactly at", "after"])
def test_refuses_a_question_at_and_after_the_end_of_enquiries(cast, published, offset):
    # 2026-02-04 13:00 UTC is 18:00 in Almaty; the tender is still in enquiries (no clock ran).
    assert published.enquiry_end == dt.datetime(2026, 2, 4, 13, 0, tzinfo=dt.UTC)
    before = snapshot()
    ended = r"ended at 04\.02\.2026 18:00:00 \(Almaty"
    with (
        time_machine.travel(published.enquiry_end + offset, tick=False),
        pytest.raises(ValidationError, match=ended),
    ):
        ask_question(tender=published, text=TEXT, actor=cast.supplier_a)
    assert snapshot() == before


def test_refuses_a_question_once_tendering_started(cast, published):
    with time_machine.travel(published.enquiry_end, tick=False):
        start_tendering(tender=published)
        with pytest.raises(ValidationError, match="is tendering"):
            ask_question(tender=published, text=TEXT, actor=cast.supplier_a)


def test_refuses_a_question_on_a_draft(cast):
    draft = ready_tender(cast)
    with pytest.raises(PermissionDenied):
        ask_question(tender=draft, text=TEXT, actor=cast.supplier_a)
    assert not Question.objects.exists()


def test_refuses_a_question_on_a_cancelled_tender(cast, published):
    cancel_tender(tender=published, reason="no_demand", text="Bought centrally", actor=cast.buyer)
    before = snapshot()
    with pytest.raises(ValidationError, match="is cancelled"):
        ask_question(tender=published, text=TEXT, actor=cast.supplier_a)
    assert snapshot() == before


@pytest.mark.parametrize(("text", "message"), [("  ", "Write the question"), ("x" * 4001, "4000")])
def test_refuses_an_empty_or_overlong_question(cast, published, text, message):
    with pytest.raises(ValidationError, match=message) as exc:
        ask_question(tender=published, text=text, actor=cast.supplier_a)
    assert list(exc.value.message_dict) == ["text"]
    assert not Question.objects.exists()


@pytest.mark.parametrize("role", ["buyer", "agency_admin"])
def test_the_agencys_buyers_answer(cast, question, role):
    actor = cast_member(cast, role)
    before = Entry.objects.count()
    with time_machine.travel(FROZEN + dt.timedelta(hours=1), tick=False):
        answer_question(question=question, text=" Yes, by INN. ", actor=actor)
    question.refresh_from_db()
    assert question.answer == "Yes, by INN."
    assert question.answered_by == actor
    assert question.answered_at == FROZEN + dt.timedelta(hours=1)
    [event] = events_since(before)
    assert event.action == "procurement.question.answered"
    assert event.actor_id == actor.pk
    assert event.data == {
        "tender": question.tender.number,
        "question": question.pk,
        "text_sha256": sha256("Yes, by INN."),
    }


@pytest.mark.parametrize(
    "role", ["other_buyer", "commission", "supplier_a", "auditor", "outsider", "operator"]
)
def test_no_one_else_answers(cast, question, role):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        answer_question(question=question, text="Yes.", actor=cast_member(cast, role))
    assert snapshot() == before


def test_an_answer_is_not_changed(cast, question):
    answer_question(question=question, text="Yes.", actor=cast.buyer)
    before = snapshot()
    with pytest.raises(ValidationError, match=r"answered at 02\.02\.2026 10:00:00") as exc:
        answer_question(question=question, text="No, after all.", actor=cast.agency_admin)
    assert exc.value.code == "already_answered"
    assert snapshot() == before
    question.refresh_from_db()
    assert question.answer == "Yes."


def test_answers_are_given_during_tendering(cast, published, question):
    with time_machine.travel(published.enquiry_end + SECOND, tick=False):
        start_tendering(tender=published)
        answer_question(question=question, text="Yes.", actor=cast.buyer)
    question.refresh_from_db()
    assert question.is_answered


def test_refuses_an_answer_on_a_cancelled_tender(cast, published, question):
    cancel_tender(tender=published, reason="no_demand", text="Bought centrally", actor=cast.buyer)
    before = snapshot()
    with pytest.raises(ValidationError, match="is cancelled"):
        answer_question(question=question, text="Yes.", actor=cast.buyer)
    assert snapshot() == before


def test_refuses_an_empty_answer(cast, question):
    with pytest.raises(ValidationError) as exc:
        answer_question(question=question, text=" ", actor=cast.buyer)
    assert list(exc.value.message_dict) == ["answer"]


def test_unanswered_questions_show_in_what_happens_next(cast, published, question):
    ask_question(tender=published, text="And delivery?", actor=cast.supplier_b)
    assert published.what_happens_next()["blocked_by"] == ["2 unanswered questions"]
    answer_question(question=question, text="Yes.", actor=cast.buyer)
    assert published.what_happens_next()["blocked_by"] == ["1 unanswered question"]
