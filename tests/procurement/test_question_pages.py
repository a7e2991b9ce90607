"""The Q&A section of the tender page: public questions and answers in Almaty time, a form
to ask for eligible suppliers and a form per open question for the agency's buyers."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from audit.models import Entry
from procurement.models import Question
from procurement.services.questions import answer_question, ask_question
from procurement.services.tenders import publish_tender
from tests.procurement.factories import FROZEN, events_since, ready_tender

TEXT = "Is a generic with the same INN accepted?"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def published(cast):
    return publish_tender(tender=ready_tender(cast), actor=cast.buyer)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client, tender) -> str:
    response = client.get(tender.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def ask_url(tender) -> str:
    return reverse("procurement:tender-question-ask", args=[tender.number])


def answer_url(question) -> str:
    return reverse("procurement:tender-question-answer", args=[question.tender.number, question.pk])


def test_anyone_reads_questions_and_answers_in_almaty_time(cast, published):
    question = ask_question(tender=published, text=TEXT, actor=cast.supplier_a)
    with time_machine.travel(FROZEN + dt.timedelta(hours=2), tick=False):
        answer_question(question=question, text="Yes, by INN.", actor=cast.buyer)
    ask_question(tender=published, text="Delivery to Almaty?", actor=cast.supplier_b)
    text = page(Client(), published)
    assert "Questions and answers" in text
    assert "Medservice Plus LLP" in text and "Steppe Construction JSC" in text
    assert TEXT in text and "Yes, by INN." in text
    assert "02.02.2026 10:00" in text  # 05:00 UTC
    assert "02.02.2026 12:00" in text
    assert "Not answered yet." in text
    assert "1 unanswered question" in text
    assert "Ask a question" not in text
    assert 'name="text"' not in text


def test_an_eligible_supplier_asks_from_the_page(cast, published):
    client = logged_in(cast.supplier_a)
    assert "Ask a question" in page(client, published)
    response = client.post(ask_url(published), {"text": TEXT, "lot": "1"}, follow=True)
    assert response.redirect_chain == [(published.get_absolute_url(), 302)]
    question = Question.objects.get()
    assert (question.supplier, question.lot.number) == (cast.supplier_org_a, 1)
    assert "Your question was published" in response.content.decode()


def test_the_form_is_gone_when_enquiries_end(cast, published):
    with time_machine.travel(published.enquiry_end, tick=False):
        assert "Ask a question" not in page(logged_in(cast.supplier_a), published)


def test_a_late_question_is_refused_with_the_end_time(cast, published):
    client = logged_in(cast.supplier_a)
    with time_machine.travel(published.enquiry_end, tick=False):
        response = client.post(ask_url(published), {"text": TEXT}, follow=True)
    assert "ended at 04.02.2026 18:00:00 (Almaty time)" in response.content.decode()
    assert not Question.objects.exists()


def test_an_empty_question_is_refused_clearly(cast, published):
    response = logged_in(cast.supplier_a).post(ask_url(published), {"text": ""})
    assert response.status_code == 400
    errors = response.content.decode().split('id="id_question_text_errors"')[1].split("</ul>")[0]
    assert "This field is required." in errors
    assert not Question.objects.exists()


@pytest.mark.parametrize("role", ["buyer", "shady", "outsider"])
def test_others_cannot_ask_from_the_page(cast, published, role):
    client = logged_in(getattr(cast, role))
    assert "Ask a question" not in page(client, published)
    assert client.post(ask_url(published), {"text": TEXT}).status_code == 403
    assert not Question.objects.exists()


def test_anonymous_is_sent_to_log_in(published):
    response = Client().post(ask_url(published), {"text": TEXT})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_buyer_answers_from_the_page(cast, published):
    question = ask_question(tender=published, text=TEXT, actor=cast.supplier_a)
    client = logged_in(cast.buyer)
    assert answer_url(question) in page(client, published)
    assert answer_url(question) not in page(logged_in(cast.other_buyer), published)
    before = Entry.objects.count()
    response = client.post(answer_url(question), {"text": "Yes."}, follow=True)
    assert "The answer was published." in response.content.decode()
    question.refresh_from_db()
    assert question.answer == "Yes."
    assert [e.action for e in events_since(before)] == ["procurement.question.answered"]
    assert answer_url(question) not in page(client, published)


def test_a_second_answer_is_refused_on_the_page(cast, published):
    question = ask_question(tender=published, text=TEXT, actor=cast.supplier_a)
    answer_question(question=question, text="Yes.", actor=cast.buyer)
    response = logged_in(cast.agency_admin).post(answer_url(question), {"text": "No."}, follow=True)
    assert "an answer is not changed" in response.content.decode()
    question.refresh_from_db()
    assert question.answer == "Yes."


def test_another_agencys_buyer_cannot_answer(cast, published):
    question = ask_question(tender=published, text=TEXT, actor=cast.supplier_a)
    assert logged_in(cast.other_buyer).post(answer_url(question), {"text": "No"}).status_code == 403
    question.refresh_from_db()
    assert not question.is_answered
