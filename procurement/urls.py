from django.urls import path

from procurement.views import amendments, budget, tenders

app_name = "procurement"

urlpatterns = [
    path("plans/<str:bin>/", budget.budget, name="budget"),
    path("plans/<str:bin>/lines/", budget.create_line, name="budgetline-create"),
    path("plans/<str:bin>/items/", budget.create_item, name="planitem-create"),
    path(
        "plans/<str:bin>/items/<int:item_id>/approve/",
        budget.approve_item,
        name="planitem-approve",
    ),
    path("plans/<str:bin>/items/<int:item_id>/cancel/", budget.cancel_item, name="planitem-cancel"),
    path("plans/<str:bin>/tenders/new/", tenders.tender_create, name="tender-create"),
    path("tenders/", tenders.tender_list, name="tender-list"),
    path("tenders/<str:number>/", tenders.tender_detail, name="tender-detail"),
    path("tenders/<str:number>/lots/", tenders.tender_add_lot, name="tender-lot-add"),
    path("tenders/<str:number>/periods/", tenders.tender_set_periods, name="tender-periods"),
    path(
        "tenders/<str:number>/commission/",
        tenders.tender_set_commission,
        name="tender-commission",
    ),
    path("tenders/<str:number>/publish/", tenders.tender_publish, name="tender-publish"),
    path("tenders/<str:number>/cancel/", tenders.tender_cancel, name="tender-cancel"),
    path("tenders/<str:number>/amend/", amendments.tender_amend, name="tender-amend"),
    path(
        "tenders/<str:number>/lots/cancel/", amendments.tender_cancel_lot, name="tender-lot-cancel"
    ),
    path(
        "tenders/<str:number>/versions/<int:version>/",
        amendments.tender_version,
        name="tender-version",
    ),
    path("notices/", amendments.notices, name="notices"),
    path(
        "tenders/<str:number>/documents/",
        tenders.tender_attach_document,
        name="tender-document-attach",
    ),
    path(
        "tenders/<str:number>/documents/<int:document_id>/",
        tenders.tender_document,
        name="tender-document",
    ),
    path(
        "tenders/<str:number>/questions/",
        tenders.tender_ask_question,
        name="tender-question-ask",
    ),
    path(
        "tenders/<str:number>/questions/<int:question_id>/answer/",
        tenders.tender_answer_question,
        name="tender-question-answer",
    ),
]
