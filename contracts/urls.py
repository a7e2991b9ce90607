from django.urls import path

from contracts import views

app_name = "contracts"

C = "contracts/<str:number>/"

urlpatterns = [
    path("contracts/", views.contract_list, name="contract-list"),
    path(C, views.contract_detail, name="contract-detail"),
    path(f"{C}document.json", views.contract_document, name="contract-document"),
    path(f"{C}signatures/<str:party>.p7s", views.contract_signature, name="contract-signature"),
    path(f"{C}sign/", views.contract_sign, name="contract-sign"),
    path(f"{C}decline/", views.contract_decline, name="contract-decline"),
    path(f"{C}amend/", views.contract_amend, name="contract-amend"),
    path(f"{C}acceptances/", views.acceptance_add, name="acceptance-add"),
    path(f"{C}payments/", views.payment_add, name="payment-add"),
    path(f"{C}terminate/", views.contract_terminate, name="contract-terminate"),
    path(f"{C}next-bidder/", views.award_next, name="award-next"),
    path("tenders/<str:number>/single-source/", views.single_source, name="single-source"),
]
