from django.urls import path

from awards.views import bidders, complaints, evaluation, requirements, results

app_name = "awards"

T = "tenders/<str:number>/"

urlpatterns = [
    path(f"{T}requirements/", requirements.requirements, name="requirements"),
    path(f"{T}requirements/add/", requirements.requirement_add, name="requirement-add"),
    path(f"{T}contract-terms/", requirements.contract_terms, name="contract-terms"),
    path(f"{T}evaluation/", evaluation.evaluation, name="evaluation"),
    path(
        f"{T}evaluation/bids/<str:public_id>/review/",
        evaluation.bid_review,
        name="bid-review",
    ),
    path(
        f"{T}evaluation/bids/<str:public_id>/correction/",
        evaluation.correction_request,
        name="correction-request",
    ),
    path(f"{T}evaluation/protocol.json", evaluation.results_draft, name="results-draft"),
    path(f"{T}evaluation/publish/", evaluation.results_publish, name="results-publish"),
    path(f"{T}results/", results.results, name="results"),
    path(f"{T}results/<int:revision>.json", results.results_protocol, name="results-protocol"),
    path(
        f"{T}results/<int:revision>.json.p7s",
        results.results_signature,
        name="results-signature",
    ),
    path(
        f"{T}bids/<str:public_id>/correction/",
        bidders.correction_answer,
        name="correction-answer",
    ),
    path(f"{T}complaints/", bidders.complaint_file, name="complaint-file"),
    path("complaints/", complaints.complaint_list, name="complaint-list"),
    path("complaints/<str:number>/", complaints.complaint_detail, name="complaint-detail"),
    path("complaints/<str:number>/decide/", complaints.complaint_decide, name="complaint-decide"),
    path(
        "complaints/<str:number>/documents/<int:document_id>/",
        complaints.complaint_document,
        name="complaint-document",
    ),
]
