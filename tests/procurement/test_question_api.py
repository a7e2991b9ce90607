"""Questions and answers over the API: public reads, suppliers ask, the buyer answers once;
refusals in the one error shape."""

import pytest
import time_machine
from django.test import Client

from accounts.services.tokens import create_api_token
from procurement.models import Question
from procurement.services.questions import ask_question
from procurement.services.tenders import publish_tender
from tests.procurement.factories import FROZEN, draft_tender, ready_tender
from tests.test_api_errors import error_of

BASE = "/api/v1/tenders"
TEXT = "Is a generic with the same INN accepted?"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def published(cast):
    return publish_tender(tender=ready_tender(cast), actor=cast.buyer)


def client_of(user) -> Client:
    _token, raw = create_api_token(user=user, name="robot", actor=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_anyone_lists_questions_and_answers(cast, published):
    question = ask_question(tender=published, text=TEXT, actor=cast.supplier_a)
    response = Client().get(f"{BASE}/{published.number}/questions")
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": question.pk,
            "lot": None,
            "supplier_bin": cast.supplier_org_a.bin,
            "supplier_name": "Medservice Plus LLP",
            "text": TEXT,
            "asked_at": "2026-02-02T05:00:00Z",
            "answer": None,
            "answered_at": None,
        }
    ]


def test_a_drafts_questions_are_not_found(cast):
    error_of(Client().get(f"{BASE}/{draft_tender(cast.agency).number}/questions"), 404)


def test_a_supplier_asks_and_the_buyer_answers(cast, published):
    url = f"{BASE}/{published.number}/questions"
    response = post(client_of(cast.supplier_a), url, {"text": TEXT, "lot": 1})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["lot"], body["supplier_bin"], body["answer"]) == (1, cast.supplier_org_a.bin, None)

    answer_url = f"{url}/{body['id']}/answer"
    response = post(client_of(cast.buyer), answer_url, {"text": "Yes, by INN."})
    assert response.status_code == 200, response.content
    assert response.json()["answer"] == "Yes, by INN."
    assert response.json()["answered_at"] == "2026-02-02T05:00:00Z"

    error = error_of(post(client_of(cast.agency_admin), answer_url, {"text": "No."}), 422)
    assert "an answer is not changed" in error["message"]
    assert Question.objects.get().answer == "Yes, by INN."


def test_refusals_in_the_one_shape(cast, published):
    url = f"{BASE}/{published.number}/questions"
    assert error_of(post(Client(), url, {"text": TEXT}), 401)
    assert "blacklist" in error_of(post(client_of(cast.shady), url, {"text": TEXT}), 403)["message"]
    error_of(post(client_of(cast.buyer), url, {"text": TEXT}), 403)
    error = error_of(post(client_of(cast.supplier_a), url, {"text": TEXT, "lot": 7}), 422)
    assert list(error["fields"]) == ["lot"]
    error_of(post(client_of(cast.supplier_a), url, {"text": ""}), 422)
    supplier = client_of(cast.supplier_a)
    with time_machine.travel(published.enquiry_end, tick=False):
        error = error_of(post(supplier, url, {"text": TEXT}), 422)
    assert "04.02.2026 18:00:00 (Almaty time)" in error["message"]
    assert not Question.objects.exists()


def test_only_the_agencys_buyers_answer(cast, published):
    question = ask_question(tender=published, text=TEXT, actor=cast.supplier_a)
    url = f"{BASE}/{published.number}/questions/{question.pk}/answer"
    error_of(post(client_of(cast.other_buyer), url, {"text": "No."}), 403)
    error_of(post(client_of(cast.supplier_a), url, {"text": "No."}), 403)
    error_of(
        post(
            client_of(cast.buyer), f"{BASE}/{published.number}/questions/999/answer", {"text": "x"}
        ),
        404,
    )
    question.refresh_from_db()
    assert not question.is_answered
